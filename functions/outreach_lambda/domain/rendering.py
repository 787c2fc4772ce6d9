"""Contact texts: a subject and a plain-text body per kind, plus a short SMS text.

Every date a message states comes from the order's promise ledger (``state.promised``), shown as a
calendar date in the customer's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import Address, CatalogRequested, CustomerMessageReceived
from outreach_lambda.domain.model import ContactOrder, OrderState
from outreach_lambda.domain.promise import local_date

DATED_KINDS = frozenset({"order_confirmation", "production_update", "shipped", "delay_notice"})


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    sms: str
    promised_date: date | None


def _fmt(d: date) -> str:
    return f"{d:%A}, {d.day} {d:%B %Y}"


def _days_ahead(state: OrderState) -> int:
    """Whole days production finished before the internal plan (0 when not finished or not early)."""
    if state.production_completed_at is None:
        return 0
    zone = state.order.customer.zone
    return max((local_date(state.production_due_at, zone) - local_date(state.production_completed_at, zone)).days, 0)


FeedbackTone = Literal["apology", "thanks", "referral"]


def feedback_tone(state: OrderState) -> FeedbackTone:
    """How the feedback acknowledgement answers: an apology and a call within one business day for a rating of
    3 or less (or a fixable complaint), thanks and a gentle referral ask for a 5, plain thanks otherwise."""
    rating = state.feedback_rating
    if (rating is not None and rating <= 3) or state.feedback_remedy is not None:
        return "apology"
    return "referral" if rating == 5 else "thanks"


def _link_lines(links: Mapping[str, str] | None, labels: list[tuple[str, str]]) -> str:
    if not links:
        return ""
    lines = [f"  {label}: {links[name]}" for name, label in labels if name in links]
    return "\n".join(lines) + "\n" if lines else ""


def _one_line_address(addr: Address) -> str:
    return ", ".join(p for p in [addr.line1, addr.line2, f"{addr.postal_code} {addr.city}", addr.country] if p)


def render(
    state: OrderState, contact: ContactOrder, config: OutreachConfig, links: Mapping[str, str] | None = None
) -> Message:
    """The contact's texts; ``links`` are its signed one-click links by name (``domain.links.action_links``)."""
    order = state.order
    first = order.customer.name.split()[0]
    oid = order.order_id
    promised = state.promised
    shop = config.shop_name
    items = "\n".join(f"  - {i.quantity} x {i.description}" for i in order.items)
    address = _one_line_address(state.delivery_address)
    sign = f"\nWarm regards,\n{shop}\nQuestions? Call us on {config.support_phone}.\n"
    kind = contact.kind
    if kind == "order_confirmation":
        subject = f"Thank you for your order {oid}"
        text = (
            f"Dear {first},\n\nthank you for your order. We are making it just for you:\n{items}\n\n"
            f"What happens next: our workshop builds your order, we write to you shortly before it is finished, "
            f"and again with tracking details when it ships.\n\n"
            f"We promise delivery by {_fmt(promised)}.\n"
        )
        sms = f"{shop}: thank you for order {oid}. Delivery by {promised:%d %b %Y}. Questions: {config.support_phone}"
    elif kind == "production_update":
        done = state.production_completed_at is not None
        status = "is finished" if done else "is nearly finished"
        ahead = _days_ahead(state)
        early = ""
        if ahead >= config.good_news_days:
            status = f"is finished {ahead} days early"
            early = "It should reach you well before the date we promised; we will send tracking when it ships.\n\n"
        subject = f"Your order {oid} {status}"
        text = (
            f"Dear {first},\n\ngood news: your order {status} in our workshop.\n\n{early}"
            f"Please confirm the delivery address so nothing goes astray:\n  {address}\n"
            + (
                _link_lines(links, [("confirmAddress", "The address is right"), ("changeAddress", "It has changed")])
                or "If anything has changed, reply to this e-mail or call us.\n"
            )
            + f"\nDelivery remains on track for {_fmt(promised)}.\n"
        )
        sms = (
            f"{shop}: order {oid} {status}. Delivery by {promised:%d %b %Y}. "
            f"Address changed? Call {config.support_phone}"
        )
    elif kind == "shipped":
        ship = state.shipment
        assert ship is not None
        link = f"\nTrack it here: {ship.tracking_url}" if ship.tracking_url else ""
        details = ship.delivery_details or (
            "Our carrier will call ahead to agree a time window, carry the order to the room of your choice "
            "and take the packaging away."
        )
        subject = f"Your order {oid} is on its way"
        text = (
            f"Dear {first},\n\nyour order has shipped with {ship.carrier}, tracking number "
            f"{ship.tracking_number}.{link}\n\nDelivery by {_fmt(promised)}.\n\nWhat the delivery involves:\n"
            f"{details}\n\nIt goes to: {address}"
            + (" (the address you confirmed)" if state.address_confirmed_at is not None else "")
            + "\n"
        )
        sms = (
            f"{shop}: order {oid} shipped with {ship.carrier}, tracking {ship.tracking_number}. "
            f"Delivery by {promised:%d %b %Y}."
        )
    elif kind == "delay_notice":
        previous = state.quotes[-2].promised_date if len(state.quotes) > 1 else promised
        subject = f"Your order {oid}: a new delivery date"
        text = (
            f"Dear {first},\n\nwe owe you an honest update: we cannot deliver by {_fmt(previous)} as promised "
            f"({state.quotes[-1].reason}).\n\nYour new delivery date is {_fmt(promised)}.\n\n"
            f"We are sorry. To make up for it, we offer you {config.goodwill_gesture}.\n"
        )
        sms = f"{shop}: sorry, order {oid} is delayed. New delivery date {promised:%d %b %Y}. Details by e-mail."
    elif kind == "satisfaction_check":
        subject = f"How is your new order {oid}?"
        text = (
            f"Dear {first},\n\nyour order arrived a few days ago. Is everything as you hoped?\n\n"
            f"If anything is not quite right, a cushion too firm or a seam you don't like, reply to this e-mail: "
            f"small problems are often fixed for free.\n"
        )
        rating_links = [(f"rate{n}", f"{n} of 5" + (" (delighted)" if n == 5 else "")) for n in range(1, 6)]
        rated = _link_lines(links, [*rating_links, ("callback", "Please call me")])
        if rated:
            text += f"\nOne click tells us how you find it:\n{rated}"
        sms = f"{shop}: how is your order {oid}? Anything not quite right? Reply to our e-mail, we fix it."
    elif kind == "cancellation_confirmation":
        subject = f"Your order {oid} is cancelled"
        reason = f" ({state.cancel_reason})" if state.cancel_reason else ""
        text = (
            f"Dear {first},\n\nas requested, your order {oid} is cancelled{reason}. "
            f"You will hear nothing more from us about it.\n"
        )
        sms = f"{shop}: order {oid} is cancelled."
    elif kind == "feedback_acknowledgement":
        subject = f"Thank you for your feedback on order {oid}"
        tone = feedback_tone(state)
        subject = {
            "apology": f"We will put it right: your order {oid}",
            "referral": f"We are delighted you love your order {oid}",
            "thanks": subject,
        }[tone]
        if tone == "apology":
            remedy = f" We would like to offer you {state.feedback_remedy}." if state.feedback_remedy else ""
            text = (
                f"Dear {first},\n\nwe are sorry your order is not everything you hoped for.{remedy} "
                f"Someone from our team will call you within one business day to put it right.\n"
            )
        elif tone == "referral":
            text = (
                f"Dear {first},\n\nthank you, we are delighted you love it. If friends ask where it is from, "
                f"we would be glad if you told them about us.\n"
            )
        else:
            text = f"Dear {first},\n\nthank you for telling us how you find your order. We read every word.\n"
        sms = f"{shop}: thank you for your feedback on order {oid}."
    else:
        raise ValueError(f"kind: no template for contact kind {kind!r}")
    return Message(
        subject=subject,
        text=text + sign,
        sms=sms[:300],
        promised_date=promised if kind in DATED_KINDS else None,
    )


def render_catalog_follow_up(
    request: CatalogRequested, config: OutreachConfig, links: Mapping[str, str] | None = None
) -> Message:
    first = request.customer.name.split()[0]
    shop = config.shop_name
    where = ""
    if request.postal_address is not None:
        a = request.postal_address
        where = f" to {a.line1}, {a.postal_code} {a.city}"
    text = (
        f"Dear {first},\n\nthank you for asking for our catalog. It is on its way{where}.\n\n"
        f"With it come free fabric swatches: feel the velvet, the linen and the wool at home before you choose. "
        f"And if you would like a second opinion, our designers give free design advice: send us a photo of "
        f"your room, or call us on {config.support_phone}.\n\nWarm regards,\n{shop}\n" + _unsubscribe_line(links)
    )
    return Message(
        subject=f"Your {shop} catalog is on its way",
        text=text,
        sms=f"{shop}: your catalog is on its way, with free fabric swatches.",
        promised_date=None,
    )


def _unsubscribe_line(links: Mapping[str, str] | None) -> str:
    if not links or "unsubscribe" not in links:
        return ""
    return f"\nNo more offers like this: {links['unsubscribe']}\n"


def render_design_advice_offer(
    request: CatalogRequested, config: OutreachConfig, links: Mapping[str, str] | None = None
) -> Message:
    """One gentle offer of free design advice, some days after the catalog, to a requester who has not ordered."""
    first = request.customer.name.split()[0]
    shop = config.shop_name
    call = f"\n  Please call me: {links['callback']}\n" if links and "callback" in links else "\n"
    text = (
        f"Dear {first},\n\nwe hope you enjoyed leafing through our catalog. Choosing a sofa is a big decision: "
        f"our designers are glad to help, free of charge, with fabrics, sizes and how it will sit in your room. "
        f"Send us a photo, or call us on {config.support_phone}.{call}"
        f"\nWarm regards,\n{shop}\n" + _unsubscribe_line(links)
    )
    return Message(
        subject=f"Free design advice from {shop}",
        text=text,
        sms=f"{shop}: free design advice for your room, call {config.support_phone}.",
        promised_date=None,
    )


def render_message_acknowledgement(
    first_name: str, message: CustomerMessageReceived, answer_by: datetime, zone: ZoneInfo, config: OutreachConfig
) -> Message:
    """We got your message; a person answers by ``answer_by`` (shown in the customer's zone)."""
    local = answer_by.astimezone(zone)
    when = f"{local:%A}, {local.day} {local:%B} at {local:%H:%M} ({local.tzname()})"
    about = f" about order {message.order_id}" if message.order_id else ""
    text = (
        f"Dear {first_name},\n\nthank you for your message{about}. A person from our team will answer you "
        f"by {when} at the latest. You do not need to repeat anything: we have your order and your message in front "
        f"of us.\n\nIf it is urgent, call us on {config.support_phone}.\n\nWarm regards,\n{config.shop_name}\n"
    )
    return Message(
        subject=f"We have your message{about}",
        text=text,
        sms=f"{config.shop_name}: we have your message and answer by {local:%d %b %H:%M}.",
        promised_date=None,
    )
