"""Typed order events: the `detail` of each EventBridge detail-type in DESIGN.md (camelCase on the wire), and
the EventBridge envelope around it. The one place where input is judged: intake, the timeline, the simulator
and any published JSON schema (``model_json_schema()``) use these models.

Unknown extra fields are ignored (producers may add fields); missing or malformed fields are errors that name
the field and the problem.

Strict, bounded input (the full table is in docs/contracts.md, "Validation and bounds"):

- Numbers are JSON integers: no ``"14"``, no ``true``, no ``14.0``. productionDays 1..365, transitDays 0..120,
  quantity 1..999, rating 1..5, 1..50 items.
- Identifiers (orderId, requestId, sku, trackingNumber; see ``IDENTIFIER_PATTERN``) are 1-64 characters:
  ASCII letters, digits and ``. _ : / # -``, starting with a letter or digit. They are never stripped or
  changed: an identifier with a space, a newline or anything else outside that set is rejected.
- Free text is stripped; blank after stripping is an error for a required field and means "absent" for an
  optional one; every field has a maximum length (``Text``) and holds no control characters (line breaks and
  tabs only in the multi-line fields deliveryDetails and comment), no lone surrogates and no bidi overrides.
- E-mail addresses are checked by ``email-validator`` (the library pydantic's EmailStr uses) for syntax SES
  accepts: ASCII local part, a domain with a dot that is not special-use (``localhost``, ``.test``...);
  an internationalised domain is stored in its ASCII (punycode) form. Phone numbers are E.164.
- Dates are ISO 8601 text (a timestamp with offset; the estimates also accept a plain date): no Unix numbers.
  Relative to the event's own time (EventBridge ``time``, passed as the validation context ``eventTime``),
  ``EVENT_TIME_WINDOWS`` bounds each date field (placedAt at most 30 days before and 5 minutes after, etc.);
  relative to the order, ``placement_problem`` rejects completions, deliveries and estimates before the order
  was placed (intake checks it, it knows the order).

Why these lengths (DynamoDB's item limit is 400 KB). The order's detail is stored once, as its Order Placed
event's item; its ``STATE`` item holds the rest of the ``OrderState`` (the shipment, the cancellation reason and
every quote), compressed. Worst case, every character of free text taking 4 bytes of UTF-8, every identifier
and the event ids at their longest, and nothing compressing:

- the Order Placed event item: 50 items x (sku 64 + description 120 x 4 + ~50 bytes of JSON) ~ 30 KB, plus
  the customer (name 400, e-mail 254, phone, locale, zone) and the address (3 lines x 400, postal code,
  country 256): 32.2 KB in all;
- the STATE item: the shipment (carrier 64 x 3, tracking number 64, URL 500, delivery details 1000 x 4), the
  cancellation reason 0.8 KB, times, triggers, issued keys, a 2 KB wait token, event digests, fingerprint,
  placedAt; each re-quote adds a quote (reason "production delayed: " + 200 x 4, cause "Production Delayed
  (<128-character event id>)", time, date) and its trigger and issued keys: 1.1 KB. With the most re-quotes
  any configuration allows (``maxRequotes`` <= 50) the STATE item is 66.3 KB.

``tests/unit/test_events.py`` builds that largest order through the real domain and measures it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, PydanticKnownError, core_schema

# --- the bounds -------------------------------------------------------------------------------------------------

#: orderId, requestId, sku, trackingNumber: 1-64 ASCII letters, digits and ``. _ : / # -``, starting with a
#: letter or digit. Wide enough for shop order numbers ("SO-2026/0042"), SKUs and tracking numbers, narrow
#: enough to go into keys, subjects and logs unescaped.
IDENTIFIER_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,63}"
#: EventBridge event ids (UUIDs; the simulator's "sim-00001", timers' "timer-order-..."), up to 128 characters.
EVENT_ID_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:/#-]{0,127}"
#: EventBridge sources: "com.example.shop", "outreach.timer".
SOURCE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._/-]{0,255}"
#: A carrier's name ("DHL Freight", "NZ Post", "La Poste"): letters (any script), digits, space and . , & ' ( ) / + -
CARRIER_PATTERN = r"[^\W_][\w .,&'()/+-]{0,63}"
#: Postal codes of every country: letters, digits, space and hyphen ("SW1A 1AA", "22201-1234", "D02 X285").
POSTAL_CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9 -]{0,15}"
#: A BCP 47 language tag, short form: "en", "en-GB", "zh-Hant-TW", "de-CH-1996".
LOCALE_PATTERN = r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}"
#: An IANA zone name's characters ("America/Argentina/Buenos_Aires", "Etc/GMT+5").
TIMEZONE_PATTERN = r"[A-Za-z][A-Za-z0-9_+/-]{0,63}"
E164_RE = re.compile(r"\+[1-9]\d{6,14}")

MAX_ITEMS = 50
MAX_QUANTITY = 999
MAX_PRODUCTION_DAYS = 365
MAX_TRANSIT_DAYS = 120
MAX_TRACKING_URL = 500

#: How far an event's own time may be ahead of the moment intake receives it (clocks differ a little).
CLOCK_SKEW = timedelta(minutes=5)
#: An order is reported within this long of being placed (placedAt at most this much before the event time).
PLACED_AT_MAX_AGE = timedelta(days=30)
#: Production and carrier estimates lie at most this far after the event that gives them.
ESTIMATE_HORIZON = timedelta(days=730)
#: An event arriving at intake more than this long after its own time is rejected (EventBridge retries for at
#: most 24 hours; an older event is a replay that must be done deliberately, not stale news).
EVENT_MAX_AGE = timedelta(days=30)

#: Per date field (wire name): how long before, and how long after, the event's own time it may lie
#: (``None``: no bound relative to the event; those are bounded by the order's placedAt in intake instead).
EVENT_TIME_WINDOWS: dict[str, tuple[timedelta | None, timedelta]] = {
    "placedAt": (PLACED_AT_MAX_AGE, CLOCK_SKEW),
    "completedAt": (None, CLOCK_SKEW),
    "deliveredAt": (None, CLOCK_SKEW),
    "estimatedCompletion": (None, ESTIMATE_HORIZON),
    "estimatedDelivery": (None, ESTIMATE_HORIZON),
}

#: Internal events: only the internal source may send them, and it sends nothing else.
TIMER_SOURCE = "outreach.timer"
TIMER_DETAIL_TYPE = "Timer Due"
REPLY_DUE_DETAIL_TYPE = "Reply Due"
OFFER_DUE_DETAIL_TYPE = "Design Advice Due"
#: Intake's own hand-over of a sku-wide delay it could not finish within one invocation (``SkuDelayContinued``).
SKU_DELAY_CONTINUED_DETAIL_TYPE = "Sku Delay Continued"
INTERNAL_SOURCES = frozenset({TIMER_SOURCE})
INTERNAL_DETAIL_TYPES = frozenset(
    {TIMER_DETAIL_TYPE, REPLY_DUE_DETAIL_TYPE, OFFER_DUE_DETAIL_TYPE, SKU_DELAY_CONTINUED_DETAIL_TYPE}
)
#: The customer action endpoint's source: it sends only what a signed link can ask for (others, e.g. the shop's
#: own systems, may send these detail-types too).
ACTIONS_SOURCE = "outreach.actions"
ACTION_DETAIL_TYPES = frozenset(
    {"Feedback Received", "Address Confirmed", "Address Change Requested", "Unsubscribed", "Callback Requested"}
)

#: Validation context for data this system stored itself (the order's STATE item, a catalog request): it was
#: judged when it arrived, so only its types are checked again, not the bounds, which may have been wider then.
#: An order accepted before a bound was tightened stays readable for the rest of its timeline.
STORED: dict[str, Any] = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("stored"))


# Characters no field may hold: C0/C1 controls (line breaks and tabs only in multi-line text), lone surrogates
# (they cannot be stored as UTF-8) and the bidi overrides used to disguise text.
# The controls (Unicode category Cc: U+0000-U+001F, U+007F-U+009F) and surrogates (Cs: U+D800-U+DFFF) are fixed
# ranges (Unicode's stability policy), so one regular expression finds the first of them (a test holds it to
# unicodedata for every code point).
_BIDI = "\u202a-\u202e\u2066-\u2069"
_FORBIDDEN = {
    False: re.compile(f"[\x00-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]"),
    True: re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff{_BIDI}]"),  # \t \n \r allowed
}


def _forbidden_character(text: str, multiline: bool) -> str | None:
    found = _FORBIDDEN[multiline].search(text)
    return found.group() if found is not None else None


@dataclass(frozen=True)
class Text:
    """A string field's rule, used as ``Annotated[str, Text(100)]``: strict type (no numbers), stripped unless
    ``strip=False``, never blank, at most ``max_length`` characters, no control characters (line breaks only
    when ``multiline``), and, with ``pattern``, matching it in full (``hint`` says what is expected)."""

    max_length: int
    multiline: bool = False
    strip: bool = True
    pattern: str | None = None
    hint: str | None = None

    def validate(self, value: str, info: ValidationInfo) -> str:
        if _stored(info):
            return value
        text = value.strip() if self.strip else value
        if not text.strip():
            raise PydanticCustomError("blank", "must not be blank")
        if len(text) > self.max_length:
            raise PydanticCustomError(
                "text_too_long",
                "must be at most {max_length} characters, got {length}",
                {"max_length": self.max_length, "length": len(text)},
            )
        bad = _forbidden_character(text, self.multiline)
        if bad is not None:
            raise PydanticCustomError(
                "forbidden_character", "must not contain the control character U+{code}", {"code": f"{ord(bad):04X}"}
            )
        if self.pattern is not None and not re.fullmatch(self.pattern, text):
            raise PydanticCustomError("invalid_text", self.hint or "must match {pattern}", {"pattern": self.pattern})
        return text

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self.validate, core_schema.str_schema(strict=True))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minLength=1, maxLength=self.max_length)
        if self.pattern is not None:
            json_schema["pattern"] = f"^{self.pattern}$"
        return json_schema


@dataclass(frozen=True)
class Range:
    """An integer field's rule, used as ``Annotated[int, Range(1, 365)]``: a JSON integer (no ``"14"``, no
    ``true``, no ``14.0``) from ``ge`` to ``le``."""

    ge: int
    le: int

    def validate(self, value: int, info: ValidationInfo) -> int:
        if _stored(info):
            return value
        if value < self.ge:
            raise PydanticKnownError("greater_than_equal", {"ge": self.ge})
        if value > self.le:
            raise PydanticKnownError("less_than_equal", {"le": self.le})
        return value

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.with_info_after_validator_function(self.validate, core_schema.int_schema(strict=True))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minimum=self.ge, maximum=self.le)
        return json_schema


def _at_most(limit: int, value: list[Any], info: ValidationInfo) -> list[Any]:
    if not _stored(info) and len(value) > limit:
        raise PydanticKnownError("too_long", {"field_type": "List", "max_length": limit, "actual_length": len(value)})
    return value


def _blank_is_absent(value: Any) -> Any:
    """An optional text field that is blank after stripping counts as not given."""
    return None if isinstance(value, str) and not value.strip() else value


_IDENTIFIER_HINT = (
    "must be 1 to 64 characters: letters A-Z a-z, digits and . _ : / # -, starting with a letter or digit"
)
Identifier = Annotated[str, Text(64, strip=False, pattern=IDENTIFIER_PATTERN, hint=_IDENTIFIER_HINT)]
ShortText = Annotated[str, Text(100)]
Reason = Annotated[Annotated[str, Text(200)] | None, BeforeValidator(_blank_is_absent)]
OptionalLine = Annotated[Annotated[str, Text(100)] | None, BeforeValidator(_blank_is_absent)]

# --- dates: ISO 8601 text only ----------------------------------------------------------------------------------

_ISO_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|z|[+-]\d\d:?\d\d)")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")
_TIMESTAMP_HINT = "must be an ISO 8601 timestamp with offset, like 2026-11-02T10:00:00+01:00"


def _iso_timestamp(value: Any) -> Any:
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_TIMESTAMP.fullmatch(value)):
        return value
    raise PydanticCustomError("iso_timestamp", _TIMESTAMP_HINT)


def _iso_timestamp_or_date(value: Any) -> Any:
    if isinstance(value, date) or (
        isinstance(value, str) and (_ISO_DATE.fullmatch(value) or _ISO_TIMESTAMP.fullmatch(value))
    ):
        return value
    raise PydanticCustomError("iso_timestamp_or_date", _TIMESTAMP_HINT + ", or a date like 2026-11-20")


Instant = Annotated[AwareDatetime, BeforeValidator(_iso_timestamp)]
InstantOrDate = Annotated[AwareDatetime | date, BeforeValidator(_iso_timestamp_or_date)]


def check_event_time(field: str, value: datetime | date, event_time: datetime) -> None:
    """The event-time plausibility rule of one date field (``EVENT_TIME_WINDOWS``); raises with the bound broken.

    A plain date is compared by calendar day (UTC), so it may be any time of the allowed first or last day.
    """
    window = EVENT_TIME_WINDOWS.get(field)
    if window is None:
        return
    before, after = window
    event_time = event_time.astimezone(UTC)
    if isinstance(value, datetime):
        earliest = event_time - before if before is not None else None
        latest = event_time + after
        too_early = earliest is not None and value < earliest
        too_late = value > latest
    else:
        too_early = before is not None and value < (event_time - before).date()
        too_late = value > (event_time + after).date()
    if too_late:
        raise PydanticCustomError(
            "date_too_late",
            "must not be more than {after} after the event's time {event_time}",
            {"after": _span(after), "event_time": _iso(event_time)},
        )
    if too_early and before is not None:
        raise PydanticCustomError(
            "date_too_early",
            "must not be more than {before} before the event's time {event_time}",
            {"before": _span(before), "event_time": _iso(event_time)},
        )


def _span(delta: timedelta) -> str:
    if delta.days and not delta.seconds:
        return f"{delta.days} days"
    return f"{int(delta.total_seconds() // 60)} minutes"


def _iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- the detail models ------------------------------------------------------------------------------------------


class Detail(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @field_validator("*")
    @classmethod
    def _plausible_in_time(cls, value: Any, info: ValidationInfo) -> Any:
        """With the validation context ``{"eventTime": t}``, every date field is checked against ``t``."""
        event_time = (info.context or {}).get("eventTime") if isinstance(info.context, dict) else None
        if event_time is not None and info.field_name is not None and isinstance(value, date):
            field = cls.model_fields[info.field_name]
            check_event_time(field.alias or info.field_name, value, event_time)
        return value


class Customer(Detail):
    name: ShortText
    email: Annotated[str, Text(254, strip=False)]
    phone: str | None = Field(default=None, description="E.164, like +4915112345678")
    locale: (
        Annotated[
            str,
            Text(35, strip=False, pattern=LOCALE_PATTERN, hint="must be a BCP 47 language tag like 'en' or 'en-GB'"),
        ]
        | None
    ) = None
    timezone: Annotated[
        str, Text(64, strip=False, pattern=TIMEZONE_PATTERN, hint="must be an IANA time zone like 'Europe/Berlin'")
    ] = "UTC"
    channels: list[Literal["email", "sms"]] = Field(
        default=["email"], min_length=1, json_schema_extra={"maxItems": 2, "uniqueItems": True}
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: str, info: ValidationInfo) -> str:
        if _stored(info):
            return value
        # Imported on first use: compiling its grammar costs ~40 ms a handler's import need not pay.
        from email_validator import EmailNotValidError, validate_email

        try:
            checked = validate_email(value, check_deliverability=False, allow_smtputf8=False, strict=True)
        except EmailNotValidError as exc:
            raise PydanticCustomError(
                "email", "is not an e-mail address SES can deliver to: {why}", {"why": str(exc)}
            ) from None
        return checked.ascii_email or checked.normalized

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: Any) -> str | None:
        if value is not None and not (isinstance(value, str) and E164_RE.fullmatch(value)):
            raise PydanticCustomError("e164", "must be an E.164 phone number like +4915112345678")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            # OSError: a region like "Europe" is a directory in the tzdata package.
            raise PydanticCustomError("time_zone", "unknown IANA time zone '{zone}'", {"zone": value}) from exc
        return value

    @field_validator("channels")
    @classmethod
    def _two_channels_at_most(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        repeated = sorted({channel for channel in value if value.count(channel) > 1})
        if repeated and not _stored(info):
            raise PydanticCustomError("repeated_channel", "'{channel}' is given twice", {"channel": repeated[0]})
        return _at_most(2, value, info)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wants_sms(self) -> bool:
        return "sms" in self.channels and self.phone is not None


class Item(Detail):
    sku: Identifier
    description: Annotated[str, Text(120)]
    quantity: Annotated[int, Range(1, MAX_QUANTITY)]


class Address(Detail):
    line1: ShortText
    line2: OptionalLine = None
    city: ShortText
    postal_code: Annotated[
        str,
        Text(16, pattern=POSTAL_CODE_PATTERN, hint="must be 1 to 16 letters, digits, spaces and hyphens"),
    ] = Field(alias="postalCode")
    country: Annotated[str, Text(64)]


class OrderPlaced(Detail):
    order_id: Identifier = Field(alias="orderId")
    placed_at: Instant = Field(alias="placedAt")
    customer: Customer
    items: list[Item] = Field(min_length=1, json_schema_extra={"maxItems": MAX_ITEMS})
    production_days: Annotated[int, Range(1, MAX_PRODUCTION_DAYS)] = Field(alias="productionDays")
    transit_days: Annotated[int, Range(0, MAX_TRANSIT_DAYS)] | None = Field(default=None, alias="transitDays")
    shipping_address: Address = Field(alias="shippingAddress")

    @field_validator("items")
    @classmethod
    def _not_too_many_items(cls, value: list[Any], info: ValidationInfo) -> list[Any]:
        return _at_most(MAX_ITEMS, value, info)


class ProductionDelayed(Detail):
    order_id: Identifier | None = Field(default=None, alias="orderId")
    sku: Identifier | None = None
    estimated_completion: InstantOrDate = Field(alias="estimatedCompletion")
    reason: Reason = None

    @model_validator(mode="after")
    def _order_or_sku(self) -> ProductionDelayed:
        if not self.order_id and not self.sku:
            raise PydanticCustomError("order_or_sku", "one of orderId or sku is required")
        return self


class ProductionCompleted(Detail):
    order_id: Identifier = Field(alias="orderId")
    completed_at: Instant | None = Field(default=None, alias="completedAt")


class OrderShipped(Detail):
    order_id: Identifier = Field(alias="orderId")
    carrier: Annotated[
        str,
        Text(
            64, pattern=CARRIER_PATTERN, hint="must be a carrier's name: letters, digits, spaces and . , & ' ( ) / + -"
        ),
    ]
    tracking_number: Identifier = Field(alias="trackingNumber")
    tracking_url: Annotated[str, Text(MAX_TRACKING_URL)] | None = Field(default=None, alias="trackingUrl")
    estimated_delivery: InstantOrDate | None = Field(default=None, alias="estimatedDelivery")
    delivery_details: Annotated[
        Annotated[str, Text(1000, multiline=True)] | None, BeforeValidator(_blank_is_absent)
    ] = Field(default=None, alias="deliveryDetails")

    @field_validator("tracking_url")
    @classmethod
    def _web_link(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or _stored(info):
            return value
        try:
            url = _HTTP_URL.validate_python(value)
        except ValidationError:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host or any(c.isspace() for c in value):
            raise PydanticCustomError("http_url", "must be an http:// or https:// link to the carrier's tracking page")
        return value


_HTTP_URL = TypeAdapter(AnyHttpUrl)


class OrderDelivered(Detail):
    order_id: Identifier = Field(alias="orderId")
    delivered_at: Instant | None = Field(default=None, alias="deliveredAt")


class OrderCancelled(Detail):
    order_id: Identifier = Field(alias="orderId")
    reason: Reason = None


class CatalogRequested(Detail):
    request_id: Identifier = Field(alias="requestId")
    customer: Customer
    postal_address: Address | None = Field(default=None, alias="postalAddress")


class FeedbackReceived(Detail):
    order_id: Identifier = Field(alias="orderId")
    rating: Annotated[int, Range(1, 5)]
    comment: Annotated[Annotated[str, Text(2000, multiline=True)] | None, BeforeValidator(_blank_is_absent)] = None


class AddressConfirmed(Detail):
    """The customer confirmed the delivery address (a signed link of the production update)."""

    order_id: Identifier = Field(alias="orderId")


class AddressChangeRequested(Detail):
    """The customer gave a new delivery address (a signed link of the production update, then a form)."""

    order_id: Identifier = Field(alias="orderId")
    new_address: Address = Field(alias="newAddress")
    note: Reason = None


class Unsubscribed(Detail):
    """The customer wants no more marketing-type contacts (design advice offers, referral asks).

    One of orderId or requestId: whose e-mail address goes on the opt-out list."""

    order_id: Identifier | None = Field(default=None, alias="orderId")
    request_id: Identifier | None = Field(default=None, alias="requestId")

    @model_validator(mode="after")
    def _order_or_request(self) -> Unsubscribed:
        if (self.order_id is None) == (self.request_id is None):
            raise PydanticCustomError("order_or_request", "exactly one of orderId or requestId is required")
        return self


class CallbackRequested(Detail):
    """The customer asked to be called ("please call me"). One of orderId or requestId."""

    order_id: Identifier | None = Field(default=None, alias="orderId")
    request_id: Identifier | None = Field(default=None, alias="requestId")
    note: Reason = None

    @model_validator(mode="after")
    def _order_or_request(self) -> CallbackRequested:
        if (self.order_id is None) == (self.request_id is None):
            raise PydanticCustomError("order_or_request", "exactly one of orderId or requestId is required")
        return self


MessageText = Annotated[str, Text(5000, multiline=True)]


class CustomerMessageReceived(Detail):
    """A customer wrote to us (the shop's help desk, or SES inbound). About an order, a catalog request, or
    neither (then ``customer`` says who: a customer without an order still gets an answer)."""

    message_id: Identifier = Field(alias="messageId")
    order_id: Identifier | None = Field(default=None, alias="orderId")
    request_id: Identifier | None = Field(default=None, alias="requestId")
    customer: Customer | None = None
    channel: Literal["email", "helpdesk", "phone"] = "email"
    subject: Annotated[Annotated[str, Text(200)] | None, BeforeValidator(_blank_is_absent)] = None
    text: MessageText

    @model_validator(mode="after")
    def _whose(self) -> CustomerMessageReceived:
        if self.order_id is None and self.request_id is None and self.customer is None:
            raise PydanticCustomError("whose_message", "one of orderId, requestId or customer is required")
        return self


class CustomerMessageAnswered(Detail):
    """Someone answered the customer's message (the help desk closes the SLA clock)."""

    message_id: Identifier = Field(alias="messageId")
    answered_by: Annotated[Annotated[str, Text(100)] | None, BeforeValidator(_blank_is_absent)] = Field(
        default=None, alias="answeredBy"
    )


class TimerDue(Detail):
    """Internal: a one-time wake-up timer of an order's timeline fired (source ``outreach.timer``)."""

    order_id: Identifier = Field(alias="orderId")
    due_at: Instant = Field(alias="dueAt")


def timer_key(due_at: datetime) -> str:
    """How an armed timer's time is recorded on the order (and matched when it fires)."""
    return due_at.astimezone(UTC).isoformat()


class ReplyDue(Detail):
    """Internal: the reply SLA of a customer message ran out (source ``outreach.timer``)."""

    message_id: Identifier = Field(alias="messageId")
    due_at: Instant = Field(alias="dueAt")


class DesignAdviceDue(Detail):
    """Internal: a catalog request's design-advice offer is due (source ``outreach.timer``)."""

    request_id: Identifier = Field(alias="requestId")
    due_at: Instant = Field(alias="dueAt")


class SkuDelayContinued(Detail):
    """Internal: the rest of a sku-wide ``Production Delayed`` (source ``outreach.timer``, put on the bus by intake
    itself when its time ran short). It carries the original event, not the orders left: those are the sku's open
    orders after ``after`` (order ids in sort order, the sku index's own order), read again when it arrives."""

    event_id: Annotated[
        str, Text(128, strip=False, pattern=EVENT_ID_PATTERN, hint="must be an EventBridge event id")
    ] = Field(alias="eventId")
    sku: Identifier
    estimated_completion: InstantOrDate = Field(alias="estimatedCompletion")
    reason: Reason = None
    #: The original event's own time, and when intake received it (orders registered later are not part of it).
    event_time: Instant = Field(alias="eventTime")
    received_at: Instant = Field(alias="receivedAt")
    #: The last order id done: the next slice goes on with the ids sorting after it.
    after: Identifier
    #: How many open orders the slices before reached (the batch report's count when the last slice closes it).
    reached: int = Field(default=0, ge=0, le=10_000_000)

    def delay(self) -> ProductionDelayed:
        """The original event's detail, as intake stored it in every order's inbox."""
        return ProductionDelayed.model_validate(
            {"sku": self.sku, "estimatedCompletion": self.estimated_completion, "reason": self.reason}
        )


OrderEventDetail = (
    OrderPlaced
    | ProductionDelayed
    | ProductionCompleted
    | OrderShipped
    | OrderDelivered
    | OrderCancelled
    | FeedbackReceived
    | AddressConfirmed
    | AddressChangeRequested
    | Unsubscribed
    | CallbackRequested
    | TimerDue
)

DETAIL_TYPES: dict[str, type[Detail]] = {
    "Order Placed": OrderPlaced,
    "Production Delayed": ProductionDelayed,
    "Production Completed": ProductionCompleted,
    "Order Shipped": OrderShipped,
    "Order Delivered": OrderDelivered,
    "Order Cancelled": OrderCancelled,
    "Catalog Requested": CatalogRequested,
    "Feedback Received": FeedbackReceived,
    "Address Confirmed": AddressConfirmed,
    "Address Change Requested": AddressChangeRequested,
    "Unsubscribed": Unsubscribed,
    "Callback Requested": CallbackRequested,
    "Customer Message Received": CustomerMessageReceived,
    "Customer Message Answered": CustomerMessageAnswered,
    TIMER_DETAIL_TYPE: TimerDue,
    REPLY_DUE_DETAIL_TYPE: ReplyDue,
    OFFER_DUE_DETAIL_TYPE: DesignAdviceDue,
    SKU_DELAY_CONTINUED_DETAIL_TYPE: SkuDelayContinued,
}
#: Each model's detail-type (what an event intake builds itself is stored as).
DETAIL_TYPE_OF: dict[type[Detail], str] = {model: name for name, model in DETAIL_TYPES.items()}


#: Events intake serves itself, outside any order's timeline (they also concern customers without an order, or
#: orders whose timeline has ended): the catalog request, opt-outs, callbacks and customer conversations.
OUTSIDE_TIMELINE = frozenset(
    {
        "Catalog Requested",
        "Unsubscribed",
        "Callback Requested",
        "Customer Message Received",
        "Customer Message Answered",
        REPLY_DUE_DETAIL_TYPE,
        OFFER_DUE_DETAIL_TYPE,
        SKU_DELAY_CONTINUED_DETAIL_TYPE,  # intake's own: the orders it reaches get the original Production Delayed
    }
)


class UnknownDetailType(ValueError):
    pass


class WrongSource(ValueError):
    """An internal detail-type from outside, or anything but an internal detail-type from the internal source."""


def parse_detail(detail_type: str, detail: object, event_time: datetime | None = None) -> Detail:
    """Validate an event detail against its detail-type's model (raises UnknownDetailType / ValidationError).

    With ``event_time`` (the event's own time), the dates are also checked against it (``EVENT_TIME_WINDOWS``).
    """
    model = DETAIL_TYPES.get(detail_type)
    if model is None:
        known = ", ".join(sorted(DETAIL_TYPES))
        raise UnknownDetailType(f"detail-type: unknown detail-type {detail_type!r} (known: {known})")
    context = {"eventTime": event_time} if event_time is not None else None
    return model.model_validate(detail, context=context)


def check_source(detail_type: str, source: str) -> None:
    """Internal detail-types only from the internal source, and the internal source sends only those."""
    internal_type = detail_type in INTERNAL_DETAIL_TYPES
    internal_source = source in INTERNAL_SOURCES
    if internal_type and not internal_source:
        raise WrongSource(
            f"source: {detail_type!r} is an internal event, only {TIMER_SOURCE!r} sends it, not {source!r}"
        )
    if internal_source and not internal_type:
        raise WrongSource(
            f"source: {source!r} is internal and sends only {sorted(INTERNAL_DETAIL_TYPES)}, not {detail_type!r}"
        )
    if source == ACTIONS_SOURCE and detail_type not in ACTION_DETAIL_TYPES:
        raise WrongSource(f"source: {source!r} sends only {sorted(ACTION_DETAIL_TYPES)}, not {detail_type!r}")


# --- the EventBridge envelope -----------------------------------------------------------------------------------


class EventEnvelope(BaseModel):
    """The EventBridge event around a detail, as intake receives it (other envelope fields are ignored)."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    id: Annotated[str, Text(128, strip=False, pattern=EVENT_ID_PATTERN, hint="must be an EventBridge event id")]
    detail_type: Annotated[str, Text(128, strip=False)] = Field(alias="detail-type")
    source: Annotated[str, Text(256, strip=False, pattern=SOURCE_PATTERN, hint="must be an EventBridge source")]
    time: Instant | None = None
    detail: dict[str, Any] = Field(description="the detail-type's detail: a JSON object")

    @field_validator("detail", mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            raise PydanticCustomError("detail_object", "must be a JSON object, got {kind}", {"kind": _json_kind(value)})
        return value


def _json_kind(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "an array"}.get(
        type(value), type(value).__name__
    )


def parse_envelope(raw: Any) -> EventEnvelope:
    """The envelope of an invocation; a non-object invocation is one ValueError naming ``detail``."""
    if not isinstance(raw, dict):
        raise ValueError(
            f"(event): must be a JSON object (an EventBridge event with id, detail-type, source, time and detail), "
            f"got {_json_kind(raw)}"
        )
    return EventEnvelope.model_validate(raw)


def check_received(event_time: datetime, now: datetime) -> None:
    """An event's own time: not ahead of its arrival (beyond clock skew), not older than ``EVENT_MAX_AGE``."""
    if event_time > now + CLOCK_SKEW:
        raise ValueError(f"time: {_iso(event_time)} is more than {_span(CLOCK_SKEW)} after it arrived ({_iso(now)})")
    if event_time < now - EVENT_MAX_AGE:
        raise ValueError(
            f"time: {_iso(event_time)} is more than {_span(EVENT_MAX_AGE)} before it arrived ({_iso(now)})"
        )


# --- checks that need the order -----------------------------------------------------------------------------------

_AFTER_PLACEMENT = {
    ProductionCompleted: ("completed_at", "completedAt"),
    OrderDelivered: ("delivered_at", "deliveredAt"),
    ProductionDelayed: ("estimated_completion", "estimatedCompletion"),
    OrderShipped: ("estimated_delivery", "estimatedDelivery"),
}


def _placement_dated(detail: Detail) -> tuple[datetime | date, str] | None:
    """The detail's date that must not be before the order was placed, with its wire name; None: it has none."""
    names = _AFTER_PLACEMENT.get(type(detail))
    if names is None:
        return None
    attribute, wire_name = names
    value = getattr(detail, attribute)
    return None if value is None else (value, wire_name)


def dated_after_placement(detail: Detail) -> bool:
    """The detail carries a date that must not be before the order was placed (``placement_problem``): judging
    it needs the order's placedAt before the event is stored."""
    return _placement_dated(detail) is not None


def placement_problem(detail: Detail, placed_at: datetime) -> str | None:
    """A completion, delivery or estimate before the order was placed: ``"completedAt: ..."``, else None.

    ``placed_at`` is the order's placedAt in the customer's zone: a plain date is compared with its local date.
    """
    dated = _placement_dated(detail)
    if dated is None:
        return None
    value, wire_name = dated
    before = value < placed_at if isinstance(value, datetime) else value < placed_at.date()
    if before:
        return f"{wire_name}: must not be before the order was placed ({placed_at.isoformat()})"
    return None


def fingerprint(detail: Detail) -> str:
    """sha256 of the validated detail's canonical JSON (sorted keys, instants in UTC): equal for the same
    content however it was spelled (key order, defaults given or not, offsets, surrounding spaces)."""
    return hashlib.sha256(json.dumps(_canonical(detail.model_dump()), sort_keys=True).encode()).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def as_datetime(value: datetime | date, zone: ZoneInfo) -> datetime:
    """A date-only value means the start of that day in the customer's zone."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=zone)
