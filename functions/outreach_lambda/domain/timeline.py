"""An order's contact timeline as a pure function: state + arrived events + now -> what to do.

The state machine calls ``advance`` on every wake-up (an order event or a timer). It never sends anything
itself: it returns the contacts that are due now (each with a per-contact idempotency key), ops alerts, the
instant of the next timer, and whether the timeline goes on. Contacts are *derived* from the order's facts
(promise, production estimate, shipment, delivery) each time, so a changed fact re-plans every contact not
yet issued, and a contact key once issued is never issued again.

The work is split by job: ``rules`` (what each event does: ``RULES``), ``slips`` (forecasts and silence
against the promise), ``contacts`` (what is due when, keys, quiet hours, pacing), ``stages`` (where the order
stands and what may still be said) and ``model`` (the stored state). This module only orchestrates them:
rules -> slips -> contacts, filtered by the stage.
"""

from __future__ import annotations

from datetime import datetime

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import SendSlot, pace, planned_contacts, satisfaction_done
from outreach_lambda.domain.model import Decision, InboundEvent, OrderState, RunStatus
from outreach_lambda.domain.rules import Effects, apply_event
from outreach_lambda.domain.slips import check_silence, silence_checks
from outreach_lambda.domain.stages import may_send


def advance(
    state: OrderState | None,
    events: list[InboundEvent],
    now: datetime,
    config: OutreachConfig,
    email_slot: SendSlot | None = None,
    *,
    owned: bool = False,
) -> Decision:
    """Apply the arrived events in order, then issue every contact that is due at ``now``.

    ``email_slot`` (the send-rate limiter) reserves the instant at which a due e-mail may go; one whose
    slot is later waits for it (the execution wakes at the slot), so a batch stays under the SES rate.
    ``state`` is left as it was, unless the caller hands it over (``owned``: a copy just read, that nothing else
    holds): the decision's state is then that object, changed, and the deep copy (~0.1 ms a step) is saved.
    """
    if state is not None and not owned:
        state = state.model_copy(deep=True)
    quotes_before = len(state.quotes) if state else 0
    slipped_before = state.slipped if state else False
    effects = Effects()
    for event in events:
        state = apply_event(state, event, now, config, effects)
    if state is None:
        return Decision(state=None, run_status="complete", alerts=effects.alerts, notes=effects.notes)
    check_silence(state, now, config, effects.alerts, effects.notes)

    # What the order's stage contradicts is never said, also when it was planned before the stage moved on.
    pending = [c for c in planned_contacts(state, config, now) if may_send(c.kind, state)]
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
        alerts=effects.alerts,
        new_quotes=state.quotes[quotes_before:],
        wake_at=wake_at,
        run_status=run_status,
        notes=effects.notes,
        first_slip=state.slipped and not slipped_before,
        # A sku delay applied before a cancellation or a delivery in the same step is not told: the order's stage
        # forbids its notice.
        batch_outcomes={e: told and may_send("delay_notice", state) for e, told in effects.batch_outcomes.items()},
    )


def reschedule(decision: Decision, retries: dict[str, datetime]) -> Decision:
    """Contacts whose send provably failed go again at their retry instant: no longer issued, deferred to it,
    and the timeline wakes for them (so it is not finished while one is still to go)."""
    if not retries or decision.state is None:
        return decision
    state = decision.state
    for key, at in retries.items():
        state.issued.remove(key)
        state.deferred[key] = at
    wake_at = min([at for at in (decision.wake_at, *retries.values()) if at is not None])
    return decision.model_copy(update={"wake_at": wake_at, "run_status": "running"})
