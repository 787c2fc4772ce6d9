"""Signed, expiring one-click links: what a customer's click may ask for, and how it is proven to be ours.

A link token (the last segment of the link's path) is four dot-separated parts, all URL-safe::

    v1.<keyId>.<payload>.<signature>

- ``v1``: the format version; anything else is refused.
- ``keyId``: which key of the link key set signed it (``k1``, ``k2`` ...), so the key can be rotated: a new key
  signs new links while the old one still verifies the links already sent, until it is removed from the set.
- ``payload``: base64url (no padding) of compact JSON ``{"a": action, "r": ref, "s": scope, "v": argument,
  "e": expiry (Unix seconds), "l": language}``.
- ``signature``: base64url of HMAC-SHA256(key, ``"v1.<keyId>.<payload>"``): the version, the key id and every
  byte of the payload are covered; it is compared in constant time (``hmac.compare_digest``).

Why this is safe: without the key nobody can make a signature for a payload (HMAC-SHA256 is a PRF), so a link
cannot be forged, altered (another order, rating, action, expiry or language) or extended; the payload names no
customer data but the order or request id it is about. A refused token yields only "this link does not work"
(``LinkRefused``), the same for every reason, so a guessed or tampered link learns nothing, also not whether an
order exists (the endpoint never looks one up before the signature holds). Expiry bounds a leaked link's life;
a link acts once (the endpoint's conditional put keyed by ``link_id``), and a GET never acts.

Pure: keys come in as ``LinkKeys`` (read from Secrets Manager once per cold start by the adapter), time as
an argument.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from outreach_lambda.domain.events import IDENTIFIER_PATTERN, LOCALE_PATTERN

VERSION: Final = "v1"
KEY_ID_PATTERN: Final = r"k[0-9]{1,6}"
#: A token is at most this long (a link in an e-mail stays well under the 2,000 characters browsers take).
MAX_TOKEN_LENGTH: Final = 600
#: Keys shorter than this are refused (HMAC-SHA256's key should be at least its output size).
MIN_KEY_BYTES: Final = 32


class Action(StrEnum):
    """What a click asks for; each becomes one order event on the bus (``services/actions.py``)."""

    RATE = "rate"  # Feedback Received, with the rating 1-5 as the argument
    CONFIRM_ADDRESS = "confirm_address"  # Address Confirmed
    CHANGE_ADDRESS = "change_address"  # Address Change Requested (the new address comes from the form)
    UNSUBSCRIBE = "unsubscribe"  # Unsubscribed
    CALLBACK = "callback"  # Callback Requested


#: Whose link it is: an order's (``ref`` = orderId) or a catalog request's (``ref`` = requestId).
Scope = Literal["order", "catalog"]


class LinkRefused(ValueError):
    """The token is not a valid, unexpired link of ours. Deliberately one message for every reason."""

    def __init__(self, why: str) -> None:
        super().__init__("this link is not valid or has expired")
        #: For tests and metrics only (a reason class, never the token): never shown to the visitor.
        self.why = why


class LinkClaims(BaseModel):
    """What a link says, once its signature holds."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="forbid")

    action: Action = Field(alias="a")
    ref: Annotated[str, Field(pattern=f"^{IDENTIFIER_PATTERN}$")] = Field(alias="r")
    scope: Scope = Field(default="order", alias="s")
    argument: int | None = Field(default=None, alias="v", strict=True)
    expires: int = Field(alias="e", strict=True, ge=0)
    lang: Annotated[str, Field(pattern=f"^{LOCALE_PATTERN}$", max_length=35)] = Field(default="en-US", alias="l")

    @model_validator(mode="after")
    def _argument_fits_action(self) -> LinkClaims:
        if self.action is Action.RATE:
            if self.argument is None or not 1 <= self.argument <= 5:
                raise ValueError("v: a rating link carries a rating from 1 to 5")
        elif self.argument is not None:
            raise ValueError(f"v: a {self.action.value} link carries no argument")
        if self.scope == "catalog" and self.action not in (Action.UNSUBSCRIBE, Action.CALLBACK):
            raise ValueError(f"a: a catalog request's link cannot {self.action.value}")
        return self

    @property
    def expires_at(self) -> datetime:
        return datetime.fromtimestamp(self.expires, UTC)


class LinkKeys(BaseModel):
    """The link key set, as stored in the secret: ``{"current": "k2", "k2": "<random>", "k1": "<random>"}``.

    ``current`` signs new links; every listed key verifies. Rotation (docs/contracts.md, "Signed links"): add a
    new key id, make it current, and remove the old one once every link it signed has expired."""

    model_config = ConfigDict(frozen=True)

    current: str
    keys: dict[str, bytes]

    @field_validator("current")
    @classmethod
    def _key_id(cls, value: str) -> str:
        if not re.fullmatch(KEY_ID_PATTERN, value):
            raise ValueError(f"current: a key id like 'k1', got {value!r}")
        return value

    @model_validator(mode="after")
    def _current_is_a_key(self) -> LinkKeys:
        if self.current not in self.keys:
            raise ValueError(f"current: key {self.current!r} is not in the key set")
        for key_id, key in self.keys.items():
            if not re.fullmatch(KEY_ID_PATTERN, key_id):
                raise ValueError(f"{key_id}: key ids are like 'k1'")
            if len(key) < MIN_KEY_BYTES:
                raise ValueError(f"{key_id}: a key must have at least {MIN_KEY_BYTES} bytes")
        return self

    @classmethod
    def from_secret(cls, text: str) -> LinkKeys:
        """Parse the secret's JSON. The error names fields, never a key's value."""
        try:
            raw = json.loads(text)
        except json.JSONDecodeError:
            raise ValueError("link key secret: not JSON") from None
        if not isinstance(raw, dict) or not isinstance(raw.get("current"), str):
            raise ValueError("link key secret: must be an object with 'current' and one entry per key id")
        keys = {k: v.encode() for k, v in raw.items() if k != "current" and isinstance(v, str)}
        try:
            return cls(current=raw["current"], keys=keys)
        except ValidationError as exc:
            problems = "; ".join(str(e["msg"]) for e in exc.errors())
            raise ValueError(f"link key secret: {problems}") from None

    def __repr__(self) -> str:  # never print a key
        return f"LinkKeys(current={self.current!r}, keys={sorted(self.keys)})"

    __str__ = __repr__


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        raise LinkRefused("encoding")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise LinkRefused("encoding") from None
    # Canonical only: a last character differing in the unused low bits would decode to the same bytes.
    if _b64(data) != text:
        raise LinkRefused("encoding")
    return data


def _mac(key: bytes, signed: str) -> bytes:
    return hmac.new(key, signed.encode("ascii"), hashlib.sha256).digest()


def sign(claims: LinkClaims, keys: LinkKeys) -> str:
    """The token of ``claims``, signed with the current key."""
    body = json.dumps(claims.model_dump(by_alias=True, exclude_none=True, mode="json"), separators=(",", ":"))
    signed = f"{VERSION}.{keys.current}.{_b64(body.encode())}"
    return f"{signed}.{_b64(_mac(keys.keys[keys.current], signed))}"


def verify(token: str, keys: LinkKeys, now: datetime) -> LinkClaims:
    """The claims of a token we signed that has not expired; ``LinkRefused`` for anything else."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        raise LinkRefused("shape")
    parts = token.split(".")
    if len(parts) != 4:
        raise LinkRefused("shape")
    version, key_id, payload, signature = parts
    if version != VERSION:
        raise LinkRefused("version")
    key = keys.keys.get(key_id)
    if key is None:
        raise LinkRefused("key")
    expected = _mac(key, f"{version}.{key_id}.{payload}")
    if not hmac.compare_digest(expected, _unb64(signature)):
        raise LinkRefused("signature")
    # Only now, with the signature proven, is the payload parsed at all.
    try:
        claims = LinkClaims.model_validate(json.loads(_unb64(payload)))
    except (ValueError, ValidationError):
        raise LinkRefused("payload") from None
    if now.timestamp() >= claims.expires:
        raise LinkRefused("expired")
    return claims


def link_id(token: str) -> str:
    """The id a click is made idempotent by: sha256 of the token (the token itself is never stored or logged)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()[:32]


def claims_for(
    action: Action,
    ref: str,
    now: datetime,
    validity: timedelta,
    *,
    scope: Scope = "order",
    argument: int | None = None,
    lang: str | None = None,
) -> LinkClaims:
    """The claims of a new link valid for ``validity`` from ``now`` (expiry rounded up to a whole day, UTC, so
    every link of one message expires at the same instant)."""
    end = now + validity
    day = end.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    expires = day + timedelta(days=1) if day < end else day
    data: dict[str, Any] = {"a": action, "r": ref, "s": scope, "e": int(expires.timestamp())}
    if argument is not None:
        data["v"] = argument
    if lang:
        data["l"] = lang
    return LinkClaims.model_validate(data)


#: The signed links each kind of message carries, by name (the name is what a template refers to).
LINKS_OF_KIND: Final[dict[str, tuple[tuple[str, Action, int | None], ...]]] = {
    "production_update": (
        ("confirmAddress", Action.CONFIRM_ADDRESS, None),
        ("changeAddress", Action.CHANGE_ADDRESS, None),
    ),
    "satisfaction_check": (
        *((f"rate{n}", Action.RATE, n) for n in range(1, 6)),
        ("callback", Action.CALLBACK, None),
        ("unsubscribe", Action.UNSUBSCRIBE, None),
    ),
    # Marketing-type contacts: each carries its way out (as every kind in rendering.NON_TRANSACTIONAL_KINDS).
    "catalog_follow_up": (("unsubscribe", Action.UNSUBSCRIBE, None),),
    "design_advice_offer": (("callback", Action.CALLBACK, None), ("unsubscribe", Action.UNSUBSCRIBE, None)),
}

#: The path of the action endpoint a token is appended to.
ACTION_PATH: Final = "/a/"


class ActionLinks(BaseModel):
    """Makes the signed links of messages: the endpoint's base URL, the key set and how long links work."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    base_url: str
    keys: LinkKeys
    validity: timedelta

    def for_message(
        self, kind: str, ref: str, now: datetime, *, scope: Scope = "order", lang: str | None = None
    ) -> dict[str, str]:
        return action_links(kind, ref, now, self, scope=scope, lang=lang)


def action_links(
    kind: str, ref: str, now: datetime, maker: ActionLinks, *, scope: Scope = "order", lang: str | None = None
) -> dict[str, str]:
    """The signed URLs a message of ``kind`` needs, by name (``{}`` for a kind that carries none)."""
    base = maker.base_url.rstrip("/")
    out: dict[str, str] = {}
    for name, action, argument in LINKS_OF_KIND.get(kind, ()):
        claims = claims_for(action, ref, now, maker.validity, scope=scope, argument=argument, lang=lang)
        out[name] = f"{base}{ACTION_PATH}{sign(claims, maker.keys)}"
    return out
