"""Contact texts: a subject and a plain-text body per kind, plus a short SMS text.

Every date a message states comes from the order's promise ledger (``state.promised``), shown as a
calendar date in the customer's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import CatalogRequested
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


def render(state: OrderState, contact: ContactOrder, config: OutreachConfig) -> Message:
    order = state.order
    first = order.customer.name.split()[0]
    oid = order.order_id
    promised = state.promised
    shop = config.shop_name
    items = "\n".join(f"  - {i.quantity} x {i.description}" for i in order.items)
    addr = order.shipping_address
    address = ", ".join(p for p in [addr.line1, addr.line2, f"{addr.postal_code} {addr.city}", addr.country] if p)
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
            f"If anything has changed, reply to this e-mail or call us.\n\n"
            f"Delivery remains on track for {_fmt(promised)}.\n"
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
            f"{details}\n\nIt goes to: {address}\n"
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


def render_catalog_follow_up(request: CatalogRequested, config: OutreachConfig) -> Message:
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
        f"your room, or call us on {config.support_phone}.\n\nWarm regards,\n{shop}\n"
    )
    return Message(
        subject=f"Your {shop} catalog is on its way",
        text=text,
        sms=f"{shop}: your catalog is on its way, with free fabric swatches.",
        promised_date=None,
    )
