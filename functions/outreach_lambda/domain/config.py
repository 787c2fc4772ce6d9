"""Outreach configuration: the padding policy, contact timing and quiet hours.

One typed model, validated wherever it is read (CDK synth, Lambda start-up, a simulator scenario), so a bad
value fails early with the field named. Every value is bounded (docs/contracts.md, "Validation and bounds"):
numbers are JSON numbers (no ``"3"``, no ``true``), the padding factor lies in 1..3, day counts have sane
maxima, times of day are ``HH:MM`` text and the texts that go into every message have a maximum length.
"""

from __future__ import annotations

import re
from datetime import time
from fractions import Fraction
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt, field_validator, model_validator

from outreach_lambda.domain.model import ContactKind

#: A promise is never shorter than the work (1) and never more than three times as long (3): a factor
#: above that is a typo (1e9 would put every promise beyond the year 9999 and crash every step).
MIN_FACTOR = Fraction(1)
MAX_FACTOR = Fraction(3)
MAX_FACTOR_TEXT = 32


def parse_factor(text: str) -> Fraction:
    """A padding factor: a fraction like '4/3' or a decimal like '1.25', from 1 to 3."""
    if len(text) > MAX_FACTOR_TEXT:
        raise ValueError(f"factor must be a fraction like '4/3' or a decimal like '1.25', got {len(text)} characters")
    try:
        parsed = Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"factor must be a fraction like '4/3' or a decimal like '1.25', got {text!r}") from exc
    if parsed < MIN_FACTOR:
        raise ValueError(f"factor must be at least 1 (a promise is never shorter than the work), got {text!r}")
    if parsed > MAX_FACTOR:
        raise ValueError(f"factor must be at most 3 (a promise at most three times the work), got {text!r} = {parsed}")
    return parsed


_HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")


def _time_of_day(value: Any) -> Any:
    """A local time of day as text, ``"21:00"`` (not a number of seconds)."""
    if isinstance(value, time) or (isinstance(value, str) and _HH_MM.fullmatch(value)):
        return value
    raise ValueError(f"must be a time of day like '21:00', got {value!r}")


TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]


class PaddingPolicy(BaseModel):
    """How internal lead time becomes a quoted promise: ``quoted = round_up(internal * factor)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: str = Field(
        default="4/3", strict=True, description="Padding factor from 1 to 3, as a fraction or decimal: '4/3', '1.25'"
    )
    rounding: Literal["weeks", "days"] = "weeks"

    @field_validator("factor")
    @classmethod
    def _factor_is_a_number_at_least_one(cls, value: str) -> str:
        parse_factor(value)
        return value

    @property
    def factor_fraction(self) -> Fraction:
        return Fraction(self.factor)


class QuietHours(BaseModel):
    """Local hours in which no timer-driven contact and no SMS is sent (default 21:00-09:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: TimeOfDay = time(21, 0)
    end: TimeOfDay = time(9, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quietHours.start and quietHours.end must differ")
        return self


Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAYS: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class BusinessHours(BaseModel):
    """When the shop answers customers: local opening hours on the listed weekdays, in the shop's zone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: TimeOfDay = time(9, 0)
    end: TimeOfDay = time(17, 0)
    days: list[Weekday] = Field(default=["Mon", "Tue", "Wed", "Thu", "Fri"], min_length=1, max_length=7)
    timezone: str = Field(default="UTC", strict=True, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _open_some_time(self) -> BusinessHours:
        if self.start >= self.end:
            raise ValueError("businessHours.start must be before businessHours.end")
        if len(set(self.days)) != len(self.days):
            raise ValueError("businessHours.days: each weekday at most once")
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"businessHours.timezone: unknown IANA time zone {self.timezone!r}") from None
        return self


#: Contact kinds that are pure offers: an opted-out customer never gets them, whatever ``optedOutStillGet`` says.
NEVER_TO_OPTED_OUT = frozenset({"design_advice_offer"})

MAX_REMEDIES = 20


def _one_line_text(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    if any(ord(c) < 32 or ord(c) == 127 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069 for c in value):
        raise ValueError("must be one line without control characters")
    return value


def _texts_per_language(value: dict[str, str], shortest: int) -> dict[str, str]:
    """``{"de": "..."}``: keys are language codes, values one line of ``shortest`` to 200 characters."""
    for language, text in value.items():
        if not re.fullmatch(r"[a-z]{2,3}", language):
            raise ValueError(f"keys must be language codes like 'de', got {language[:20]!r}")
        if not isinstance(text, str) or not shortest <= len(text) <= 200:
            raise ValueError(f"{language}: must be text of {shortest} to 200 characters")
        _one_line_text(text)
    return value


class Remedy(BaseModel):
    """A small complaint and its free fix: a comment containing ``pattern`` (any case) suggests ``remedy``.

    ``remedy`` is in the shop's default language (``branding.defaultLocale``): ops read it, and customers in that
    language. ``translations`` gives it in other languages (``{"de": "..."}``); a customer in a language it has
    no wording for is promised the call, not a fix in a language they did not write in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    pattern: str = Field(strict=True, min_length=2, max_length=60)
    remedy: str = Field(strict=True, min_length=3, max_length=200)
    translations: dict[str, str] = Field(default_factory=dict, max_length=20)

    @field_validator("pattern", "remedy")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if not value.strip() or any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise ValueError("must be one line of text, not blank")
        return value.strip()

    @field_validator("translations")
    @classmethod
    def _per_language(cls, value: dict[str, str]) -> dict[str, str]:
        return _texts_per_language(value, shortest=3)


_SOFTER = {
    "remedy": "free softer cushion inserts, sent at once",
    "translations": {"de": "kostenlose weichere Polstereinlagen, sofort verschickt"},
}
_FIRMER = {
    "remedy": "free firmer cushion inserts, sent at once",
    "translations": {"de": "kostenlose festere Polstereinlagen, sofort verschickt"},
}
_SWATCHES = {
    "remedy": "free fabric swatches and a call from a designer",
    "translations": {"de": "kostenlose Stoffmuster und einen Anruf unserer Designer"},
}
DEFAULT_REMEDIES: tuple[Remedy, ...] = tuple(
    Remedy.model_validate({"pattern": pattern, **fix})
    for pattern, fix in (
        ("too firm", _SOFTER),
        ("too hard", _SOFTER),
        ("zu fest", _SOFTER),
        ("zu hart", _SOFTER),
        ("too soft", _FIRMER),
        ("zu weich", _FIRMER),
        ("colour", _SWATCHES),
        ("color", _SWATCHES),
        ("farbe", _SWATCHES),
    )
)


_HEX_COLOUR = r"^#[0-9A-Fa-f]{6}$"
_LOCALE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$"
#: The built-in goodwill gesture. Messages in another language use that language's own wording of it (the
#: copy files); a shop that writes its own gesture gives it per language in ``goodwillGestures``.
DEFAULT_GOODWILL_GESTURE = "a free upgrade to express delivery"


def _https_url(value: str | None) -> str | None:
    if value is None:
        return value
    if not re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s\"'<>]*)?", value):
        raise ValueError(f"must be an https:// link without spaces or quotes, got {value[:80]!r}")
    return value


class Branding(BaseModel):
    """How the shop looks and signs in every e-mail: logo, colours, postal address, reply-to, language.

    Shop name and support phone stay top-level (``shopName``, ``supportPhone``); everything here is optional
    and bounded. Colours are ``#RRGGBB``; links are https; texts are one line.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    logo_url: str | None = Field(default=None, alias="logoUrl", strict=True, max_length=500)
    logo_width: StrictInt = Field(default=160, ge=40, le=600, alias="logoWidth", description="pixels")
    primary_color: str = Field(default="#2F5D50", alias="primaryColor", strict=True, pattern=_HEX_COLOUR)
    text_color: str = Field(default="#222222", alias="textColor", strict=True, pattern=_HEX_COLOUR)
    background_color: str = Field(default="#F4F1EC", alias="backgroundColor", strict=True, pattern=_HEX_COLOUR)
    postal_address: str | None = Field(default=None, alias="postalAddress", strict=True, min_length=1, max_length=200)
    reply_to: str | None = Field(default=None, alias="replyTo", strict=True, max_length=254)
    website_url: str | None = Field(default=None, alias="websiteUrl", strict=True, max_length=500)
    unsubscribe_url: str | None = Field(
        default=None,
        alias="unsubscribeUrl",
        strict=True,
        max_length=400,
        description="https endpoint for one-click unsubscribe (RFC 8058); without it a mailto: link is used",
    )
    default_locale: str = Field(
        default="en-US",
        alias="defaultLocale",
        strict=True,
        max_length=35,
        pattern=_LOCALE,
        description="language and date style of customers who give no locale (or one without copy)",
    )

    @field_validator("logo_url", "website_url", "unsubscribe_url")
    @classmethod
    def _links_are_https(cls, value: str | None) -> str | None:
        return _https_url(value)

    @field_validator("default_locale")
    @classmethod
    def _default_locale_has_copy(cls, value: str) -> str:
        from outreach_lambda.domain.rendering import languages  # rendering imports this module

        language = value.split("-")[0].lower()
        if language not in languages():
            raise ValueError(f"no copy for {value!r}: the languages with copy are {', '.join(languages())}")
        return value

    @field_validator("postal_address")
    @classmethod
    def _address_one_line(cls, value: str | None) -> str | None:
        return None if value is None else _one_line_text(value)

    @field_validator("reply_to")
    @classmethod
    def _reply_to_is_an_address(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+", value):
            raise ValueError(f"must be an e-mail address like help@shop.example, got {value[:80]!r}")
        return value


class OutreachConfig(BaseModel):
    """Everything a shop tunes. Field names are camelCase, as in scenario files and CDK context."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    padding: PaddingPolicy = PaddingPolicy()
    default_transit_days: StrictInt = Field(default=7, ge=0, le=120, alias="defaultTransitDays")
    production_update_lead_days: StrictInt = Field(default=3, ge=0, le=60, alias="productionUpdateLeadDays")
    ses_send_rate: float = Field(
        default=14.0,
        strict=True,
        ge=0.1,
        le=1000,
        alias="sesSendRate",
        description="e-mails per second, 0.1 to 1000 (SES sandbox: 1)",
    )
    good_news_days: StrictInt = Field(default=3, ge=1, le=60, alias="goodNewsDays")
    satisfaction_check_days: StrictInt = Field(default=3, ge=0, le=60, alias="satisfactionCheckDays")
    quiet_hours: QuietHours = Field(default=QuietHours(), alias="quietHours")
    support_phone: str = Field(
        default="+1 555 0100",
        alias="supportPhone",
        strict=True,
        min_length=3,
        max_length=32,
        pattern=r"^\+?[0-9 ()./-]+$",
    )
    shop_name: str = Field(default="Outreach Sofas", alias="shopName", strict=True, min_length=1, max_length=100)
    goodwill_gesture: str = Field(
        default=DEFAULT_GOODWILL_GESTURE, alias="goodwillGesture", strict=True, min_length=1, max_length=200
    )
    goodwill_gestures: dict[str, str] = Field(
        default_factory=dict,
        alias="goodwillGestures",
        description="the goodwill gesture per language ('de': 'ein ...'), for customers not in the default language",
    )
    branding: Branding = Branding()

    max_requotes: StrictInt = Field(
        default=10,
        ge=1,
        le=50,
        alias="maxRequotes",
        description="re-quotes per order the rules make on their own; past it ops are alerted to call instead",
    )

    action_link_days: StrictInt = Field(
        default=60,
        ge=1,
        le=365,
        alias="actionLinkDays",
        description="how long a one-click link in a message works (rating, address, unsubscribe, call me)",
    )
    business_hours: BusinessHours = Field(default=BusinessHours(), alias="businessHours")
    reply_sla_minutes: StrictInt = Field(
        default=60,
        ge=5,
        le=10080,
        alias="replySlaMinutes",
        description="business minutes within which a customer message is answered before reply_overdue",
    )
    remedies: list[Remedy] = Field(
        default=list(DEFAULT_REMEDIES),
        max_length=MAX_REMEDIES,
        description="complaint pattern -> suggested free fix, for negative_feedback",
    )
    design_advice_offer_days: StrictInt = Field(
        default=7,
        ge=1,
        le=90,
        alias="designAdviceOfferDays",
        description="days after a catalog follow-up to offer free design advice, if no order came",
    )

    opted_out_still_get: tuple[ContactKind, ...] = Field(
        default=("order_confirmation", "delay_notice", "cancellation_confirmation", "message_acknowledgement"),
        alias="optedOutStillGet",
        max_length=10,
        description=(
            "contact kinds a customer on the opt-out list still gets because they cannot do without them "
            "(the confirmation of their order, a broken promise, a cancellation, the answer-by time of a message "
            "they wrote to us); every other kind is skipped. Never a pure offer (design_advice_offer)"
        ),
    )

    @field_validator("opted_out_still_get")
    @classmethod
    def _no_repeats(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each kind at most once")
        offers = sorted(set(value) & NEVER_TO_OPTED_OUT)
        if offers:
            raise ValueError(f"{', '.join(offers)}: an offer never goes to a customer who opted out")
        return value

    @field_validator("shop_name", "goodwill_gesture", "support_phone")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return _one_line_text(value)

    @field_validator("goodwill_gestures")
    @classmethod
    def _gestures_per_language(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 20:
            raise ValueError(f"at most 20 languages, got {len(value)}")
        return _texts_per_language(value, shortest=1)
