"""The customer action endpoint: a click on a signed link becomes one order event on the bus, once.

- GET never acts (mail scanners and link previews fetch links): it verifies the link and shows what the click
  will do, with a form that POSTs back to the same URL (a change of address asks for the new address there).
- POST verifies the link again, checks the form, claims the link's one use (a conditional put keyed by the
  link id), then puts the event on the bus (source ``outreach.actions``); a link already used answers "we
  already have this" and puts nothing; a failed put releases the claim, so the next click works.
- A link that is not ours, altered or expired gets one friendly page, the same for every reason, and nothing
  else: the endpoint never looks up an order, so it cannot reveal whether one exists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import ValidationError

from outreach_lambda.domain.events import parse_detail
from outreach_lambda.domain.links import Action, LinkClaims, LinkKeys, LinkRefused, link_id, verify
from outreach_lambda.observability import logger, metrics
from outreach_lambda.pages.copy import choose_language
from outreach_lambda.ports import LinkUses, OrderEvents

#: The event each action puts on the bus.
DETAIL_TYPE: dict[Action, str] = {
    Action.RATE: "Feedback Received",
    Action.CONFIRM_ADDRESS: "Address Confirmed",
    Action.CHANGE_ADDRESS: "Address Change Requested",
    Action.UNSUBSCRIBE: "Unsubscribed",
    Action.CALLBACK: "Callback Requested",
}


@dataclass(frozen=True)
class FormField:
    name: str
    max: int
    required: bool = False
    multiline: bool = False
    autocomplete: str | None = None


_ADDRESS_FIELDS = ("line1", "line2", "city", "postalCode", "country")
#: The form fields each action's confirm page asks for (all optional but a new address's).
FORMS: dict[Action, tuple[FormField, ...]] = {
    Action.RATE: (FormField("comment", 2000, multiline=True),),
    Action.CONFIRM_ADDRESS: (),
    Action.CHANGE_ADDRESS: (
        FormField("line1", 100, required=True, autocomplete="address-line1"),
        FormField("line2", 100, autocomplete="address-line2"),
        FormField("postalCode", 16, required=True, autocomplete="postal-code"),
        FormField("city", 100, required=True, autocomplete="address-level2"),
        FormField("country", 64, required=True, autocomplete="country-name"),
        FormField("note", 200),
    ),
    Action.UNSUBSCRIBE: (),
    Action.CALLBACK: (FormField("note", 200),),
}

PageKind = Literal["confirm", "done", "already", "invalid", "unavailable"]


@dataclass(frozen=True)
class Page:
    """What to answer: a page kind in a language, its HTTP status, and what the page shows."""

    kind: PageKind
    status: int
    lang: str
    action: Action | None = None
    rating: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, error type: "blank", "text_too_long" ...)


@dataclass(frozen=True)
class CustomerActions:
    keys: LinkKeys
    uses: LinkUses
    bus: OrderEvents

    def show(self, token: str, now: datetime, languages: list[str]) -> Page:
        """GET: the confirm page of a valid link (nothing happens), or the friendly invalid-link page."""
        claims = self._verified(token, now, languages)
        if claims is None:
            return Page("invalid", 404, choose_language(*languages))
        return Page("confirm", 200, choose_language(claims.lang), claims.action, claims.argument)

    def act(self, token: str, form: dict[str, str], now: datetime, languages: list[str]) -> Page:
        """POST: the click's event on the bus, once per link."""
        claims = self._verified(token, now, languages)
        if claims is None:
            return Page("invalid", 404, choose_language(*languages))
        lang = choose_language(claims.lang)
        values = {f.name: form.get(f.name, "")[: f.max] for f in FORMS[claims.action]}
        detail_type = DETAIL_TYPE[claims.action]
        detail = event_detail(claims, values)
        try:
            parse_detail(detail_type, detail)
        except ValidationError as exc:
            errors = [(_form_field(err["loc"]), str(err["type"])) for err in exc.errors()]
            return Page("confirm", 400, lang, claims.action, claims.argument, values, errors)
        used = link_id(token)
        if not self.uses.claim(used, claims.action.value, now):
            logger.info("link already used", extra={"action": claims.action.value, "linkId": used})
            metrics.add_metric(name="ActionLinksReused", unit="Count", value=1)
            return Page("already", 200, lang, claims.action)
        try:
            self.bus.put(detail_type, detail)
        except Exception:
            logger.exception("could not put the action's event on the bus", extra={"action": claims.action.value})
            self._settle(self.uses.release, used, claims, now)
            return Page("unavailable", 503, lang, claims.action)
        self._settle(self.uses.done, used, claims, now)
        logger.info("customer action", extra={"action": claims.action.value, "linkId": used, "ref": claims.ref})
        metrics.add_metric(name=f"Action_{claims.action.value}", unit="Count", value=1)
        return Page("done", 200, lang, claims.action, claims.argument)

    @staticmethod
    def _settle(mark: Callable[[str, str, datetime], None], used: str, claims: LinkClaims, now: datetime) -> None:
        """Best effort: a claim left ``claimed`` becomes claimable again once stale (adapters/actions.py)."""
        try:
            mark(used, claims.action.value, now)
        except Exception:
            logger.exception("could not record the link's use", extra={"action": claims.action.value, "linkId": used})

    def _verified(self, token: str, now: datetime, languages: list[str]) -> LinkClaims | None:
        try:
            return verify(token, self.keys, now)
        except LinkRefused as refused:
            # The reason class only (never the token): "signature", "expired", ...
            logger.info("link refused", extra={"why": refused.why})
            metrics.add_metric(name="ActionLinksRefused", unit="Count", value=1)
            return None


def event_detail(claims: LinkClaims, values: dict[str, str]) -> dict[str, Any]:
    """The order event a verified click (and its form) asks for."""
    owner = {"orderId": claims.ref} if claims.scope == "order" else {"requestId": claims.ref}
    extra: dict[str, Any] = {}
    if claims.action is Action.RATE:
        extra = {"rating": claims.argument, **({"comment": values["comment"]} if values.get("comment") else {})}
    elif claims.action is Action.CHANGE_ADDRESS:
        address = {name: values.get(name, "") for name in _ADDRESS_FIELDS}
        if not address["line2"].strip():
            del address["line2"]
        extra = {"newAddress": address, **({"note": values["note"]} if values.get("note", "").strip() else {})}
    elif claims.action is Action.CALLBACK and values.get("note", "").strip():
        extra = {"note": values["note"]}
    return {**owner, **extra}


def _form_field(loc: tuple[int | str, ...]) -> str:
    """The form field a validation error is about: ``("newAddress", "city")`` -> ``city``."""
    names = [str(part) for part in loc]
    for name in reversed(names):
        if name in _ADDRESS_FIELDS or name in ("note", "comment"):
            return name
    return names[-1] if names else "form"
