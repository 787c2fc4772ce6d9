"""Contact messages: subject, HTML, plain text and SMS per kind, in the customer's language, from template files.

The words live in ``templates/copy/<language>.toml`` (one file per language, one section per kind), the
structure in ``templates/kinds/<kind>.html`` / ``.txt`` on a shared layout (``templates/layout.*``); see
``templates/README.md``. This module gathers the facts a message states and hands them to the templates:

- every date is the promise ledger's (``state.promised``, the quotes), a calendar date in the customer's zone,
  written in the customer's language and date style (Babel, CLDR);
- the language: ``customer.locale`` if there is copy for it, else its language (``de-AT`` -> ``de``), else the
  shop's ``branding.defaultLocale``; the date style follows the requested locale only when its language is the
  one the message is written in (``en-AU`` gets English copy with Australian dates; ``fr`` gets the default);
- non-transactional kinds (``NON_TRANSACTIONAL_KINDS``) carry List-Unsubscribe links (``unsubscribe_links``);
- SMS are GSM-7 where possible and at most ``MAX_SMS_SEGMENTS[kind]`` parts; they name no person and no address.

jinja2 and Babel are imported on first render, not at import: a handler's cold start does not pay for them
until it sends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from outreach_lambda.domain import sms as sms_rules
from outreach_lambda.domain.config import DEFAULT_GOODWILL_GESTURE, OutreachConfig
from outreach_lambda.domain.events import Address, CatalogRequested, CustomerMessageReceived
from outreach_lambda.domain.model import ContactKind, ContactOrder, OrderState, Quote
from outreach_lambda.domain.promise import local_date

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
COPY_DIR = TEMPLATES_DIR / "copy"
#: The HTML templates with their CSS inlined (``make templates`` writes them from ``templates/*.html``).
INLINED_DIR = TEMPLATES_DIR / "inlined"

KINDS: tuple[str, ...] = get_args(ContactKind)
DATED_KINDS = frozenset({"order_confirmation", "production_update", "shipped", "delay_notice"})
#: Messages that are not about a transaction the customer started and needs to hear of: they carry
#: List-Unsubscribe + one-click List-Unsubscribe-Post (RFC 8058) and a visible unsubscribe link.
NON_TRANSACTIONAL_KINDS = frozenset({"satisfaction_check", "catalog_follow_up", "design_advice_offer"})
#: The kinds about a catalog request (``render_catalog_contact``) and about a
#: customer's own message (``render_message_acknowledgement``), not about an order's state.
NOT_ORDER_KINDS = frozenset({"catalog_follow_up", "design_advice_offer", "message_acknowledgement"})
#: The most SMS parts each kind may take. Two for the kinds that carry a date plus a phone number or a
#: carrier and tracking number; one for the rest. A text over its bound uses the copy's shorter ``sms_short``,
#: and is cut only if even that does not fit (a 100-character shop name).
MAX_SMS_SEGMENTS: dict[str, int] = {
    "order_confirmation": 2,
    "production_update": 2,
    "shipped": 2,
    "delay_notice": 2,
    "satisfaction_check": 1,
    "cancellation_confirmation": 1,
    "catalog_follow_up": 1,
    "feedback_acknowledgement": 1,
    "message_acknowledgement": 1,
    "design_advice_offer": 1,
}

Mode = Literal["html", "text"]


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    sms: str
    promised_date: date | None
    html: str = ""
    locale: str = "en-US"
    #: List-Unsubscribe URIs (https first, then mailto), empty for transactional messages.
    list_unsubscribe: tuple[str, ...] = ()
    reply_to: str | None = None
    from_name: str | None = None
    kind: str = ""

    @property
    def sms_segments(self) -> int:
        return sms_rules.segments(self.sms)

    @property
    def non_transactional(self) -> bool:
        """Not about a transaction the customer needs to hear of: it must carry List-Unsubscribe."""
        return self.kind in NON_TRANSACTIONAL_KINDS

    @property
    def one_click(self) -> bool:
        """RFC 8058 one-click unsubscribe applies: an https link is among the List-Unsubscribe URIs."""
        return any(uri.startswith("https://") for uri in self.list_unsubscribe)


@dataclass(frozen=True)
class Language:
    """What a message is written in: the copy file's language and the locale its dates are formatted for."""

    copy: str  # "en", "de": a file templates/copy/<copy>.toml
    locale: str  # Babel's identifier for dates and numbers: "en_GB", "de_DE", "en_US"
    tag: str  # BCP 47, as the customer gave it or as it fell back: "en-GB"


# --- language and dates -------------------------------------------------------------------------------------------


@cache
def languages() -> tuple[str, ...]:
    """The languages there is copy for (one file each in templates/copy/, which ship with the code: read once)."""
    return tuple(sorted(p.stem for p in COPY_DIR.glob("*.toml")))


@lru_cache(maxsize=256)
def resolve_language(requested: str | None, default: str) -> Language:
    """``requested`` if there is copy for its language, else ``default`` (see the module docstring). Depends on
    nothing but the two tags and the copy files, so each pair is resolved once."""
    from babel import Locale, UnknownLocaleError

    available = languages()
    for tag in (requested, default, "en-US"):
        if not tag:
            continue
        try:
            locale = Locale.parse(tag, sep="-")
        except (UnknownLocaleError, ValueError):
            try:  # an unknown region or script: the language alone ("de-XX" -> "de")
                locale = Locale.parse(tag.split("-")[0])
            except (UnknownLocaleError, ValueError):
                continue
        if locale.language in available:
            return Language(copy=locale.language, locale=str(locale), tag=tag)
    raise ValueError(f"branding.defaultLocale: no copy for {default!r} in {COPY_DIR} (have {', '.join(available)})")


# Dates and day counts are formatted once per value and language: a message writes each several times (its HTML and
# text), and orders placed together share their dates.
@lru_cache(maxsize=4096)
def long_date(value: date, language: Language) -> str:
    from babel.dates import format_date

    return format_date(value, format="full", locale=_babel_locale(language.locale))


@lru_cache(maxsize=4096)
def short_date(value: date, language: Language) -> str:
    from babel.dates import format_date

    return format_date(value, format="medium", locale=_babel_locale(language.locale))


@lru_cache(maxsize=1024)
def day_count(days: int, language: Language) -> str:
    """'6 days', '1 day', '6 Tage' (CLDR plural rules)."""
    from babel.units import format_unit

    return str(format_unit(days, "duration-day", length="long", locale=_babel_locale(language.locale)))


@lru_cache(maxsize=64)
def _babel_locale(identifier: str) -> Any:
    """Babel's ``Locale`` of ``identifier`` ("de_DE"), parsed once: Babel's formatters take it as it is, where they
    parse an identifier on every call."""
    from babel import Locale

    return Locale.parse(identifier)


# --- links --------------------------------------------------------------------------------------------------------


def unsubscribe_links(config: OutreachConfig, kind: str, owner_id: str, signed: str | None = None) -> tuple[str, ...]:
    """The List-Unsubscribe URIs of a non-transactional message: an https endpoint (one click, RFC 8058),
    then a mailto: to the reply-to address. The one place these links are made. The https one is the message's
    signed unsubscribe link to the customer action endpoint (``signed``, ``domain.links``: a POST to it
    unsubscribes) when the sender signs links, else the shop's ``branding.unsubscribeUrl``. Carries no personal
    data, only the order or request id and the kind (the signed link: only the signed request or order id)."""
    if kind not in NON_TRANSACTIONAL_KINDS:
        return ()
    links = []
    branding = config.branding
    if signed:
        links.append(signed)
    elif branding.unsubscribe_url:
        glue = "&" if "?" in branding.unsubscribe_url else "?"
        links.append(f"{branding.unsubscribe_url}{glue}{urlencode({'ref': owner_id, 'kind': kind})}")
    if branding.reply_to:
        links.append(f"mailto:{branding.reply_to}?{urlencode({'subject': f'unsubscribe {owner_id}'})}")
    return tuple(links)


# --- facts per kind -----------------------------------------------------------------------------------------------


def first_name(name: str) -> str:
    parts = name.split()
    return parts[0] if parts else name.strip()


#: Countries that write the town before the postal code ("Arlington VA 22201", "London" / "SW1A 1AA");
#: elsewhere the postal code comes first ("10115 Berlin", "75001 Paris").
_TOWN_FIRST = frozenset({"US", "USA", "CA", "AU", "NZ"})
_POSTCODE_OWN_LINE = frozenset({"GB", "UK", "IE"})


def address_lines(address: Address) -> list[str]:
    """The address as the post of its country writes it, line by line."""
    country = address.country.strip().upper()
    if country in _TOWN_FIRST:
        town = [f"{address.city} {address.postal_code}"]
    elif country in _POSTCODE_OWN_LINE:
        town = [address.city, address.postal_code]
    else:
        town = [f"{address.postal_code} {address.city}"]
    return [line for line in (address.line1, address.line2, *town, address.country) if line]


def _days_ahead(state: OrderState) -> int:
    """Whole days production finished before the internal plan (0 when not finished or not early)."""
    if state.production_completed_at is None:
        return 0
    zone = state.order.customer.zone
    return max((local_date(state.production_due_at, zone) - local_date(state.production_completed_at, zone)).days, 0)


def _delay_reason(quote: Quote) -> tuple[str, str]:
    """The copy key for why the date moved, and the producer's own words (if any) to quote."""
    reason = quote.reason
    if reason.startswith("production delayed"):
        detail = reason.partition(": ")[2]
        return ("reason_production_detail" if detail else "reason_production"), detail
    if reason.startswith("production completed"):
        return "reason_production", ""
    if reason.startswith("carrier"):
        return "reason_carrier", ""
    return "reason_silence", ""


def _gesture(config: OutreachConfig, language: Language) -> str | None:
    """The shop's goodwill gesture in the message's language; ``None``: the copy's own built-in wording."""
    if language.copy in config.goodwill_gestures:
        return config.goodwill_gestures[language.copy]
    if config.goodwill_gesture == DEFAULT_GOODWILL_GESTURE:
        return None
    return config.goodwill_gesture


FeedbackTone = Literal["apology", "thanks", "referral"]


def feedback_tone(state: OrderState) -> FeedbackTone:
    """How the feedback acknowledgement answers: an apology and a call within one business day for a rating of
    3 or less (or a fixable complaint), thanks and a gentle referral ask for a 5, plain thanks otherwise."""
    rating = state.feedback_rating
    if (rating is not None and rating <= 3) or state.feedback_remedy is not None:
        return "apology"
    return "referral" if rating == 5 else "thanks"


def _remedy(remedy: str | None, config: OutreachConfig, language: Language) -> str | None:
    """The remedy table's free fix in the message's language: its translation, or the remedy itself when the
    message is in the shop's default language; None (the copy then promises the call alone) when there is no
    wording, or when ``remedy`` is not one of the table's (such as the general offer an order recorded before it
    was kept for ops alone: an instruction to ops, never words for the customer)."""
    if remedy is None:
        return None
    entries = [entry for entry in config.remedies if entry.remedy == remedy]
    for entry in entries:
        if language.copy in entry.translations:
            return entry.translations[language.copy]
    default = resolve_language(None, config.branding.default_locale)
    return remedy if entries and language.copy == default.copy else None


#: A dated contact that really reached the customer: when it went out, and the promised date it stated.
Told = tuple[datetime, date]


def promise_told(state: OrderState, told: Iterable[Told] | None) -> date:
    """The promise a delay notice says is broken: the date of the latest dated contact that really went out to
    the customer on any channel (``told``: what the contact ledger records as SENT) other than the current
    promise. The customer is one person: what an SMS told them, they know when they read the e-mail. A notice
    superseded, skipped, parked or failed before it went out told them nothing, so its date is never cited.
    With nothing dated sent yet, the order's first promise (the one it was placed with). ``told`` None (the
    caller has no ledger: a preview): the quote before the current one."""
    promised = state.promised
    if told is None:
        return state.quotes[-2].promised_date if len(state.quotes) > 1 else promised
    earlier = sorted((t for t in told if t[1] != promised), key=lambda t: t[0])
    if earlier:
        return earlier[-1][1]
    return state.quotes[0].promised_date if state.quotes else promised


def _order_facts(
    state: OrderState, kind: str, language: Language, config: OutreachConfig, told: Iterable[Told] | None = None
) -> dict[str, Any]:
    order = state.order
    promised = state.promised
    facts: dict[str, Any] = {
        "order_id": order.order_id,
        "first_name": first_name(order.customer.name),
        "items": [{"quantity": i.quantity, "description": i.description} for i in order.items],
        # Where it goes: the address the customer asked for last (a change by link), else the order's.
        "address_lines": address_lines(state.delivery_address),
        "address": ", ".join(address_lines(state.delivery_address)),
        "address_confirmed": state.address_confirmed_at is not None,
        "promised": long_date(promised, language),
        "promised_short": short_date(promised, language),
    }
    if kind == "production_update":
        ahead = _days_ahead(state)
        facts["finished"] = state.production_completed_at is not None
        facts["early"] = ahead >= config.good_news_days
        facts["days_early"] = day_count(ahead, language)
    elif kind == "shipped":
        ship = state.shipment
        if ship is None:
            raise ValueError(f"shipped: order {order.order_id} has no shipment to describe")
        facts["carrier"] = ship.carrier
        facts["tracking_number"] = ship.tracking_number
        facts["tracking_url"] = ship.tracking_url
        details = ship.delivery_details
        facts["delivery_lines"] = [line.strip() for line in details.splitlines() if line.strip()] if details else []
    elif kind == "delay_notice":
        facts["previous"] = long_date(promise_told(state, told), language)
        facts["reason_key"], facts["reason_detail"] = _delay_reason(state.quotes[-1])
        facts["gesture"] = _gesture(config, language)
    elif kind == "cancellation_confirmation":
        facts["cancel_reason"] = state.cancel_reason
    elif kind == "feedback_acknowledgement":
        facts["rating"] = state.feedback_rating
        facts["tone"] = feedback_tone(state)
        facts["remedy"] = _remedy(state.feedback_remedy, config, language)
    return facts


def render(
    state: OrderState,
    contact: ContactOrder,
    config: OutreachConfig,
    links: Mapping[str, str] | None = None,
    told: Iterable[Told] | None = None,
) -> Message:
    """An order's contact of ``contact.kind``, as it reads now (the ledger's latest promise). ``links``: the
    message's signed one-click links by name (``domain.links.LINKS_OF_KIND``); without them the message asks
    the customer to reply or call instead. ``told``: the dated contacts that really reached the customer (the
    promise a delay notice says is broken: ``promise_told``)."""
    kind = contact.kind
    if kind not in KINDS or kind in NOT_ORDER_KINDS:
        raise ValueError(f"kind: no template for contact kind {kind!r}")
    language = resolve_language(state.order.customer.locale, config.branding.default_locale)
    facts = _order_facts(state, kind, language, config, told)
    promised = state.promised if kind in DATED_KINDS else None
    # A text message needs its SMS copy and subject only, not the two pages of the e-mail.
    return compose(kind, facts, language, config, state.order_id, promised, links, pages=contact.channel == "email")


def _catalog_facts(request: CatalogRequested) -> dict[str, Any]:
    return {
        "request_id": request.request_id,
        "first_name": first_name(request.customer.name),
        "address_lines": address_lines(request.postal_address) if request.postal_address else [],
        "address": ", ".join(address_lines(request.postal_address)) if request.postal_address else "",
    }


def render_catalog_contact(
    request: CatalogRequested,
    config: OutreachConfig,
    links: Mapping[str, str] | None = None,
    kind: Literal["catalog_follow_up", "design_advice_offer"] = "catalog_follow_up",
) -> Message:
    """A catalog request's contact: the follow-up (catalog, swatches, design advice), or the one gentle offer of
    free design advice some days later to a requester who has not ordered."""
    language = resolve_language(request.customer.locale, config.branding.default_locale)
    return compose(kind, _catalog_facts(request), language, config, request.request_id, None, links)


def render_message_acknowledgement(
    name: str,
    message: CustomerMessageReceived,
    answer_by: datetime,
    zone: ZoneInfo,
    config: OutreachConfig,
    locale: str | None = None,
) -> Message:
    """We got your message; a person answers by ``answer_by`` (written in the customer's zone and language)."""
    from babel.dates import format_datetime

    language = resolve_language(locale, config.branding.default_locale)
    local = answer_by.astimezone(zone)
    facts: dict[str, Any] = {
        "first_name": first_name(name),
        "about_order": message.order_id,
        "order_id": message.order_id or "",
        "request_id": message.request_id or "",
        "answer_by": _when(local, zone, language),
        "answer_by_short": format_datetime(local, format="short", tzinfo=zone, locale=_babel_locale(language.locale)),
    }
    owner = message.order_id or message.request_id or message.message_id
    return compose("message_acknowledgement", facts, language, config, owner, None)


def _when(local: datetime, zone: ZoneInfo, language: Language) -> str:
    """'Tuesday, November 24, 2026 at 10:00 (CET)': the day in full, the time, and the zone's short name."""
    from babel.dates import format_date, format_time

    locale = _babel_locale(language.locale)
    day = format_date(local.date(), format="full", locale=locale)
    clock = format_time(local, format="short", tzinfo=zone, locale=locale)
    return f"{day}, {clock} ({local.tzname()})"


# --- composing from the templates ---------------------------------------------------------------------------------


def compose(
    kind: str,
    facts: dict[str, Any],
    language: Language,
    config: OutreachConfig,
    owner_id: str,
    promised: date | None,
    actions: Mapping[str, str] | None = None,
    *,
    pages: bool = True,
) -> Message:
    """Subject, HTML, text and SMS of ``kind`` from the templates, with the shop's branding and links.
    ``actions``: the message's signed one-click links by name (``{}``: none, the copy asks for a reply).
    ``pages=False``: no HTML and no text (empty), for a message sent only as an SMS."""
    branding = config.branding
    actions = dict(actions or {})
    links = unsubscribe_links(config, kind, owner_id, actions.get("unsubscribe"))
    context: dict[str, Any] = {
        **facts,
        "links": actions,
        "link_days": config.action_link_days,
        "kind": kind,
        "shop": config.shop_name,
        "phone": config.support_phone,
        "phone_link": "tel:" + re.sub(r"[^0-9+]", "", config.support_phone),
        "brand": branding,
        "lang": language.tag,
        "unsubscribe_url": next((u for u in links if not u.startswith("mailto:")), None)
        or (links[0] if links else None),
        "non_transactional": kind in NON_TRANSACTIONAL_KINDS,
    }
    engine = _engine()
    subject = " ".join(engine.phrase(language.copy, kind, "subject", context, "text").split())
    html = engine.page(language.copy, kind, context, "html") if pages else ""
    text = _tidy_text(engine.page(language.copy, kind, context, "text")) if pages else ""
    bound = MAX_SMS_SEGMENTS[kind]
    sms = sms_rules.to_gsm7(" ".join(engine.phrase(language.copy, kind, "sms", context, "text").split()))
    if sms_rules.segments(sms) > bound:
        short = engine.phrase(language.copy, kind, "sms_short", context, "text", optional=True)
        if short:
            sms = sms_rules.to_gsm7(" ".join(short.split()))
        sms = sms_rules.fit(sms, bound)
    return Message(
        subject=subject,
        text=text,
        sms=sms,
        promised_date=promised,
        html=html,
        locale=language.tag,
        list_unsubscribe=links,
        reply_to=branding.reply_to,
        from_name=config.shop_name,
        kind=kind,
    )


def _tidy_text(text: str) -> str:
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


class CopyError(ValueError):
    """A copy file lacks a phrase or cannot be read: names the file, the section and the key."""


@dataclass(eq=False)
class _Engine:
    """The two jinja2 environments (HTML with autoescaping, plain text without) and the copy files."""

    environments: dict[Mode, Any]
    markup: Callable[[str], Any]
    copies: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)

    def copy(self, language: str) -> dict[str, dict[str, str]]:
        if language not in self.copies:
            import tomllib

            path = COPY_DIR / f"{language}.toml"
            try:
                with path.open("rb") as handle:
                    self.copies[language] = tomllib.load(handle)
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise CopyError(f"templates/copy/{language}.toml: {exc}") from exc
        return self.copies[language]

    def phrase(
        self, language: str, kind: str, key: str, context: dict[str, Any], mode: Mode, optional: bool = False
    ) -> str:
        """The copy ``key`` of ``kind`` (or of ``[common]``), rendered with the message's facts."""
        copy = self.copy(language)
        source = copy.get(kind, {}).get(key, copy.get("common", {}).get(key))
        if source is None:
            if optional:
                return ""
            raise CopyError(f"templates/copy/{language}.toml: [{kind}] has no {key!r} (nor has [common])")
        if _is_static(source):  # half the phrases: what jinja2 would render is the text itself
            return source
        return _render(_compiled(self, mode, source), {**self.environments[mode].globals, **context})

    def page(self, language: str, kind: str, context: dict[str, Any], mode: Mode) -> str:
        environment = self.environments[mode]
        template = _page_template(self, mode, kind)

        if mode == "html":  # a phone number never breaks across lines
            nowrap = '<span style="white-space: nowrap">{}</span>'
            context = {**context, "phone": self.markup(nowrap).format(context["phone"])}

        def t(key: str, **extra: Any) -> Any:
            text = self.phrase(language, kind, key, {**context, **extra} if extra else context, mode)
            return self.markup(text) if mode == "html" else text

        return _render(template, {**environment.globals, **context, "t": t})


def _render(template: Any, variables: dict[str, Any]) -> str:
    """What ``Template.render(variables)`` returns, without its two copies of the variables, one merged with the
    template's globals (a ChainMap, walked key by key on every render): ``variables`` (a new dict, holding the
    environment's globals) becomes the context's parent as it is. Errors are raised as jinja2 raises them."""
    context = template.new_context(variables, shared=True)
    try:
        return str(template.environment.concat(template.root_render_func(context)))
    except Exception:
        return str(template.environment.handle_exception())  # raises, with the template's own line numbers


@lru_cache(maxsize=256)
def _page_template(engine: _Engine, mode: Mode, kind: str) -> Any:
    """A kind's page template, looked up once (the loader's cache would build its key and check it every time)."""
    return engine.environments[mode].get_template(f"kinds/{kind}.{'html' if mode == 'html' else 'txt'}")


@lru_cache(maxsize=2048)
def _is_static(source: str) -> bool:
    """No jinja2 syntax (``{{``, ``{%``, ``{#``) and no carriage return (which jinja2 would turn into a line feed):
    rendered, the phrase is its own text (``keep_trailing_newline``, no line statements)."""
    return not any(marker in source for marker in ("{{", "{%", "{#", "\r"))


@lru_cache(maxsize=2048)
def _compiled(engine: _Engine, mode: Mode, source: str) -> Any:
    return engine.environments[mode].from_string(source)


@cache
def _engine() -> _Engine:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined
    from markupsafe import Markup

    def environment(autoescape: bool, search: list[Path]) -> Environment:
        return Environment(
            loader=FileSystemLoader([str(p) for p in search]),
            autoescape=autoescape,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # the templates ship with the code: no stat() of each file on every message
        )

    return _Engine(
        environments={
            "html": environment(True, [INLINED_DIR]),
            "text": environment(False, [TEMPLATES_DIR]),
        },
        markup=Markup,
    )
