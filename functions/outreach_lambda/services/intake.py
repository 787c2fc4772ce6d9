"""Event intake: validate an order event, hand it to its order's timeline, or dead-letter it with a reason.

An event is first stored in the order's inbox, then announced to the order in one write that also takes the
execution's wait token (if it is parked), which intake hands to the timeline function. An execution that is busy
finds the event itself before it parks again, or before it finishes the order (services/timeline.py), so no event
is lost between two waits.

What is rejected, each to the dead-letter queue with a code and a reason naming the field
(docs/contracts.md, "Validation and bounds"): a malformed envelope or a non-object event or detail, an event
time far from its arrival, a detail with a bound broken or a date implausible for the event's time
(``INVALID_EVENT``); an unknown detail-type (``UNKNOWN_DETAIL_TYPE``); an internal detail-type from outside or
the reverse (``SOURCE_MISMATCH``); a date before the order was placed (``INVALID_EVENT``); an unknown order
(``UNKNOWN_ORDER``); a second, different Order Placed for a known order (``CONFLICTING_ORDER``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from outreach_lambda.adapters.orders import Announcement, OrderRecord, OrderStanding
from outreach_lambda.domain.business_hours import add_business_minutes
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import (
    DETAIL_TYPE_OF,
    OFFER_DUE_DETAIL_TYPE,
    REPLY_DUE_DETAIL_TYPE,
    SKU_DELAY_CONTINUED_DETAIL_TYPE,
    AddressChangeRequested,
    CallbackRequested,
    CatalogRequested,
    CustomerMessageAnswered,
    CustomerMessageReceived,
    DesignAdviceDue,
    Detail,
    EventEnvelope,
    FeedbackReceived,
    OrderPlaced,
    ProductionDelayed,
    ReplyDue,
    SkuDelayContinued,
    TimerDue,
    UnknownDetailType,
    Unsubscribed,
    WrongSource,
    check_received,
    check_source,
    dated_after_placement,
    fingerprint,
    parse_detail,
    parse_envelope,
    placement_problem,
    timer_key,
)
from outreach_lambda.domain.model import FINISHED_RUN_STATUSES as FINISHED
from outreach_lambda.domain.model import InboundEvent, OrderState
from outreach_lambda.domain.quiet_hours import next_allowed
from outreach_lambda.domain.rules import late_address_change, late_feedback, order_context
from outreach_lambda.observability import logger, metrics
from outreach_lambda.ports import (
    Alerts,
    AsyncFunction,
    Conversations,
    DeadLetters,
    Executions,
    InternalTimers,
    OptOuts,
    OrderEvents,
    OrdersStore,
    RemainingTime,
)
from outreach_lambda.step_contract import (
    CatalogSendRequest,
    FeedbackNote,
    IntakeResult,
    MessageAckRequest,
    SendRequest,
    WakeRequest,
)

#: Orders of a sku delay handled between two looks at the clock: their standings read, the delay stored, then woken.
SKU_DELAY_GROUP = 25
#: With less time than this left, intake hands the rest of a sku delay on (``Sku Delay Continued``) and returns.
#: A group is at most 25 x 3 AWS calls (store the event, announce it and take the wait token, invoke the
#: timeline) + 1 (read the group's standings): ~0.8 s at the ~10 ms such calls take, 3.8 s even at 50 ms each;
#: then one PutEvents (or the report's closing write) and the metrics flush. 6 s of the 30 s timeout
#: (``wiring.FUNCTION_TIMEOUT``) leaves room for a slow group, and an invocation still spends 80% of its time on
#: orders.
CONTINUE_BELOW_MS = 6_000
#: Served by intake itself, never by an order's timeline (events.OUTSIDE_TIMELINE but the catalog request).
OUTSIDE_TIMELINE_MODELS = (
    Unsubscribed,
    CallbackRequested,
    CustomerMessageReceived,
    CustomerMessageAnswered,
    ReplyDue,
    DesignAdviceDue,
)


@dataclass(frozen=True)
class Intake:
    orders: OrdersStore
    executions: Executions
    timeline: AsyncFunction
    dead_letters: DeadLetters
    sender: AsyncFunction
    alerts: Alerts
    config: OutreachConfig = field(default_factory=OutreachConfig)
    #: Customer messages and who has ordered; opt-outs; one-time internal timers (None: not served).
    conversations: Conversations | None = None
    opt_outs: OptOuts | None = None
    timers: InternalTimers | None = None
    #: Where a sku delay too large for one invocation is handed on (None: one invocation does it all).
    bus: OrderEvents | None = None

    def handle(self, raw: Any, now: datetime, budget: RemainingTime | None = None) -> IntakeResult:
        """Serve one event; ``budget`` (the Lambda context) says how long this invocation may still run."""
        try:
            envelope = parse_envelope(raw)
            event_time = envelope.time or now
            check_received(event_time, now)
            check_source(envelope.detail_type, envelope.source)
            detail = parse_detail(envelope.detail_type, envelope.detail, event_time)
        except UnknownDetailType as exc:
            return self._reject(raw, "UNKNOWN_DETAIL_TYPE", str(exc))
        except WrongSource as exc:
            return self._reject(raw, "SOURCE_MISMATCH", str(exc))
        except ValidationError as exc:
            return self._reject(raw, "INVALID_EVENT", _problems(exc))
        except ValueError as exc:
            return self._reject(raw, "INVALID_EVENT", str(exc))

        detail_type, event_id = envelope.detail_type, envelope.id
        # The inbox holds the validated detail (stripped, normalised, without unknown extra fields), so what
        # the timeline reads is exactly what was judged here, and bounded in size.
        inbound = InboundEvent(
            event_id=event_id,
            detail_type=detail_type,
            detail=detail.model_dump(mode="json", by_alias=True, exclude_none=True),
            time=event_time,
            received_at=now,
        )
        if isinstance(detail, CatalogRequested):
            return self._catalog(detail, inbound, now)
        if isinstance(detail, OUTSIDE_TIMELINE_MODELS):
            return self._outside_timeline(detail, raw, now, event_id)
        if isinstance(detail, OrderPlaced):
            return self._place(detail, raw, inbound, now)
        if isinstance(detail, TimerDue):
            return self._timer_due(detail, inbound)

        if isinstance(detail, ProductionDelayed) and not detail.order_id:
            return self._sku_delay(detail, raw, inbound, now, budget)
        if isinstance(detail, SkuDelayContinued):
            return self._sku_delay_continued(detail, raw, now, budget)
        order_id: str = detail.order_id  # type: ignore[attr-defined]

        # What the event is judged by: the order's run status and placedAt. Feedback and an address change are
        # served from the order's state once its timeline is over, so for those the whole record is read.
        served_late = isinstance(detail, FeedbackReceived | AddressChangeRequested)
        if not served_late and not dated_after_placement(detail):
            return self._announce(order_id, raw, inbound)
        record = self.orders.get(order_id) if served_late else None
        standing = (record.standing if record else None) if served_late else self.orders.standings([order_id])[order_id]
        problem = self._placement_problem(detail, order_id, standing, record)
        if problem is not None:
            return self._reject(raw, "INVALID_EVENT", f"detail.{problem} (order {order_id!r})")
        if standing is None:
            return self._reject(raw, "UNKNOWN_ORDER", f"detail.orderId: unknown order {order_id!r}")
        if standing.run_status in FINISHED:
            if isinstance(detail, FeedbackReceived) and record is not None and record.state is not None:
                self._late_feedback(record.state, detail, now)
                return _accepted([order_id])
            if isinstance(detail, AddressChangeRequested) and record is not None and record.state is not None:
                for alert in late_address_change(record.state, detail, now):
                    self.alerts.publish(alert.model_dump(mode="json", by_alias=True))
                return _accepted([order_id])
            self._ignored(inbound, order_id, standing.run_status)
            return _accepted([])
        return _accepted([order_id] if self._store_and_wake(order_id, inbound) else [])

    # -- a delay of one sku: every open order of it, in slices ------------------------------------------------
    def _sku_delay(
        self, delay: ProductionDelayed, raw: Any, inbound: InboundEvent, now: datetime, budget: RemainingTime | None
    ) -> IntakeResult:
        """Every open order of the sku hears of the delay, in order id order. The whole event is judged first
        (one order it contradicts rejects it); then the orders are reached a group at a time while time lasts,
        and the rest is handed on to a continuation of intake (``Sku Delay Continued``), as often as needed."""
        assert delay.sku is not None
        order_ids = sorted(self.orders.orders_with_sku(delay.sku))
        if not order_ids:
            return self._reject(raw, "UNKNOWN_ORDER", f"detail.sku: no open order has sku {delay.sku!r}")
        # One BatchGetItem per 100 orders: ~1% of what reaching them costs, so the check fits the first slice.
        standings = self.orders.standings(order_ids)
        for order_id in order_ids:
            problem = self._placement_problem(delay, order_id, standings.get(order_id), None)
            if problem is not None:
                return self._reject(raw, "INVALID_EVENT", f"detail.{problem} (order {order_id!r})")
        fan_out = self.orders.open_batch(inbound.event_id, delay.sku, delay.reason, now)
        if fan_out == "closed":  # a redelivery after every order was reached: each has it stored already
            logger.info("redelivered sku delay ignored", extra={"eventId": inbound.event_id})
            return _accepted([])
        return self._fan_out(inbound, order_ids, standings, fan_out == "open", now, budget)

    def _sku_delay_continued(
        self, continued: SkuDelayContinued, raw: Any, now: datetime, budget: RemainingTime | None
    ) -> IntakeResult:
        """The next slice of a sku delay: the sku's open orders after the last one done, read again now (an order
        finished since is skipped, one placed after the delay arrived is not part of it)."""
        delay = continued.delay()
        inbound = InboundEvent(
            event_id=continued.event_id,
            detail_type=DETAIL_TYPE_OF[ProductionDelayed],
            detail=delay.model_dump(mode="json", by_alias=True, exclude_none=True),
            time=continued.event_time,
            received_at=continued.received_at,
        )
        fan_out = self.orders.batch_fan_out(continued.event_id)
        if fan_out is None:  # no sku delay of that id was judged and opened here: not intake's own continuation
            reason = f"detail.eventId: no sku delay {continued.event_id!r} is being reached"
            return self._reject(raw, "SOURCE_MISMATCH", reason)
        if fan_out == "closed":  # a redelivered continuation, or a second chain after a redelivered original
            logger.info("sku delay already reached every order", extra={"eventId": continued.event_id})
            return _accepted([])
        order_ids = sorted(self.orders.orders_with_sku(continued.sku, after=continued.after))
        return self._fan_out(inbound, order_ids, None, fan_out == "open", now, budget, continued.reached)

    def _fan_out(
        self,
        inbound: InboundEvent,
        order_ids: list[str],
        standings: dict[str, OrderStanding | None] | None,
        counting: bool,
        now: datetime,
        budget: RemainingTime | None,
        reached_before: int = 0,
    ) -> IntakeResult:
        """Store and hand over the delay for ``order_ids`` a group at a time (their ``standings`` read per group
        when not given); hand the rest on when time runs short; close the batch report after the last group.

        Every open order reached is counted and woken, also one that has the delay stored already (by an intake
        that stopped mid-group, or by another chain of a redelivered delay): the count is of the orders the delay
        is for, not of this invocation's writes, so faults and redeliveries cannot make it short or double. It is
        carried to the next slice in the continuation and written once, when the last slice closes the report."""
        delivered: list[str] = []
        reached_total = reached_before
        for start in range(0, len(order_ids), SKU_DELAY_GROUP):
            if start and self._time_short(budget):
                self._continue(inbound, after=order_ids[start - 1], reached=reached_total)
                return _accepted(delivered)
            group = order_ids[start : start + SKU_DELAY_GROUP]
            # The judging read is fresh for the first group only: an order may finish while the slice runs.
            found = standings if standings is not None and not start else self.orders.standings(group)
            for order_id in (i for i in group if self._reaches(inbound, i, found.get(i))):
                stored = self._store(order_id, inbound)
                # A second wake-up of an order costs it one step, never a second message. An order that finished
                # since its standing was read refuses the announcement: not counted, its report never awaited.
                if self._wake(order_id, inbound):
                    reached_total += 1
                    delivered.extend([order_id] if stored else [])
        if counting:
            summary = self.orders.close_batch(inbound.event_id, reached_total)
            if summary is not None:  # every order reported before the fan-out closed: the report is intake's
                self._publish("batch_delay", None, now, summary)
        return _accepted(delivered)

    def _time_short(self, budget: RemainingTime | None) -> bool:
        if budget is None or self.bus is None:
            return False
        return budget.get_remaining_time_in_millis() < CONTINUE_BELOW_MS

    def _continue(self, inbound: InboundEvent, after: str, reached: int) -> None:
        """Hand the rest of a sku delay on: the original event, the last order id done (not the ids left) and how
        many open orders the slices so far reached."""
        assert self.bus is not None
        detail = {
            "eventId": inbound.event_id,
            **inbound.detail,
            "eventTime": inbound.time.isoformat(),
            "receivedAt": inbound.received_at.isoformat(),
            "after": after,
            "reached": reached,
        }
        self.bus.put(SKU_DELAY_CONTINUED_DETAIL_TYPE, detail)
        logger.info("sku delay continued", extra={"eventId": inbound.event_id, "after": after})
        metrics.add_metric(name="SkuDelaysContinued", unit="Count", value=1)

    def _reaches(self, inbound: InboundEvent, order_id: str, standing: OrderStanding | None) -> bool:
        """Whether a sku delay is for this order of the sku index: open, and registered before it arrived."""
        if standing is None:  # in the sku index without an order (not written so): the other orders still hear of it
            logger.warning("sku index entry without an order skipped", extra=_ctx(inbound, order_id))
        elif standing.run_status in FINISHED and standing.has_applied(inbound.event_id):
            return True  # applied before the order finished (an earlier chain of this delay): counted again
        elif standing.run_status in FINISHED:
            logger.info("event for a finished order ignored", extra=_ctx(inbound, order_id, standing.run_status))
        elif standing.registered_at is not None and standing.registered_at > inbound.received_at:
            logger.info("order placed after the sku delay arrived: not part of it", extra=_ctx(inbound, order_id))
        else:
            return True
        metrics.add_metric(name="EventsIgnored", unit="Count", value=1)
        return False

    def _place(self, placed: OrderPlaced, raw: Any, inbound: InboundEvent, now: datetime) -> IntakeResult:
        order_id = placed.order_id
        content = fingerprint(placed)
        skus = [i.sku for i in placed.items]
        placed_local = placed.placed_at.astimezone(placed.customer.zone)
        if not self.orders.register(order_id, inbound.event_id, skus, now, fingerprint=content, placed_at=placed_local):
            record = self.orders.get(order_id)
            if record is not None and record.placed_fingerprint not in (None, content):
                reason = (
                    f"detail: a different Order Placed for order {order_id!r} was accepted before "
                    f"(event {record.placed_event_id}); an order is placed once, change it with its own events"
                )
                return self._reject(raw, "CONFLICTING_ORDER", reason)
            if record is None or record.placed_event_id != inbound.event_id:
                logger.warning("duplicate Order Placed ignored", extra=_ctx(inbound, order_id))
                metrics.add_metric(name="DuplicateOrders", unit="Count", value=1)
                return IntakeResult(outcome="duplicate", order_ids=[order_id])
        # Stored before the execution starts: the execution records the order from its inbox, so no
        # customer data travels through Step Functions input or history.
        if self.conversations is not None:  # a catalog requester who orders gets no design-advice offer
            self.conversations.note_order(placed.customer.email, order_id, now)
        self.orders.put_inbox(order_id, inbound)
        self.executions.start(order_id)
        metrics.add_metric(name="OrdersPlaced", unit="Count", value=1)
        logger.info("order timeline started", extra=_ctx(inbound, order_id))
        return IntakeResult(outcome="accepted", order_ids=[order_id])

    def _timer_due(self, due: TimerDue, inbound: InboundEvent) -> IntakeResult:
        """A timeline's own timer (source ``outreach.timer``, armed by a step of its order): announced on the order
        and handed on in one write, without reading the order or storing the timer as an event. Only the timer
        the order has armed counts: one it replaced or disarmed, one of a finished or unknown order, and a
        redelivery after a step read the fire are ignored (``claim_timer``)."""
        announced, token = self.orders.claim_timer(due.order_id, timer_key(due.due_at))
        if not announced:
            logger.info("timer not armed (any more) ignored", extra=_ctx(inbound, due.order_id))
            return _accepted([])
        self._hand_over(due.order_id, token, inbound.detail_type)
        return _accepted([due.order_id])

    def _catalog(self, request: CatalogRequested, inbound: InboundEvent, now: datetime) -> IntakeResult:
        """The follow-up now, the design-advice offer later. The same event again (Lambda's retry after a failure
        past the record, a redelivery) does what is left: the contact ledger sends each contact once, and the
        offer's timer, named by the time the request was first received, is armed once."""
        received = self.orders.put_catalog_request(request, inbound.event_id, now)
        if received is None:
            logger.info("duplicate catalog request ignored", extra={"requestId": request.request_id})
            return IntakeResult(outcome="duplicate")
        now = received
        self.sender.invoke(CatalogSendRequest(request_id=request.request_id).to_payload())
        if self.timers is not None:
            zone = request.customer.zone
            due = next_allowed(
                now + timedelta(days=self.config.design_advice_offer_days), zone, self.config.quiet_hours
            )
            detail = {"requestId": request.request_id, "dueAt": due.astimezone(UTC).isoformat()}
            self.timers.arm_event(f"offer#{request.request_id}", due, OFFER_DUE_DETAIL_TYPE, detail)
        metrics.add_metric(name="CatalogRequests", unit="Count", value=1)
        return IntakeResult(outcome="accepted")

    # -- outside any order's timeline: opt-outs, callbacks, customer messages, their timers ------------------
    def _outside_timeline(self, detail: Detail, raw: Any, now: datetime, event_id: str) -> IntakeResult:
        if isinstance(detail, Unsubscribed | CallbackRequested):
            return self._customer_action(detail, raw, now)
        if isinstance(detail, CustomerMessageReceived):
            return self._message_received(detail, raw, now, event_id)
        if isinstance(detail, CustomerMessageAnswered):
            if self.conversations is None or not self.conversations.answered(detail.message_id, now):
                return self._reject(raw, "UNKNOWN_MESSAGE", f"detail.messageId: unknown message {detail.message_id!r}")
            logger.info("customer message answered", extra={"messageId": detail.message_id})
            return IntakeResult(outcome="accepted")
        if isinstance(detail, ReplyDue):
            return self._reply_due(detail, now)
        assert isinstance(detail, DesignAdviceDue)
        request = CatalogSendRequest(request_id=detail.request_id, kind="design_advice_offer")
        self.sender.invoke(request.to_payload())
        return IntakeResult(outcome="accepted")

    def _whose(self, order_id: str | None, request_id: str | None) -> tuple[OrderState | None, CatalogRequested | None]:
        state = None
        request = None
        if order_id is not None:
            record = self.orders.get(order_id)
            state = record.state if record is not None else None
        if request_id is not None:
            request = self.orders.get_catalog_request(request_id)
        return state, request

    def _customer_action(self, detail: Unsubscribed | CallbackRequested, raw: Any, now: datetime) -> IntakeResult:
        """Unsubscribed: the address goes on the opt-out list. Callback Requested: ops are asked to call."""
        state, request = self._whose(detail.order_id, detail.request_id)
        if state is None and request is None:
            which = (
                f"orderId: unknown order {detail.order_id!r}"
                if detail.order_id
                else (f"requestId: unknown catalog request {detail.request_id!r}")
            )
            return self._reject(raw, "UNKNOWN_ORDER", f"detail.{which}")
        ids = {"orderId": detail.order_id} if detail.order_id else {"requestId": detail.request_id}
        if isinstance(detail, Unsubscribed):
            email = state.order.customer.email if state is not None else request.customer.email  # type: ignore[union-attr]
            if self.opt_outs is not None:
                self.opt_outs.add(email, "unsubscribed by one-click link", now)
            logger.info("unsubscribed", extra=ids)
            metrics.add_metric(name="Unsubscribed", unit="Count", value=1)
            return IntakeResult(outcome="accepted", order_ids=[detail.order_id] if detail.order_id else [])
        details: dict[str, Any] = {**ids}
        if request is not None:
            details["requestId"] = request.request_id
        if detail.note:
            details["note"] = detail.note
        if state is not None:
            details["context"] = order_context(state)
        self._publish("callback_requested", detail.order_id, now, details)
        return IntakeResult(outcome="accepted", order_ids=[detail.order_id] if detail.order_id else [])

    def _message_received(
        self, message: CustomerMessageReceived, raw: Any, now: datetime, event_id: str
    ) -> IntakeResult:
        """An acknowledgement saying when they will hear back; ops get everything we know; the SLA clock starts."""
        if self.conversations is None:
            return self._reject(raw, "NOT_SERVED", "detail-type: customer messages are not served by this intake")
        state, request = self._whose(message.order_id, message.request_id)
        customer = (
            state.order.customer if state is not None else request.customer if request is not None else message.customer
        )
        if customer is None:
            which = "orderId" if message.order_id else "requestId"
            return self._reject(
                raw, "UNKNOWN_ORDER", f"detail.{which}: unknown {which}, and no customer given to answer to"
            )
        answer_by = add_business_minutes(now, self.config.reply_sla_minutes, self.config.business_hours)
        who = {
            "to": customer.email,
            "name": customer.name,
            "timezone": customer.timezone,
            "locale": customer.locale or "",
        }
        # The same event again (Lambda's retry after a failure past the record, a redelivery) does it all again with
        # the answer-by time first recorded: the acknowledgement goes once (contact ledger), the SLA timer is armed
        # once (named by that time); ops may hear of the message twice rather than never.
        recorded = self.conversations.open(message, who, answer_by, now, event_id)
        if recorded is None:
            logger.info("redelivered customer message ignored", extra={"messageId": message.message_id})
            return IntakeResult(outcome="duplicate")
        answer_by = recorded
        details: dict[str, Any] = {
            "messageId": message.message_id,
            "channel": message.channel,
            "text": message.text,
            "answerBy": answer_by.isoformat(),
        }
        if message.subject:
            details["subject"] = message.subject
        if message.request_id:
            details["requestId"] = message.request_id
        if state is not None:
            details["context"] = order_context(state)
        elif message.order_id:
            details["unknownOrder"] = message.order_id
        self._publish("customer_message", state.order_id if state is not None else None, now, details)
        # Nothing automatic ever goes to a cancelled order's customer: the help desk answers by hand (ops are told).
        if state is None or state.status != "cancelled":
            self.sender.invoke(MessageAckRequest(message_id=message.message_id).to_payload())
        if self.timers is not None:
            detail = {"messageId": message.message_id, "dueAt": answer_by.isoformat()}
            self.timers.arm_event(f"reply#{message.message_id}", answer_by, REPLY_DUE_DETAIL_TYPE, detail)
        metrics.add_metric(name="CustomerMessages", unit="Count", value=1)
        return IntakeResult(outcome="accepted", order_ids=[state.order_id] if state is not None else [])

    def _reply_due(self, due: ReplyDue, now: datetime) -> IntakeResult:
        """The SLA ran out: reply_overdue unless the message was answered (once per message)."""
        if self.conversations is None or not self.conversations.overdue(due.message_id, now):
            return IntakeResult(outcome="ignored")
        recorded = self.conversations.get(due.message_id) or {}
        message: CustomerMessageReceived | None = recorded.get("message")
        order_id = message.order_id if message is not None else None
        details: dict[str, Any] = {
            "messageId": due.message_id,
            "receivedAt": recorded.get("receivedAt"),
            "answerBy": recorded.get("answerBy"),
        }
        self._publish("reply_overdue", order_id, now, details)
        return IntakeResult(outcome="accepted")

    def _publish(self, kind: str, order_id: str | None, now: datetime, details: dict[str, Any]) -> None:
        alert: dict[str, Any] = {"kind": kind, "at": now.isoformat(), "details": details}
        if order_id:
            alert["orderId"] = order_id
        self.alerts.publish(alert)
        metrics.add_metric(name=f"Alert_{kind}", unit="Count", value=1)

    def _late_feedback(self, state: OrderState, feedback: FeedbackReceived, now: datetime) -> None:
        contact, alerts = late_feedback(state, feedback, now, self.config)
        for alert in alerts:
            self.alerts.publish(alert.model_dump(mode="json", by_alias=True))
        if contact is not None:
            note = FeedbackNote(rating=feedback.rating, comment=feedback.comment)
            self.sender.invoke(SendRequest(order_id=state.order_id, contact=contact, feedback=note).to_payload())
        logger.info("feedback after the timeline served", extra={"orderId": state.order_id, "rating": feedback.rating})

    def _announce(self, order_id: str, raw: Any, inbound: InboundEvent) -> IntakeResult:
        """An event for one order with no date to judge against the placement: stored, then announced in the one
        write that also says whether the order exists and is open (no read before it, one call fewer).

        An unknown order's event is removed again, only while the order still does not exist (``forget_event``
        checks its STATE item in the same transaction), and dead-lettered: a redrive once the order exists stores
        it anew. If the order was registered meanwhile, its first step may already have read the event: it stays
        the order's and is announced (a step applies the Order Placed before any event received earlier). A
        finished order's event stays stored, unapplied, and is ignored. A redelivery is announced again: the intake
        before it may have stopped between storing and announcing (an extra announcement costs one step, no more);
        one left stored for an unknown order by an intake that stopped is removed and dead-lettered then."""
        redelivered = not self.orders.put_inbox(order_id, inbound)
        found = self.orders.announce(order_id)
        if found.standing is None:
            if self.orders.forget_event(order_id, inbound.event_id):
                return self._reject(raw, "UNKNOWN_ORDER", f"detail.orderId: unknown order {order_id!r}")
            found = self.orders.announce(order_id)  # registered in the meantime: the event is the order's
            if found.standing is None:  # pragma: no cover - an order is never deleted
                raise RuntimeError(f"order {order_id!r} registered and gone")
        if not self._taken(order_id, inbound, found):
            return _accepted([])
        if redelivered and found.announced:  # accepted before; announced again in case the intake before stopped
            logger.info("redelivered event announced again", extra=_ctx(inbound, order_id))
        return _accepted([] if redelivered else [order_id])

    @staticmethod
    def _ignored(inbound: InboundEvent, order_id: str, run_status: str) -> None:
        if run_status in FINISHED:
            logger.info("event for a finished order ignored", extra=_ctx(inbound, order_id, run_status))
            metrics.add_metric(name="EventsIgnored", unit="Count", value=1)
        else:
            logger.info("redelivered event ignored", extra=_ctx(inbound, order_id))

    def _store_and_wake(self, order_id: str, inbound: InboundEvent) -> bool:
        """Store the event for the order's execution and wake it; False for a redelivery (stored before) and for
        an order that finished since it was read. A redelivery is announced again, as in ``_announce``: the
        intake before it may have stopped between storing and announcing."""
        stored = self._store(order_id, inbound)
        return self._wake(order_id, inbound) and stored

    def _store(self, order_id: str, inbound: InboundEvent) -> bool:
        """Store the event in the order's inbox; False for a redelivery (stored before: it is announced again)."""
        if not self.orders.put_inbox(order_id, inbound):
            logger.info("redelivered event announced again", extra=_ctx(inbound, order_id))
            return False
        return True

    def _wake(self, order_id: str, inbound: InboundEvent) -> bool:
        """Announce a stored event to its order and hand a parked execution's token to the timeline function,
        which advances the order and lets it go on. An execution that is busy has no stored token: it finds the
        event itself before it parks again (or, finishing the order, is refused and runs again with it).

        False: the order finished after it was read without the event; it stays stored, unapplied, as for any
        finished order. A finishing step that read the event before this announcement (it was stored) applied
        it: then the event is the order's (True), and the order has counted its outcome."""
        return self._taken(order_id, inbound, self.orders.announce(order_id))

    def _taken(self, order_id: str, inbound: InboundEvent, found: Announcement) -> bool:
        """What an announcement of the stored event found: announced (a parked execution's token handed over),
        or refused by a finished order that had applied it all the same (True); refused otherwise (False)."""
        if found.announced:
            self._hand_over(order_id, found.token, inbound.detail_type)
            return True
        if found.standing is not None and found.standing.has_applied(inbound.event_id):
            logger.info("event applied before its order finished", extra=_ctx(inbound, order_id))
            return True  # a step read it stored (before this announcement) and finished the order with it
        self._ignored(inbound, order_id, found.standing.run_status if found.standing else "unknown")
        return False

    def _hand_over(self, order_id: str, token: str | None, reason: str) -> None:
        """Invoke the timeline function (asynchronously) with a token intake claimed; None: nothing to hand."""
        if token is not None:
            self.timeline.invoke(WakeRequest(order_id=order_id, task_token=token, woken_by=reason).to_payload())

    def _placement_problem(
        self, detail: Detail, order_id: str, standing: OrderStanding | None, record: OrderRecord | None
    ) -> str | None:
        """A date of the event before the order was placed (judged by its placedAt in the customer's zone)."""
        if standing is None:
            return None
        placed_at = standing.placed_at
        if placed_at is None:  # registered before placedAt was kept on the STATE item: it is in the state
            record = record or self.orders.get(order_id)
            if record is not None and record.state is not None:
                order = record.state.order
                placed_at = order.placed_at.astimezone(order.customer.zone)
        return placement_problem(detail, placed_at) if placed_at is not None else None

    def _reject(self, raw: Any, code: str, reason: str) -> IntakeResult:
        self.dead_letters.reject(raw, code, reason)
        logger.warning("event rejected", extra={"errorCode": code, "reason": reason, "eventId": _safe_id(raw)})
        metrics.add_metric(name="EventsRejected", unit="Count", value=1)
        return IntakeResult(outcome="rejected", reason=reason)


def _accepted(delivered: list[str]) -> IntakeResult:
    """The result for an event stored for ``delivered`` orders (none: a redelivery, or only finished orders)."""
    metrics.add_metric(name="EventsAccepted", unit="Count", value=len(delivered))
    return IntakeResult(outcome="accepted" if delivered else "ignored", order_ids=delivered)


def _problems(exc: ValidationError) -> str:
    """One ``field: problem`` per error: detail fields as ``detail.<field>``, envelope fields by their name."""
    parts = []
    for err in exc.errors():
        path = [str(p) for p in err["loc"]]
        if exc.title != EventEnvelope.__name__:
            path.insert(0, "detail")
        parts.append(f"{'.'.join(path) or '(event)'}: {err['msg']}")
    return "; ".join(parts)


def _safe_id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, dict) else None


def _ctx(event: InboundEvent, order_id: str, status: str | None = None) -> dict[str, Any]:
    ctx = {"orderId": order_id, "detailType": event.detail_type, "eventId": event.event_id}
    if status:
        ctx["runStatus"] = status
    return ctx
