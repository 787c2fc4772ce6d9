"""An order's contact timeline as a pure function: state + arrived events + now -> what to do.

The state machine calls this on every wake-up (an order event or a timer). It never sends anything itself:
it returns the contacts that are due now (each with a per-contact idempotency key), ops alerts, the
instant of the next timer, and whether the timeline goes on. Contacts are *derived* from the order's
facts (promise, production estimate, shipment, delivery) each time, so a changed fact re-plans every
contact not yet issued, and a contact key once issued is never issued again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import (
    SendSlot,
    any_issued,
    channels,
    contact_key,
    pace,
    planned_contacts,
    satisfaction_done,
    trigger_key,
)
from outreach_lambda.domain.events import (
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

# compatibility re-exports; import from the owning module
from outreach_lambda.domain.model import (
    Alert,
    Channel,
    ContactKind,
    ContactOrder,
    Decision,
    InboundEvent,
    Model,
    OrderState,
    Quote,
    RunStatus,
    Shipment,
)
from outreach_lambda.domain.promise import add_local_days, local_date, promised_date
from outreach_lambda.domain.slips import check_forecast, check_silence, silence_checks, silence_deadline

SUGGESTED_FIX = "offer a free fix (e.g. firmer or softer cushion inserts, a technician visit) and call the customer"


def advance(
    state: OrderState | None,
    events: list[InboundEvent],
    now: datetime,
    config: OutreachConfig,
    email_slot: SendSlot | None = None,
) -> Decision:
    """Apply the arrived events in order, then issue every contact that is due at ``now``.

    ``email_slot`` (the send-rate limiter) reserves the instant at which a due e-mail may go; one whose
    slot is later waits for it (the execution wakes at the slot), so a batch stays under the SES rate.
    """
    state = state.model_copy(deep=True) if state is not None else None
    quotes_before = len(state.quotes) if state else 0
    slipped_before = state.slipped if state else False
    alerts: list[Alert] = []
    notes: list[str] = []
    batch_outcomes: dict[str, bool] = {}
    for event in events:
        state = _apply(state, event, now, config, alerts, notes, batch_outcomes)
    if state is None:
        return Decision(state=None, run_status="complete", alerts=alerts, notes=notes)
    check_silence(state, now, config, alerts, notes)

    pending = planned_contacts(state, config, now)
    due = [c for c in pending if c.due_at <= now]
    later = [c for c in pending if c.due_at > now]
    if email_slot is not None:
        due, paced = pace(state, due, now, email_slot)
        later += paced
    state.issued.extend(c.key for c in due)
    checks = [t for t in silence_checks(state, config) if t > now]
    wake_at = min([c.due_at for c in later] + checks, default=None)
    run_status: RunStatus = "running"
    if not later:
        if state.status == "cancelled":
            run_status = "cancelled"
        elif satisfaction_done(state):
            run_status = "complete"
    return Decision(
        state=state,
        contacts=due,
        alerts=alerts,
        new_quotes=state.quotes[quotes_before:],
        wake_at=wake_at,
        run_status=run_status,
        notes=notes,
        first_slip=state.slipped and not slipped_before,
        batch_outcomes=batch_outcomes,
    )


def new_state(placed: OrderPlaced, now: datetime, config: OutreachConfig, cause: str | None) -> OrderState:
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


def _apply(
    state: OrderState | None,
    event: InboundEvent,
    now: datetime,
    config: OutreachConfig,
    alerts: list[Alert],
    notes: list[str],
    batch_outcomes: dict[str, bool],
) -> OrderState | None:
    detail: Detail = parse_detail(event.detail_type, event.detail)
    label = f"{event.detail_type} ({event.event_id})"
    if isinstance(detail, OrderPlaced):
        if state is not None:
            notes.append(f"{label}: duplicate Order Placed ignored")
            return state
        return new_state(detail, now, config, cause=label)
    if state is None:
        notes.append(f"{label}: no Order Placed recorded yet, ignored")
        return None
    if isinstance(detail, ProductionDelayed) and detail.order_id is None:
        batch_outcomes.setdefault(event.event_id, False)  # every order of a batch reports an outcome
    if state.status == "cancelled":
        notes.append(f"{label}: order is cancelled, ignored")
        return state
    zone = state.order.customer.zone

    if isinstance(detail, TimerDue):
        return state
    if isinstance(detail, ProductionDelayed):
        if state.production_completed_at is not None or state.shipment is not None:
            notes.append(f"{label}: production already completed, delay ignored")
            return state
        state.production_estimate = as_datetime(detail.estimated_completion, zone).astimezone(UTC)
        forecast = local_date(add_local_days(state.production_estimate, state.transit_days, zone), zone)
        reason = f"production delayed{': ' + detail.reason if detail.reason else ''}"
        batch = detail.order_id is None  # one sku's delay fanned out to every open order of it
        # A batch is reported to ops once, with its counts (batch_delay), not once per order.
        order_alerts: list[Alert] = [] if batch else alerts
        quotes = len(state.quotes)
        check_forecast(state, forecast, reason, label, now, config, order_alerts, notes)
        if batch and len(state.quotes) > quotes:
            batch_outcomes[event.event_id] = True
    elif isinstance(detail, ProductionCompleted):
        if state.production_completed_at is None:
            completed = (detail.completed_at or event.time).astimezone(UTC)
            state.production_completed_at = completed
            if not any_issued(state, "production_update") and state.shipment is None:
                state.triggers.setdefault(trigger_key("production_update"), now)
            forecast = local_date(add_local_days(completed, state.transit_days, zone), zone)
            reason = f"production completed on {local_date(completed, zone).isoformat()}, later than planned"
            check_forecast(state, forecast, reason, label, now, config, alerts, notes)
    elif isinstance(detail, OrderShipped):
        if state.shipment is not None:
            notes.append(f"{label}: already shipped, ignored")
            return state
        estimated = as_datetime(detail.estimated_delivery, zone).astimezone(UTC) if detail.estimated_delivery else None
        state.shipment = Shipment(
            carrier=detail.carrier,
            tracking_number=detail.tracking_number,
            tracking_url=detail.tracking_url,
            estimated_delivery=estimated,
            delivery_details=detail.delivery_details,
            shipped_at=event.time.astimezone(UTC),
        )
        if estimated is not None:
            reason = f"carrier estimates delivery on {local_date(estimated, zone).isoformat()}"
            check_forecast(state, local_date(estimated, zone), reason, label, now, config, alerts, notes)
        state.triggers.setdefault(trigger_key("shipped"), now)
    elif isinstance(detail, OrderDelivered):
        if state.delivered_at is None:
            state.delivered_at = (detail.delivered_at or event.time).astimezone(UTC)
    elif isinstance(detail, OrderCancelled):
        state.status = "cancelled"
        state.cancelled_at = now
        state.cancel_reason = detail.reason
        state.triggers.setdefault(trigger_key("cancellation_confirmation"), now)
    elif isinstance(detail, FeedbackReceived):
        state.feedback_rating = detail.rating
        state.triggers.setdefault(trigger_key("feedback_acknowledgement"), now)
        alerts.extend(feedback_alerts(state, detail, now))
    else:  # pragma: no cover - Catalog Requested never reaches an order timeline
        notes.append(f"{label}: not an order timeline event, ignored")
    return state


def late_feedback(
    state: OrderState, feedback: FeedbackReceived, now: datetime
) -> tuple[ContactOrder | None, list[Alert]]:
    """Feedback after the timeline ended is still served: an e-mail acknowledgement (once per order) and,
    for a rating of 3 or less, the negative_feedback alert. Nothing is sent for a cancelled order."""
    if state.status == "cancelled":
        return None, []
    alerts = feedback_alerts(state, feedback, now)
    key = contact_key("feedback_acknowledgement", "email")
    contact = (
        None
        if key in state.issued
        else ContactOrder(key=key, kind="feedback_acknowledgement", channel="email", due_at=now)
    )
    return contact, alerts


def feedback_alerts(state: OrderState, feedback: FeedbackReceived, now: datetime) -> list[Alert]:
    """A rating of 3 or less is a small problem to turn into a free fix: ops hear of it at once."""
    if feedback.rating > 3:
        return []
    details = {"rating": feedback.rating, "suggestedFix": SUGGESTED_FIX}
    return [Alert(kind="negative_feedback", order_id=state.order_id, at=now, details=details)]


# compatibility re-exports; import from the owning module
__all__ = [
    "Alert",
    "Channel",
    "ContactKind",
    "ContactOrder",
    "Decision",
    "InboundEvent",
    "Model",
    "OrderState",
    "Quote",
    "RunStatus",
    "SendSlot",
    "Shipment",
    "channels",
    "planned_contacts",
    "silence_checks",
    "silence_deadline",
]
