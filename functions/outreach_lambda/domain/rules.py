"""Event rules: what each order event does to the order's state, looked up by the event's detail model.

``RULES`` maps each order event (``Order Cancelled`` -> ``OrderCancelled`` -> ``on_order_cancelled``) to one
small function. A rule records facts on the state (an estimate, the shipment, a cancellation) and, for the
event-driven contacts, the instant that triggered them (``state.triggers``); what is sent when is planned from
those facts by ``contacts.planned_contacts``. Slips of the promise are judged by ``slips.check_forecast``.
Alerts, notes and sku-batch outcomes go into an ``Effects`` collected over the wake-up.

``apply_event`` holds what every event goes through first: Order Placed may start a timeline, anything else
needs a known order, a sku batch counts every order, and a cancelled order ignores everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import any_issued, contact_key, trigger_key
from outreach_lambda.domain.events import (
    Address,
    AddressChangeRequested,
    AddressConfirmed,
    Detail,
    FeedbackReceived,
    OrderCancelled,
    OrderDelivered,
    OrderPlaced,
    OrderShipped,
    ProductionCompleted,
    ProductionDelayed,
    TimerDue,
    as_datetime,
    parse_detail,
)
from outreach_lambda.domain.model import Alert, ContactOrder, InboundEvent, OrderState, Quote, Shipment
from outreach_lambda.domain.promise import add_local_days, local_date, promised_date
from outreach_lambda.domain.slips import check_forecast
from outreach_lambda.domain.stages import ORDER, SlipRule, Stage, may_replan, may_send, stage

SUGGESTED_FIX = "offer a free fix (e.g. firmer or softer cushion inserts, a technician visit) and call the customer"


@dataclass
class Effects:
    """What applying a wake-up's events produced besides the state: ops alerts, notes for the log, and for
    each sku-batch delay event (event id) whether it re-quoted this order."""

    alerts: list[Alert] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    batch_outcomes: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Arrival:
    """The event a rule applies, the instant of the wake-up it is applied in, and the configuration."""

    event: InboundEvent
    now: datetime
    config: OutreachConfig

    @property
    def label(self) -> str:
        """How notes and quotes name the event: ``"Order Shipped (evt-7)"``."""
        return f"{self.event.detail_type} ({self.event.event_id})"


# A rule takes the order's state, the event's parsed detail (the model class it is keyed by in RULES), the
# arrival and the effects to append to; it returns the order's state after the event.
Rule = Callable[[OrderState, Any, Arrival, Effects], OrderState]


def judge(
    state: OrderState,
    rule: SlipRule,
    forecast: date,
    reason: str,
    arrival: Arrival,
    effects: Effects,
    alerts: list[Alert] | None = None,
) -> None:
    """The slip rule ``rule`` on a forecast the arriving event revealed (alerts to ``alerts``, else the effects')."""
    alerts = effects.alerts if alerts is None else alerts
    check_forecast(state, rule, forecast, reason, arrival.label, arrival.now, arrival.config, alerts, effects.notes)


def apply_event(
    state: OrderState | None, event: InboundEvent, now: datetime, config: OutreachConfig, effects: Effects
) -> OrderState | None:
    """Apply one arrived event to the order's state (``None`` before its Order Placed) through its rule."""
    detail: Detail = parse_detail(event.detail_type, event.detail)
    arrival = Arrival(event, now, config)
    label = arrival.label
    if isinstance(detail, OrderPlaced):
        # Before the guards: it alone may start a timeline, and a duplicate is a duplicate even when cancelled.
        return on_order_placed(state, detail, arrival, effects)
    if state is None:
        effects.notes.append(f"{label}: no Order Placed recorded yet, ignored")
        return None
    if isinstance(detail, ProductionDelayed) and detail.order_id is None:
        effects.batch_outcomes.setdefault(event.event_id, False)  # every order of a batch reports an outcome
    if state.status == "cancelled":
        effects.notes.append(f"{label}: order is cancelled, ignored")
        return state
    rule = RULES.get(type(detail))
    if rule is None:  # pragma: no cover - Catalog Requested never reaches an order timeline
        effects.notes.append(f"{label}: not an order timeline event, ignored")
        return state
    return rule(state, detail, arrival, effects)


def new_state(placed: OrderPlaced, now: datetime, config: OutreachConfig, cause: str | None) -> OrderState:
    """A new order's timeline: the padded promise quoted once, production due, the order confirmation triggered."""
    zone = placed.customer.zone
    transit = placed.transit_days if placed.transit_days is not None else config.default_transit_days
    due = add_local_days(placed.placed_at, placed.production_days, zone)
    promise = promised_date(placed.placed_at, placed.production_days + transit, config.padding, zone)
    return OrderState(
        order=placed,
        transit_days=transit,
        production_due_at=due,
        production_estimate=due,
        quotes=[Quote(at=now, promised_date=promise, reason="order placed", cause=cause)],
        forecast_delivery=local_date(add_local_days(due, transit, zone), zone),
        triggers={trigger_key("order_confirmation"): now},
    )


def on_order_placed(state: OrderState | None, placed: OrderPlaced, arrival: Arrival, effects: Effects) -> OrderState:
    """Customer: a padded promise and the order confirmation at once. Ops: nothing; a duplicate is only noted."""
    if state is not None:
        effects.notes.append(f"{arrival.label}: duplicate Order Placed ignored")
        return state
    return new_state(placed, arrival.now, arrival.config, cause=arrival.label)


def on_production_delayed(
    state: OrderState, delay: ProductionDelayed, arrival: Arrival, effects: Effects
) -> OrderState:
    """Customer: a delay notice if the promise breaks. Ops: promise_at_risk (a sku batch: one batch_delay)."""
    label = arrival.label
    if not may_replan("production_delay", state):
        effects.notes.append(f"{label}: production already completed (order {stage(state)}), delay ignored")
        return state
    zone = state.order.customer.zone
    state.production_estimate = as_datetime(delay.estimated_completion, zone).astimezone(UTC)
    forecast = local_date(add_local_days(state.production_estimate, state.transit_days, zone), zone)
    reason = f"production delayed{': ' + delay.reason if delay.reason else ''}"
    batch = delay.order_id is None  # one sku's delay fanned out to every open order of it
    # A batch is reported to ops once, with its counts (batch_delay), not once per order.
    order_alerts: list[Alert] = [] if batch else effects.alerts
    quotes = len(state.quotes)
    judge(state, "production_delay", forecast, reason, arrival, effects, order_alerts)
    if batch and len(state.quotes) > quotes:
        effects.batch_outcomes[arrival.event.event_id] = True
    return state


def on_production_completed(
    state: OrderState, completed: ProductionCompleted, arrival: Arrival, effects: Effects
) -> OrderState:
    """Customer: the production update now and a delay notice if late, unless shipped already. Ops: promise_at_risk."""
    if state.production_completed_at is None:
        zone = state.order.customer.zone
        completed_at = (completed.completed_at or arrival.event.time).astimezone(UTC)
        state.production_completed_at = completed_at
        if not any_issued(state, "production_update") and may_send("production_update", state):
            state.triggers.setdefault(trigger_key("production_update"), arrival.now)
        forecast = local_date(add_local_days(completed_at, state.transit_days, zone), zone)
        reason = f"production completed on {local_date(completed_at, zone).isoformat()}, later than planned"
        judge(state, "production_completion", forecast, reason, arrival, effects)
    return state


def on_order_shipped(state: OrderState, shipped: OrderShipped, arrival: Arrival, effects: Effects) -> OrderState:
    """Customer: "on its way" and a delay notice if the carrier is late, unless delivered. Ops: promise_at_risk."""
    if state.shipment is not None:
        return _carrier_update(state, shipped, arrival, effects)
    zone = state.order.customer.zone
    estimated = as_datetime(shipped.estimated_delivery, zone).astimezone(UTC) if shipped.estimated_delivery else None
    state.shipment = Shipment(
        carrier=shipped.carrier,
        tracking_number=shipped.tracking_number,
        tracking_url=shipped.tracking_url,
        estimated_delivery=estimated,
        delivery_details=shipped.delivery_details,
        shipped_at=arrival.event.time.astimezone(UTC),
    )
    if estimated is not None:
        forecast = local_date(estimated, zone)
        reason = f"carrier estimates delivery on {forecast.isoformat()}"
        judge(state, "carrier_estimate", forecast, reason, arrival, effects)
    state.triggers.setdefault(trigger_key("shipped"), arrival.now)
    return state


def _carrier_update(state: OrderState, shipped: OrderShipped, arrival: Arrival, effects: Effects) -> OrderState:
    """An Order Shipped for an order already shipped: no second shipping notice, but a newer carrier estimate (by
    the events' own times; an older one arriving late changes nothing) is the forecast, judged like the first."""
    shipment = state.shipment
    assert shipment is not None
    label = arrival.label
    time = arrival.event.time.astimezone(UTC)
    if shipped.estimated_delivery is None or time <= (shipment.estimated_at or shipment.shipped_at):
        effects.notes.append(f"{label}: already shipped, ignored")
        return state
    zone = state.order.customer.zone
    estimated = as_datetime(shipped.estimated_delivery, zone).astimezone(UTC)
    previous = shipment.estimated_delivery
    shipment.estimated_delivery, shipment.estimated_at = estimated, time
    if previous == estimated:
        effects.notes.append(f"{label}: already shipped, same carrier estimate")
        return state
    forecast = local_date(estimated, zone)
    judge(
        state,
        "carrier_estimate",
        forecast,
        f"carrier now estimates delivery on {forecast.isoformat()}",
        arrival,
        effects,
    )
    return state


def on_order_delivered(state: OrderState, delivered: OrderDelivered, arrival: Arrival, effects: Effects) -> OrderState:
    """Customer: the satisfaction check, satisfactionCheckDays local days later (quiet hours apply). Ops: nothing."""
    if state.delivered_at is None:
        state.delivered_at = (delivered.delivered_at or arrival.event.time).astimezone(UTC)
    return state


def on_order_cancelled(state: OrderState, cancelled: OrderCancelled, arrival: Arrival, effects: Effects) -> OrderState:
    """Customer: the cancellation confirmation at once, then nothing ever again. Ops: nothing."""
    state.status = "cancelled"
    state.cancelled_at = arrival.now
    state.cancel_reason = cancelled.reason
    state.triggers.setdefault(trigger_key("cancellation_confirmation"), arrival.now)
    return state


def on_feedback_received(
    state: OrderState, feedback: FeedbackReceived, arrival: Arrival, effects: Effects
) -> OrderState:
    """Customer: an acknowledgement at once, by rating. Ops: negative_feedback (<= 3 or a fixable complaint)."""
    record_feedback(state, feedback, arrival.config)
    state.triggers.setdefault(trigger_key("feedback_acknowledgement"), arrival.now)
    effects.alerts.extend(feedback_alerts(state, feedback, arrival.now, arrival.config))
    return state


def on_address_confirmed(
    state: OrderState, confirmed: AddressConfirmed, arrival: Arrival, effects: Effects
) -> OrderState:
    """Customer: nothing now; the shipped message states the confirmed address. Ops: nothing."""
    if state.address_confirmed_at is None:
        state.address_confirmed_at = arrival.now
    else:
        effects.notes.append(f"{arrival.label}: address already confirmed, ignored")
    return state


#: From this stage on a changed address is urgent: the order has left the workshop with the old one.
_SHIPPED_STAGES = frozenset(ORDER[ORDER.index(Stage.SHIPPED) :])


def on_address_change_requested(
    state: OrderState, change: AddressChangeRequested, arrival: Arrival, effects: Effects
) -> OrderState:
    """Customer: nothing now. Ops: address_changed with old and new address, urgent once shipped."""
    old = state.delivery_address
    shipped = stage(state) in _SHIPPED_STAGES
    details: dict[str, Any] = {
        "stage": stage(state).value,
        "oldAddress": _address(old),
        "newAddress": _address(change.new_address),
    }
    if change.note:
        details["note"] = change.note
    details["urgent"] = shipped
    if shipped and state.shipment is not None:
        details.update(carrier=state.shipment.carrier, trackingNumber=state.shipment.tracking_number)
    effects.alerts.append(Alert(kind="address_changed", order_id=state.order_id, at=arrival.now, details=details))
    state.requested_address = change.new_address
    state.address_requested_at = arrival.now
    state.address_confirmed_at = arrival.now  # the customer just told us where it goes
    return state


def _address(address: Address) -> dict[str, Any]:
    return address.model_dump(mode="json", by_alias=True, exclude_none=True)


def on_timer_due(state: OrderState, timer: TimerDue, arrival: Arrival, effects: Effects) -> OrderState:
    """Customer: whatever timer-driven contact is now due. Ops: production_overdue if silent (advance does both)."""
    return state


RULES: dict[type[Detail], Rule] = {
    OrderPlaced: on_order_placed,
    ProductionDelayed: on_production_delayed,
    ProductionCompleted: on_production_completed,
    OrderShipped: on_order_shipped,
    OrderDelivered: on_order_delivered,
    OrderCancelled: on_order_cancelled,
    FeedbackReceived: on_feedback_received,
    AddressConfirmed: on_address_confirmed,
    AddressChangeRequested: on_address_change_requested,
    TimerDue: on_timer_due,
}


def table_remedy(feedback: FeedbackReceived, config: OutreachConfig) -> str | None:
    """The remedy table's free fix for this feedback: the first remedy whose pattern the comment contains (any
    case); None when the comment matches none. The only fix a customer's message may name."""
    comment = (feedback.comment or "").casefold()
    for remedy in config.remedies:
        if remedy.pattern.casefold() in comment:
            return remedy.remedy
    return None


def suggested_remedy(feedback: FeedbackReceived, config: OutreachConfig) -> str | None:
    """The free fix ops are told to offer (``suggestedFix``): the table's remedy; for a rating of 3 or less
    without a matching comment, the general offer (an instruction to ops, never customer wording); None
    otherwise."""
    remedy = table_remedy(feedback, config)
    if remedy is not None:
        return remedy
    return SUGGESTED_FIX if feedback.rating <= 3 else None


def record_feedback(state: OrderState, feedback: FeedbackReceived, config: OutreachConfig) -> None:
    state.feedback_rating = feedback.rating
    state.feedback_comment = feedback.comment
    # Only the table's remedy: the customer's acknowledgement may name it; the general offer is for ops alone.
    state.feedback_remedy = table_remedy(feedback, config)


def order_context(state: OrderState) -> dict[str, Any]:
    """Everything ops need so nobody asks the customer again: items, stage, promise ledger, contacts so far.
    No e-mail address or phone number (alerts never carry contact data)."""
    return {
        "stage": stage(state).value,
        "items": [f"{i.quantity} x {i.description} ({i.sku})" for i in state.order.items],
        "promisedDate": state.promised.isoformat(),
        "promiseLedger": [
            {"at": q.at.isoformat(), "promisedDate": q.promised_date.isoformat(), "reason": q.reason}
            for q in state.quotes
        ],
        "contactsSoFar": list(state.issued),
        "shipment": (
            {"carrier": state.shipment.carrier, "trackingNumber": state.shipment.tracking_number}
            if state.shipment
            else None
        ),
        "addressConfirmed": state.address_confirmed_at is not None,
    }


def feedback_alerts(
    state: OrderState, feedback: FeedbackReceived, now: datetime, config: OutreachConfig | None = None
) -> list[Alert]:
    """A rating of 3 or less, or a comment naming a fixable complaint, is a small problem to turn into a free
    fix: ops hear of it at once, with the order's full context and the suggested remedy."""
    remedy = suggested_remedy(feedback, config or OutreachConfig())
    if remedy is None:
        return []
    details: dict[str, Any] = {"rating": feedback.rating, "suggestedFix": remedy, "context": order_context(state)}
    if feedback.comment:
        details["comment"] = feedback.comment
    return [Alert(kind="negative_feedback", order_id=state.order_id, at=now, details=details)]


def late_feedback(
    state: OrderState, feedback: FeedbackReceived, now: datetime, config: OutreachConfig | None = None
) -> tuple[ContactOrder | None, list[Alert]]:
    """Feedback after the timeline ended is still served: an e-mail acknowledgement (once per order) and,
    for a rating of 3 or less or a fixable complaint, the negative_feedback alert. Nothing is sent for a
    cancelled order."""
    if state.status == "cancelled":
        return None, []
    alerts = feedback_alerts(state, feedback, now, config)
    key = contact_key("feedback_acknowledgement", "email")
    contact = (
        None
        if key in state.issued
        else ContactOrder(key=key, kind="feedback_acknowledgement", channel="email", due_at=now)
    )
    return contact, alerts


def late_address_change(state: OrderState, change: AddressChangeRequested, now: datetime) -> list[Alert]:
    """A new address after the timeline ended (a production update's link still works): ops hear of it, as for
    any change after shipping, so the customer who was told "we will confirm it with you" is not let down.
    Nothing for a cancelled order."""
    if state.status == "cancelled":
        return []
    effects = Effects()
    label = "Address Change Requested (after the timeline ended)"
    event = InboundEvent(event_id="late", detail_type=label, detail={}, time=now, received_at=now)
    on_address_change_requested(state.model_copy(deep=True), change, Arrival(event, now, OutreachConfig()), effects)
    return effects.alerts
