"""An order's timeline, one step at a time: apply its events, send what is due, save once, and park it.

Whoever holds the order's wait token advances the order, so exactly one does at a time:

- ``record``: the execution's first task ("Record the order and promise"), and "Advance the order": a
  "Waiting for ..." state stores its token with one conditional write of its own (``adapters.orders
  .park_request``, an AWS SDK integration of the state machine), only if no event was announced since the last
  step and the order's phase is the one it waits in; when that write is refused, or the wait times out, the
  state machine advances the order at once with this step;
- ``wake``: intake stored an event (or a timer fired), took the stored token as it announced it, and handed it over;
- ``wait``: a "Waiting for ..." task of an execution started under the older definition, which invoked this
  function to park (the same write, or the step when it is refused or its wake-up time has come). Kept until
  those executions have ended (docs/runbook.md, "Deploying the SDK park").

Intake stores the event *then* announces it (``arrived`` + 1) and takes the token in one write; a step reads
``arrived`` before the events and records how many it ``accounted`` for; ``wait`` parks only while the two are
equal. So an event stored while the execution was busy is always seen by one of the two sides, and exactly one
advances the order. A step that finishes the order has no wait after it: its save is refused when an event was
announced since it read the order (``ArrivedMeanwhile``), and it runs again with that event; nor does it finish
while announced events it did not take are pending. Each step arms the timer for its next wake-up (``_rearm``)
and records it with its state.

A step sends its due contacts in-process (services/sender.py) *before* saving: if the save fails, the next
step plans them again and the contact ledger answers "already sent". A contact whose send provably failed is
planned again at its retry instant (``domain.timeline.reschedule``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from outreach_lambda.adapters.orders import MAX_EVENTS_PER_STEP, ArrivedMeanwhile, OrderRecord
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import TIMER_DETAIL_TYPE, timer_key
from outreach_lambda.domain.model import Decision, InboundEvent
from outreach_lambda.domain.stages import phase
from outreach_lambda.domain.timeline import advance, reschedule
from outreach_lambda.observability import logger, metrics
from outreach_lambda.ports import Alerts, OrdersStore, SendSlots, TaskTokens, Timers
from outreach_lambda.services.sender import Sender
from outreach_lambda.step_contract import TimelineResult

#: A wait times out this long after its wake-up time and re-checks the order: a lost timer costs no more.
TIMER_GRACE = timedelta(hours=1)
#: With nothing planned (waiting only for an event), the order is re-checked this often all the same.
IDLE_RECHECK = timedelta(days=7)


#: A wake-up this late, with its timer still armed, means the timer did not fire.
OVERDUE = timedelta(minutes=5)
#: Runs of a step in one invocation while events keep arriving as it would finish the order (then the state
#: machine's retry takes over).
FINISH_ATTEMPTS = 3


class OrderNotRegistered(RuntimeError):
    pass


def wait_seconds(wake_at: datetime | None, now: datetime) -> int:
    """The safety-net timeout of the next wait: past its wake-up time by TIMER_GRACE (at least a second)."""
    span = (wake_at - now + TIMER_GRACE) if wake_at is not None else IDLE_RECHECK
    return max(1, math.ceil(span.total_seconds()))


def _timers_fired(events: Iterable[InboundEvent]) -> set[str]:
    """The armed-timer keys (``timer_key``) of the Timer Due events among ``events`` (stored as events by the
    older intake; now intake records a fired timer on the order itself: ``OrderRecord.fired_timers``)."""
    return {
        timer_key(datetime.fromisoformat(str(e.detail["dueAt"])))
        for e in events
        if e.detail_type == TIMER_DETAIL_TYPE and e.detail.get("dueAt")
    }


@dataclass(frozen=True)
class Timeline:
    orders: OrdersStore
    alerts: Alerts
    slots: SendSlots
    sender: Sender
    timers: Timers
    tokens: TaskTokens
    config: OutreachConfig

    def record(self, order_id: str, now: datetime) -> TimelineResult:
        """The first step of an order's execution: the order, its promise, the confirmation."""
        return self.step(order_id, now)

    def wait(
        self, order_id: str, waiting_for: str, token: str, wake_at: datetime | None, now: datetime
    ) -> Literal["parked", "advanced"]:
        """Park the execution on ``token`` until the next contact is due or an event arrives (a wait of the
        older definition; the current one makes the write itself).

        One conditional write stores the token, only if no event arrived since the last step and the order
        is still where the execution thinks (a resumed execution may start in another phase). Otherwise, or
        when the wake-up time has come, the execution is advanced at once. The timer was armed by the step."""
        due_now = wake_at is not None and wake_at <= now
        if not due_now and self.orders.park(order_id, token, waiting_for):
            logger.info("parked", extra={"orderId": order_id, "waitingFor": waiting_for})
            return "parked"
        self.tokens.complete(token, self.step(order_id, now).to_payload())
        logger.info("advanced at once", extra={"orderId": order_id, "dueNow": due_now})
        return "advanced"

    def wake(self, order_id: str, token: str, now: datetime) -> TimelineResult | None:
        """Intake claimed the parked execution's token for an event or a timer: advance it and let it go on.

        A step that fails fails the token (the state machine retries the wait, which finds the event again)."""
        try:
            result = self.step(order_id, now)
        except Exception as exc:
            logger.exception("timeline step failed", extra={"orderId": order_id})
            self.tokens.fail(token, "TimelineStepFailed", f"{type(exc).__name__}: {exc}"[:250])
            return None
        self.tokens.complete(token, result.to_payload())
        return result

    def step(self, order_id: str, now: datetime) -> TimelineResult:
        """Apply what arrived, send what is due, save. A step that would finish the order while another event
        was announced to it runs again at once with that event (``ArrivedMeanwhile``): what it sent the first
        time the contact ledger answers as sent. Past ``FINISH_ATTEMPTS`` the error goes to the state machine,
        which retries the step later."""
        for _ in range(FINISH_ATTEMPTS - 1):
            try:
                return self._step(order_id, now)
            except ArrivedMeanwhile:
                logger.info("an event arrived as the order finished: the step runs again", extra={"orderId": order_id})
        return self._step(order_id, now)

    def _step(self, order_id: str, now: datetime) -> TimelineResult:
        record, pending = self.orders.load(order_id)  # one read: the state and the events not applied yet
        if record is None:
            raise OrderNotRegistered(f"orderId: order {order_id!r} has no STATE item")
        inbox = pending[:MAX_EVENTS_PER_STEP]
        # The state just read is handed over (``owned``): only its being there or not is looked at again below.
        decision = advance(
            record.state,
            [event for _, event in inbox],
            now,
            self.config,
            lambda _: self.slots.reserve(now),
            owned=True,
        )
        sent = [self.sender.deliver(decision.state, c, now) for c in decision.contacts] if decision.state else []
        decision = reschedule(decision, {r.key: r.retry_at for r in sent if r.status == "retry" and r.retry_at})
        if len(pending) > MAX_EVENTS_PER_STEP and decision.run_status != "running" and decision.state is not None:
            # Not finished while events it has not read are pending: the order waits in its last phase, whose
            # wait refuses to park (arrived > accounted), so the next step reads the rest at once.
            decision = decision.model_copy(update={"run_status": "running"})
        state = decision.state
        result = TimelineResult(
            order_id=order_id,
            phase=phase(state, decision.run_status) if state is not None else "complete",
            wake_at=decision.wake_at,
            wait_seconds=wait_seconds(decision.wake_at, now),
            promised_date=state.promised if state is not None else None,
            contacts_sent=list(state.issued) if state is not None else [],
        )
        timer, stale_timer = self._rearm(record, inbox, decision, now)
        # Every event intake announced is accounted for once every pending one is applied (the wait parks only
        # then); with more than a step takes, the next wait finds the rest.
        accounted = record.arrived if len(pending) <= MAX_EVENTS_PER_STEP else record.accounted
        self.orders.save_step(
            record, decision, [e.event_id for _, e in inbox], phase=result.phase, timer=timer, accounted=accounted
        )

        for event_id, told in decision.batch_outcomes.items():
            self._count_batch_outcome(event_id, told, now)
        if decision.first_slip:
            metrics.add_metric(name="OrdersSlipped", unit="Count", value=1)
        for note in decision.notes:
            logger.info(note, extra={"orderId": order_id})
        for alert in decision.alerts:
            self.alerts.publish(alert.model_dump(mode="json", by_alias=True))
            metrics.add_metric(name=f"Alert_{alert.kind}", unit="Count", value=1)
        if decision.new_quotes and record.state is not None:
            metrics.add_metric(name="PromisesBroken", unit="Count", value=len(decision.new_quotes))
        if decision.run_status != "running" and state is not None:
            self.orders.release_skus(order_id, [i.sku for i in state.order.items])
        if stale_timer is not None:
            self._disarm(order_id, stale_timer)
        logger.info(
            "timeline step",
            extra={
                "orderId": order_id,
                "events": [e.detail_type for _, e in inbox],
                "contacts": {r.key: r.status for r in sent},
                "wakeAt": result.wake_at.isoformat() if result.wake_at else None,
                "phase": result.phase,
            },
        )
        return result

    def _rearm(
        self, record: OrderRecord, inbox: list[tuple[str, InboundEvent]], decision: Decision, now: datetime
    ) -> tuple[tuple[str, str] | None, str | None]:
        """The order's timer after this step (name, due), armed for the next wake-up (None: no timer), and the
        name of the armed timer it replaces (None: none), which the caller disarms once the step is saved: a step
        whose save fails (and runs again) must not have deleted the timer the order still records.

        A timer deletes itself when it fires: the step that reads it fired (intake recorded it on the order)
        forgets it. One still armed well past its time never fired (ops watch ``TimersOverdue``); a finished
        order's is disarmed. A timer armed by a step whose save then fails fires for nothing: intake announces
        only the timer the order records."""
        armed = (record.timer_name, record.timer_due_at) if record.timer_name and record.timer_due_at else None
        if armed is not None and armed[1] in record.fired_timers | _timers_fired(event for _, event in inbox):
            armed = None
        if armed is not None and now - datetime.fromisoformat(armed[1]) >= OVERDUE:
            metrics.add_metric(name="TimersOverdue", unit="Count", value=1)
            logger.warning("timer overdue", extra={"orderId": record.order_id, "dueAt": armed[1]})
        wake_at = decision.wake_at if decision.run_status == "running" else None
        wanted = timer_key(wake_at) if wake_at is not None and wake_at > now else None
        if (armed[1] if armed else None) == wanted:
            return armed, None
        stale = armed[0] if armed is not None else None
        if wake_at is None or wanted is None:
            return None, stale
        return (self.timers.arm(record.order_id, wake_at), wanted), stale

    def _disarm(self, order_id: str, name: str) -> None:
        """Delete a timer the saved step replaced. If that fails it fires for nothing (intake announces only the
        timer the order records), so the step is not failed for it."""
        try:
            self.timers.disarm(name)
        except Exception:
            logger.warning("replaced timer not deleted: it will fire for nothing", extra={"orderId": order_id})

    def _count_batch_outcome(self, event_id: str, told: bool, now: datetime) -> None:
        """Count one order's outcome of a sku batch delay; the last one reports the batch to ops, once."""
        summary = self.orders.count_batch_outcome(event_id, told)
        if summary is None:
            return
        self.alerts.publish({"kind": "batch_delay", "at": now.isoformat(), "details": summary})
        metrics.add_metric(name="Alert_batch_delay", unit="Count", value=1)
