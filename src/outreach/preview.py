"""``outreach preview`` and ``outreach simulate --out``: every message as a customer sees it.

For each message: ``<name>.html`` (what a mail client shows), ``<name>.txt`` (subject and plain-text part),
``<name>.sms.txt`` (the SMS and its segment count), ``<name>.eml`` (the whole e-mail as sent, from a
simulation), and ``<name>.png``: a screenshot of the HTML at phone width, taken by headless Chromium from the
OS packages (``apt-get install chromium``). Without a browser everything but the PNG is written.
"""

from __future__ import annotations

import email
import email.policy
import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from outreach_lambda.domain import sms as sms_rules
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import parse_detail
from outreach_lambda.domain.links import ActionLinks, LinkKeys
from outreach_lambda.domain.model import ContactOrder, InboundEvent, OrderState, Quote, Shipment
from outreach_lambda.domain.rendering import (
    KINDS,
    Message,
    render,
    render_catalog_contact,
    render_message_acknowledgement,
)
from outreach_lambda.domain.timeline import advance

PHONE_WIDTH = 390
SCREEN_HEIGHT = 1800
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PLACED_AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
#: The sample messages' one-click links: signed with a key that exists only here, pointing at an example
#: endpoint (the real ones are signed with the deployment's key and point at its HTTP API).
SAMPLE_LINKS = ActionLinks(
    base_url="https://actions.shop.example",
    keys=LinkKeys(current="k1", keys={"k1": b"preview-only-key-not-a-secret-0123456789"}),
    validity=timedelta(days=60),
)

#: A sample customer per locale (invented people and places).
SAMPLE_CUSTOMERS: dict[str, dict[str, Any]] = {
    "en-US": {
        "customer": {"name": "Ada Lovelace", "timezone": "America/New_York"},
        "address": {"line1": "1200 Oak Street", "line2": "Apt 4B", "city": "Arlington", "postalCode": "22201"},
        "country": "US",
    },
    "en-GB": {
        "customer": {"name": "Ada Lovelace", "timezone": "Europe/London"},
        "address": {"line1": "12 Willow Lane", "city": "London", "postalCode": "SW1A 1AA"},
        "country": "GB",
    },
    "de-DE": {
        "customer": {"name": "Greta Schneider", "timezone": "Europe/Berlin"},
        "address": {"line1": "Hauptstraße 1", "line2": "Hinterhaus, 2. OG", "city": "Berlin", "postalCode": "10115"},
        "country": "DE",
    },
}
SAMPLE_ITEMS: dict[str, list[dict[str, Any]]] = {
    "de": [
        {"sku": "SOFA-3S-VELVET", "description": "Dreisitzer-Sofa, grüner Samt", "quantity": 1},
        {"sku": "CUSHION-LINEN", "description": "Kissen, Leinen natur", "quantity": 2},
    ],
    "en": [
        {"sku": "SOFA-3S-VELVET", "description": "Three-seat sofa, green velvet", "quantity": 1},
        {"sku": "CUSHION-LINEN", "description": "Scatter cushion, natural linen", "quantity": 2},
    ],
}


class PreviewError(ValueError):
    pass


@dataclass(frozen=True)
class Rendered:
    """One message to write: its file name stem and what it says."""

    name: str
    subject: str
    html: str
    text: str
    sms: str | None = None
    eml: bytes | None = None


def placed_detail(locale: str, order_id: str = "SO-1042") -> dict[str, Any]:
    sample = SAMPLE_CUSTOMERS.get(locale) or SAMPLE_CUSTOMERS["en-US"]
    customer = {
        **sample["customer"],
        "email": "customer@example.com",
        "phone": "+15550100123",
        "locale": locale,
        "channels": ["email", "sms"],
    }
    return {
        "orderId": order_id,
        "placedAt": PLACED_AT.isoformat(),
        "customer": customer,
        "items": SAMPLE_ITEMS["de" if locale.startswith("de") else "en"],
        "productionDays": 14,
        "transitDays": 7,
        "shippingAddress": {**sample["address"], "country": sample["country"]},
    }


def sample_state(kind: str, locale: str, config: OutreachConfig, detail: dict[str, Any] | None = None) -> OrderState:
    """An order in the state in which ``kind`` is sent (placed through the real domain, then moved on)."""
    detail = detail or placed_detail(locale)
    event = InboundEvent.model_validate(
        {
            "eventId": "preview-1",
            "detailType": "Order Placed",
            "detail": detail,
            "time": PLACED_AT.isoformat(),
            "receivedAt": PLACED_AT.isoformat(),
        }
    )
    state = advance(None, [event], PLACED_AT, config).state
    assert state is not None
    later = PLACED_AT + timedelta(days=18)
    if kind in ("shipped", "satisfaction_check", "feedback_acknowledgement"):
        state.production_completed_at = PLACED_AT + timedelta(days=13)
        state.shipment = Shipment.model_validate(
            {
                "carrier": "DHL Freight",
                "trackingNumber": "JJD0099887766",
                "trackingUrl": "https://www.dhl.example/track?piece=JJD0099887766&lang=en",
                "shippedAt": later,
            }
        )
    if kind == "delay_notice":
        state.quotes.append(
            Quote(
                at=PLACED_AT + timedelta(days=10),
                promised_date=state.promised + timedelta(days=10),
                reason="production delayed: "
                + (
                    "der Samt kam zu spät aus der Weberei"
                    if locale.startswith("de")
                    else "the velvet arrived late from the mill"
                ),
            )
        )
    if kind in ("shipped", "satisfaction_check", "feedback_acknowledgement"):
        state.address_confirmed_at = PLACED_AT + timedelta(days=11)  # by the production update's link
    if kind in ("satisfaction_check", "feedback_acknowledgement"):
        state.delivered_at = later + timedelta(days=4)
    if kind == "feedback_acknowledgement":
        state.feedback_rating = 5
    if kind == "cancellation_confirmation":
        state.status = "cancelled"
        state.cancelled_at = PLACED_AT + timedelta(days=1)
        state.cancel_reason = None
    return state


def sample_message(kind: str, locale: str, config: OutreachConfig, signed_links: bool = True) -> Message:
    """``kind`` for the sample order (or the sample catalog request, or a sample customer message) in
    ``locale``, with the one-click links the sender signs (``signed_links=False``: as a deployment without the
    action endpoint would send it)."""
    if kind not in KINDS:
        raise PreviewError(f"KIND: unknown contact kind {kind!r}; one of {', '.join(KINDS)}")
    sample = SAMPLE_CUSTOMERS.get(locale) or SAMPLE_CUSTOMERS["en-US"]
    now = PLACED_AT + timedelta(days=10)
    if kind in ("catalog_follow_up", "design_advice_offer"):
        request = parse_detail(
            "Catalog Requested",
            {
                "requestId": "CR-2087",
                "customer": {**sample["customer"], "email": "customer@example.com", "locale": locale},
                "postalAddress": {**sample["address"], "country": sample["country"]},
            },
        )
        links = SAMPLE_LINKS.for_message(kind, "CR-2087", now, scope="catalog", lang=locale) if signed_links else None
        return render_catalog_contact(request, config, links, kind)  # type: ignore[arg-type]
    if kind == "message_acknowledgement":
        message = parse_detail(
            "Customer Message Received",
            {"messageId": "M-311", "orderId": "SO-1042", "channel": "email", "text": "Can you deliver on a Saturday?"},
        )
        zone = ZoneInfo(sample["customer"]["timezone"])
        answer_by = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
        name = sample["customer"]["name"]
        return render_message_acknowledgement(name, message, answer_by, zone, config, locale)  # type: ignore[arg-type]
    state = sample_state(kind, locale, config)
    contact = ContactOrder.model_validate(
        {"key": f"{kind}#email", "kind": kind, "channel": "email", "dueAt": PLACED_AT}
    )
    links = SAMPLE_LINKS.for_message(kind, state.order_id, now, lang=locale) if signed_links else None
    return render(state, contact, config, links)


def from_message(name: str, message: Message) -> Rendered:
    return Rendered(name=name, subject=message.subject, html=message.html, text=message.text, sms=message.sms)


def from_mime(name: str, raw: bytes) -> Rendered:
    """A sent e-mail (as SES got it) split into what the customer sees."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    html = mail.get_body(preferencelist=("html",))  # type: ignore[attr-defined]
    text = mail.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return Rendered(
        name=name,
        subject=str(mail["Subject"]),
        html=html.get_content() if html is not None else "",
        text=text.get_content() if text is not None else "",
        eml=raw,
    )


def write(out: Path, messages: Sequence[Rendered], screenshots: bool = True) -> list[Path]:
    """Write each message's files into ``out``; screenshots of every HTML in one go. Returns the PNGs."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for m in messages:
        (out / f"{m.name}.txt").write_text(f"Subject: {m.subject}\n\n{m.text}", encoding="utf-8")
        if m.html:
            (out / f"{m.name}.html").write_text(m.html, encoding="utf-8")
            pages.append(out / f"{m.name}.html")
        if m.sms is not None:
            count = sms_rules.segments(m.sms)
            encoding = "GSM-7" if sms_rules.is_gsm7(m.sms) else "UCS-2"
            (out / f"{m.name}.sms.txt").write_text(
                f"{m.sms}\n\n({len(m.sms)} characters, {encoding}, {count} segment{'s' if count != 1 else ''})\n",
                encoding="utf-8",
            )
        if m.eml is not None:
            (out / f"{m.name}.eml").write_bytes(m.eml)
    return screenshot(pages) if screenshots else []


def browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def screenshot(pages: Iterable[Path], width: int = PHONE_WIDTH, height: int = SCREEN_HEIGHT) -> list[Path]:
    """A PNG next to each HTML file, as headless Chromium shows it at ``width`` pixels. [] without a browser."""
    chromium = browser()
    if chromium is None:
        return []
    shots = []
    for page in pages:
        png = page.with_suffix(".png")
        _chromium(chromium, [f"--screenshot={png}", f"--window-size={width},{height}", page.resolve().as_uri()])
        if png.exists():
            shots.append(png)
    return shots


def dump_dom(page: Path, width: int = PHONE_WIDTH) -> str:
    """The DOM of ``page`` after Chromium laid it out at ``width`` pixels (empty without a browser)."""
    chromium = browser()
    if chromium is None:
        return ""
    return _chromium(chromium, ["--dump-dom", f"--window-size={width},{SCREEN_HEIGHT}", page.resolve().as_uri()])


def _chromium(chromium: str, arguments: list[str]) -> str:
    with tempfile.TemporaryDirectory(prefix="outreach-chromium-") as profile:
        result = subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                "--no-first-run",
                "--disable-extensions",
                "--force-device-scale-factor=1",
                f"--user-data-dir={profile}",
                *arguments,
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    return result.stdout


def scenario_messages(path: Path, owner_id: str | None, kind: str | None, locale: str | None) -> list[Rendered]:
    """Every message a scenario's run sent (of ``owner_id`` and ``kind`` when given), as sent. ``locale``
    replaces every customer's locale in the scenario first."""
    from outreach.simulator import runner
    from outreach.simulator.scenario import ScenarioError, parse

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PreviewError(f"--scenario: cannot read {path}: {exc}") from exc
    if locale is not None:
        for event in raw.get("events", []) if isinstance(raw, dict) else []:
            customer = event.get("detail", {}).get("customer") if isinstance(event, dict) else None
            if isinstance(customer, dict):
                customer["locale"] = locale
    try:
        result = runner.run(parse(raw, str(path)))
    except ScenarioError as exc:
        raise PreviewError(f"--scenario: {exc}") from exc
    chosen = [
        (contact, content)
        for contact, content in zip(result.contacts, result.sent, strict=True)
        if (owner_id is None or owner_id in (contact.get("orderId"), contact.get("requestId")))
        and (kind is None or contact["kind"] == kind)
    ]
    if owner_id is not None and not chosen:
        raise PreviewError(f"--order: no {kind or 'message'} was sent for {owner_id!r} in {path}")
    return sent_messages(
        [(contact, content) for contact, content in chosen if contact["channel"] == "email"],
        [(contact, content) for contact, content in chosen if contact["channel"] == "sms"],
    )


def sent_messages(
    emails: Sequence[tuple[dict[str, Any], bytes | str]], texts: Sequence[tuple[dict[str, Any], bytes | str]]
) -> list[Rendered]:
    """Files for every sent contact: ``<time>-<owner>-<kind>``; an SMS goes with its e-mail of the same contact."""
    out: list[Rendered] = []
    sms_by_contact = {(c.get("orderId") or c.get("requestId"), c["kind"], c["at"]): str(s) for c, s in texts}
    used = set()
    for contact, content in emails:
        owner = contact.get("orderId") or contact.get("requestId")
        key = (owner, contact["kind"], contact["at"])
        name = _name(contact)
        rendered = from_mime(name, content if isinstance(content, bytes) else str(content).encode())
        sms = sms_by_contact.get(key)
        if sms is not None:
            used.add(key)
            rendered = Rendered(rendered.name, rendered.subject, rendered.html, rendered.text, sms, rendered.eml)
        out.append(rendered)
    for contact, text in texts:
        key = (contact.get("orderId") or contact.get("requestId"), contact["kind"], contact["at"])
        if key not in used:
            out.append(Rendered(name=_name(contact), subject=str(contact["subject"]), html="", text="", sms=str(text)))
    return out


def _name(contact: dict[str, Any]) -> str:
    owner = contact.get("orderId") or contact.get("requestId") or "unknown"
    when = contact["at"].replace(":", "").replace("-", "")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in owner)
    return f"{when}-{safe}-{contact['kind']}"
