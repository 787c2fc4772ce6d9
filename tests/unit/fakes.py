"""In-memory fakes of the ports (``outreach_lambda.ports``), with the same semantics as the DynamoDB,
SES/SNS, Step Functions and Scheduler adapters: conditional writes, event-id dedupe, versioned steps.

``FakeOrders.at_call(k, action)`` runs ``action`` once, just before the k-th store call from now on: the
way the service tests interleave two Lambdas (intake and the timeline) deterministically, without threads.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from outreach_lambda.adapters.contacts import CLAIMED_AT, claimed_at
from outreach_lambda.adapters.orders import (
    MAX_EVENTS_PER_STEP,
    Announcement,
    ArrivedMeanwhile,
    OrderRecord,
    OrderStanding,
    event_digest,
)
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import CatalogRequested
from outreach_lambda.domain.model import FINISHED_RUN_STATUSES, Decision, InboundEvent, Quote
from outreach_lambda.domain.opt_outs import normalise
from outreach_lambda.domain.rendering import Message
from outreach_lambda.ports import RemainingTime
from outreach_lambda.services.intake import Intake
from outreach_lambda.services.sender import Sender
from outreach_lambda.services.timeline import Timeline
from outreach_lambda.step_contract import TimelineResult


class VersionConflict(RuntimeError):
    """A step saved against a stale version (DynamoDB: TransactionCanceledException)."""


@dataclass
class _Order:
    record: OrderRecord
    token: str | None = None
    inbox: dict[str, InboundEvent] = field(default_factory=dict)
    seen_events: set[str] = field(default_factory=set)
    quotes: list[Quote] = field(default_factory=list)
    #: Events announced by intake (``announce``) and accounted for by the last step; the last step's phase.
    arrived: int = 0
    accounted: int = 0
    phase: str | None = None


class FakeOrders:
    def __init__(self) -> None:
        self.orders: dict[str, _Order] = {}
        self.skus: dict[str, set[str]] = {}
        self.catalog: dict[str, CatalogRequested] = {}
        self.catalog_events: dict[str, tuple[str, datetime]] = {}  # requestId -> (eventId, first received)
        self.batches: dict[str, dict[str, Any]] = {}
        #: Events stored for an order that does not exist (intake removes them again: ``forget_event``).
        self.orphans: dict[str, dict[str, InboundEvent]] = {}
        self.registered: dict[str, datetime] = {}
        self.calls: list[str] = []
        self._at: dict[int, Callable[[], None]] = {}

    # -- interleaving ------------------------------------------------------------------------------
    def at_call(self, k: int, action: Callable[[], None]) -> None:
        """Run ``action`` once, just before the k-th store call from now on (0: the next one)."""
        self._at[len(self.calls) + k] = action

    def _call(self, method: str) -> None:
        action = self._at.pop(len(self.calls), None)
        if action is not None:
            action()
        self.calls.append(method)

    # -- OrdersStore -------------------------------------------------------------------------------
    def register(
        self,
        order_id: str,
        placed_event_id: str,
        skus: list[str],
        now: datetime,
        *,
        fingerprint: str,
        placed_at: datetime,
    ) -> bool:
        self._call("register")
        if order_id in self.orders:
            return False
        record = OrderRecord(order_id, "starting", placed_event_id, None, 0, None, None, fingerprint, placed_at)
        self.orders[order_id] = _Order(record)
        # The adapter stores an event for an order not registered yet in the order's own key range: its first
        # step reads it, and a redelivery of it is recognised.
        for event in self.orphans.pop(order_id, {}).values():
            self.orders[order_id].seen_events.add(event.event_id)
            self.orders[order_id].inbox[f"INBOX#{event.received_at.isoformat()}#{event.event_id}"] = event
        self.registered[order_id] = now
        for sku in skus:
            self.skus.setdefault(sku, set()).add(order_id)
        return True

    def get(self, order_id: str) -> OrderRecord | None:
        self._call("get")
        order = self.orders.get(order_id)
        return order.record if order else None

    def standings(self, order_ids: list[str]) -> dict[str, OrderStanding | None]:
        self._call("standings")
        found: dict[str, OrderStanding | None] = {}
        for order_id in order_ids:
            order = self.orders.get(order_id)
            record = order.record if order is not None else None
            standing = None if record is None else record.standing
            found[order_id] = standing and replace(standing, registered_at=self.registered.get(order_id))
        return found

    def load(self, order_id: str) -> tuple[OrderRecord | None, list[tuple[str, InboundEvent]]]:
        self._call("load")
        order = self.orders.get(order_id)
        if order is None:
            return None, []
        placed = order.record.placed_event_id  # the Order Placed first, as the adapter sorts them
        pending = sorted(order.inbox.items(), key=lambda entry: (entry[1].event_id != placed, entry[0]))
        # Each read gets its own copy of the state, as the adapter unpacks a fresh one (a step owns what it read).
        state = order.record.state.model_copy(deep=True) if order.record.state is not None else None
        return replace(order.record, state=state, arrived=order.arrived, accounted=order.accounted), pending

    def orders_with_sku(self, sku: str, after: str | None = None) -> list[str]:
        self._call("orders_with_sku")
        return sorted(i for i in self.skus.get(sku, set()) if after is None or i > after)

    def put_catalog_request(self, request: CatalogRequested, event_id: str, now: datetime) -> datetime | None:
        self._call("put_catalog_request")
        recorded = self.catalog_events.setdefault(request.request_id, (event_id, now))
        if recorded[0] != event_id:
            return None
        self.catalog[request.request_id] = request
        return recorded[1]

    def get_catalog_request(self, request_id: str) -> CatalogRequested | None:
        self._call("get_catalog_request")
        return self.catalog.get(request_id)

    def open_batch(self, event_id: str, sku: str, reason: str | None, now: datetime) -> str:
        self._call("open_batch")
        if event_id in self.batches:
            return str(self.batches[event_id].get("fanOut", "counted"))
        self.batches[event_id] = {
            "sku": sku,
            "reason": reason or "",
            "targeted": 0,
            "told": 0,
            "absorbed": 0,
            "fanOut": "open",
        }
        return "open"

    def batch_fan_out(self, event_id: str) -> str | None:
        self._call("batch_fan_out")
        batch = self.batches.get(event_id)
        return None if batch is None else str(batch.get("fanOut", "counted"))

    def close_batch(self, event_id: str, targeted: int) -> dict[str, Any] | None:
        self._call("close_batch")
        batch = self.batches.get(event_id)
        if batch is None or batch.get("fanOut") != "open":
            return None
        batch["fanOut"], batch["targeted"] = "closed", targeted
        return self._once(batch, self._summary(batch))

    @staticmethod
    def _once(batch: dict[str, Any], summary: dict[str, Any] | None) -> dict[str, Any] | None:
        if summary is None or batch.get("reported"):
            return None
        batch["reported"] = True
        return summary

    def count_batch_outcome(self, event_id: str, told: bool) -> dict[str, Any] | None:
        self._call("count_batch_outcome")
        batch = self.batches.get(event_id)
        if batch is None:
            return None
        batch["told" if told else "absorbed"] += 1
        return self._once(batch, self._summary(batch)) if batch.get("fanOut") != "open" else None

    @staticmethod
    def _summary(batch: dict[str, Any]) -> dict[str, Any] | None:
        done = batch["told"] + batch["absorbed"]
        if done < batch["targeted"] or not done:
            return None
        return {
            "sku": batch["sku"],
            "reason": batch["reason"],
            "orders": max(batch["targeted"], done),
            "customersTold": batch["told"],
            "absorbedByPadding": batch["absorbed"],
        }

    def put_inbox(self, order_id: str, event: InboundEvent) -> bool:
        self._call("put_inbox")
        order = self.orders.get(order_id)
        if order is None:  # DynamoDB stores it all the same: an event item without its order's STATE item
            stored = self.orphans.setdefault(order_id, {})
            if event.event_id in stored:
                return False
            stored[event.event_id] = event
            return True
        if event.event_id in order.seen_events:
            return False
        order.seen_events.add(event.event_id)
        order.inbox[f"INBOX#{event.received_at.isoformat()}#{event.event_id}"] = event
        return True

    def forget_event(self, order_id: str, event_id: str) -> bool:
        self._call("forget_event")
        if order_id in self.orders:
            return False
        self.orphans.get(order_id, {}).pop(event_id, None)
        return True

    def announce(self, order_id: str) -> Announcement:
        self._call("announce")
        order = self.orders.get(order_id)
        if order is None:
            return Announcement(None, announced=False)
        standing = order.record.standing
        if order.record.run_status in FINISHED_RUN_STATUSES:
            return Announcement(standing, announced=False)
        order.arrived += 1
        token, order.token = order.token, None
        return Announcement(standing, announced=True, token=token)

    def inbox(self, order_id: str, limit: int = MAX_EVENTS_PER_STEP) -> list[tuple[str, InboundEvent]]:
        """The pending events (a test's view, not a store call)."""
        order = self.orders.get(order_id)
        return sorted(order.inbox.items())[:limit] if order else []

    def park(self, order_id: str, token: str, waiting_for: str) -> bool:
        self._call("park")
        order = self.orders.get(order_id)
        if order is None or order.arrived != order.accounted or order.phase not in (None, waiting_for):
            return False
        order.token = token
        return True

    def claim_timer(self, order_id: str, due: str) -> tuple[bool, str | None]:
        self._call("claim_timer")
        order = self.orders.get(order_id)
        if order is None or order.record.timer_due_at != due:
            return False, None
        order.arrived += 1
        order.record = replace(order.record, fired_timers=order.record.fired_timers | {due})
        token, order.token = order.token, None
        return True, token

    def save_step(
        self,
        record: OrderRecord,
        decision: Decision,
        consumed: list[str],
        *,
        phase: str,
        timer: tuple[str, str] | None,
        accounted: int,
    ) -> None:
        self._call("save_step")
        order = self.orders[record.order_id]
        if order.record.version != record.version:
            raise VersionConflict(f"order {record.order_id} is at version {order.record.version}")
        if decision.run_status in FINISHED_RUN_STATUSES and order.arrived != record.arrived:
            raise ArrivedMeanwhile(f"order {record.order_id}: an event was announced as the step finished it")
        order.record = replace(
            order.record,
            state=decision.state,
            run_status=decision.run_status,
            version=record.version + 1,
            timer_name=timer[0] if timer else None,
            timer_due_at=timer[1] if timer else None,
            fired_timers=order.record.fired_timers - record.fired_timers,  # those read; a later fire stays
            applied=order.record.applied | {event_digest(event_id) for event_id in consumed},
        )
        order.phase, order.accounted = phase, accounted
        order.quotes.extend(decision.new_quotes)
        order.inbox = {key: event for key, event in order.inbox.items() if event.event_id not in consumed}

    def release_skus(self, order_id: str, skus: list[str]) -> None:
        self._call("release_skus")
        for sku in skus:
            self.skus.get(sku, set()).discard(order_id)


@dataclass
class FakeLedger:
    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    parked_causes: set[str] = field(default_factory=set)

    def claim(
        self, pk: str, key: str, fields: dict[str, Any], again: frozenset[str], now: datetime | None = None
    ) -> int | None:
        entry = self.entries.get((pk, key))
        if entry is not None and entry["status"] not in again:
            return None
        attempts = (entry or {}).get("attempts", 0) + 1
        claimed = claimed_at(now or datetime.now(UTC))
        self.entries[(pk, key)] = {
            **(entry or {}),
            **fields,
            "pk": pk,
            "sk": key,
            "status": "SENDING",
            "attempts": attempts,
            CLAIMED_AT: claimed,
        }
        return attempts

    def finish(self, pk: str, key: str, status: str, fields: dict[str, Any]) -> None:
        self.entries[(pk, key)].update(status=str(status), **fields)
        self.entries[(pk, key)].pop(CLAIMED_AT, None)

    def sent_promises(self, pk: str) -> list[tuple[datetime, date]]:
        return [
            (datetime.fromisoformat(str(e["sentAt"])), date.fromisoformat(str(e["promisedDate"])))
            for (owner, _), e in self.entries.items()
            if owner == pk and e["status"] == "SENT" and "promisedDate" in e and "sentAt" in e
        ]

    def stuck(self, claimed_before: datetime) -> list[dict[str, Any]]:
        cutoff = claimed_at(claimed_before)
        found = [dict(e) for e in self.entries.values() if e["status"] == "SENDING" and e[CLAIMED_AT] < cutoff]
        return sorted(found, key=lambda e: str(e[CLAIMED_AT]))

    def settle_stuck(self, pk: str, key: str, claimed: str, status: str, fields: dict[str, Any]) -> bool:
        entry = self.entries.get((pk, key))
        if entry is None or entry["status"] != "SENDING" or entry.get(CLAIMED_AT) != claimed:
            return False
        self.finish(pk, key, status, fields)
        return True

    def first_parked(self, cause: str, now: datetime) -> bool:
        if cause in self.parked_causes:
            return False
        self.parked_causes.add(cause)
        return True


@dataclass
class FakeOptOuts:
    """The opt-out list, by normalised address (as the DynamoDB adapter keys it)."""

    entries: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    fail_with: Exception | None = None  # reading the list raises this (a throttled or failing table)

    def add(self, address: str, reason: str, at: datetime) -> bool:
        key = normalise(address)
        if key in self.entries:
            return False
        self.entries[key] = (reason, at)
        return True

    def remove(self, address: str) -> bool:
        return self.entries.pop(normalise(address), None) is not None

    def contains(self, address: str) -> bool:
        if self.fail_with is not None:
            raise self.fail_with
        return normalise(address) in self.entries


@dataclass
class FakeSuppressionList:
    """The SES account suppression list; ``fail_with`` makes reading it raise."""

    addresses: set[str] = field(default_factory=set)
    fail_with: Exception | None = None

    def suppressed(self, email: str) -> bool:
        if self.fail_with is not None:
            raise self.fail_with
        return email.lower() in self.addresses


@dataclass
class Sent:
    channel: str
    to: str
    subject: str | None
    text: str
    html: str = ""
    list_unsubscribe: tuple[str, ...] = ()


@dataclass
class FakeMessenger:
    """Records what a customer would receive; ``fail_with`` makes sends raise (``failures`` times, or always)."""

    sent: list[Sent] = field(default_factory=list)
    fail_with: Exception | None = None
    failures: int | None = None

    def send_email(self, to: str, message: Message, tags: dict[str, str]) -> str:
        return self._send(Sent("email", to, message.subject, message.text, message.html, message.list_unsubscribe))

    def send_sms(self, phone: str, text: str) -> str:
        return self._send(Sent("sms", phone, None, text))

    def _send(self, message: Sent) -> str:
        if self.fail_with is not None and (self.failures is None or self.failures > 0):
            if self.failures is not None:
                self.failures -= 1
            raise self.fail_with
        self.sent.append(message)
        return f"msg-{len(self.sent)}"


@dataclass
class FakeAlerts:
    published: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, alert: dict[str, Any]) -> None:
        self.published.append(alert)

    def kinds(self) -> list[str]:
        return [a["kind"] for a in self.published]


@dataclass
class FakeStateMachine:
    """Executions started and wait tokens completed or failed (an answered token is gone, as in Step Functions)."""

    started: list[str] = field(default_factory=list)
    completed: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)

    def start(self, order_id: str) -> bool:
        if order_id in self.started:
            return False
        self.started.append(order_id)
        return True

    def complete(self, token: str, output: dict[str, Any]) -> bool:
        if token in self.answered():
            return False
        self.completed.append((token, output))
        return True

    def fail(self, token: str, error: str, cause: str) -> bool:
        if token in self.answered():
            return False
        self.failed.append((token, error))
        return True

    def answered(self) -> list[str]:
        return [t for t, _ in self.completed] + [t for t, _ in self.failed]


@dataclass
class FakeTimers:
    armed: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    events: dict[str, tuple[str, datetime, dict[str, Any]]] = field(default_factory=dict)

    def arm(self, order_id: str, due_at: datetime) -> str:
        name = f"{order_id}@{due_at.isoformat()}"
        self.armed[name] = (order_id, due_at)
        return name

    def disarm(self, name: str) -> None:
        self.armed.pop(name, None)

    def arm_event(self, seed: str, due_at: datetime, detail_type: str, detail: dict[str, Any]) -> str:
        """Named by ``seed`` and the due time, as the adapter names it: the same again is the same schedule."""
        name = f"event-{seed}-{due_at.isoformat()}"
        self.events[name] = (detail_type, due_at, detail)
        return name


@dataclass
class FakeDeadLetters:
    rejected: list[tuple[Any, str, str]] = field(default_factory=list)

    def reject(self, event: Any, code: str, reason: str) -> None:
        self.rejected.append((event, code, reason))


@dataclass
class FakeInvoker:
    """An asynchronous invoke of another function: recorded, and run at once by ``then`` when given."""

    payloads: list[dict[str, Any]] = field(default_factory=list)
    then: Callable[[dict[str, Any]], object] | None = None

    def invoke(self, payload: dict[str, Any]) -> None:
        self.payloads.append(payload)
        if self.then is not None:
            self.then(payload)


@dataclass
class FakeBus:
    """Events put on the Outreach bus (intake's continuations of a sku delay), kept until a test delivers them."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def put(self, detail_type: str, detail: dict[str, Any]) -> None:
        self.events.append((detail_type, detail))

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        taken, self.events = self.events, []
        return taken


@dataclass
class InstantSlots:
    """A send-rate limiter with room for every send at once."""

    def reserve(self, now: datetime) -> datetime:
        return now


class Shop:
    """The services wired the way the handlers wire them, over shared fakes, on a clock the test sets.

    ``event`` hands an EventBridge event to intake (which hands a claimed token to the timeline at once, as an
    asynchronous invoke would); ``start`` and ``park`` play the state machine's first task and its waits
    (``legacy_park``: a wait of the older definition, which invoked the timeline function).
    """

    def __init__(self, config: OutreachConfig | None = None) -> None:
        self.config = config or OutreachConfig()
        self.orders = FakeOrders()
        self.ledger = FakeLedger()
        self.customer = FakeMessenger()
        self.ops = FakeAlerts()
        self.machine = FakeStateMachine()
        self.timers = FakeTimers()
        self.dead_letters = FakeDeadLetters()
        self.sender_invoker = FakeInvoker()
        self.now: datetime | None = None
        self.opt_outs = FakeOptOuts()
        self.suppression = FakeSuppressionList()
        self.sender = Sender(
            self.orders, self.ledger, self.customer, self.ops, self.config, self.opt_outs, self.suppression
        )
        self.timeline = Timeline(
            self.orders, self.ops, InstantSlots(), self.sender, self.timers, self.machine, self.config
        )
        self.timeline_invoker = FakeInvoker(then=self._wake)
        self.bus = FakeBus()
        self.intake = Intake(
            self.orders,
            self.machine,
            self.timeline_invoker,
            self.dead_letters,
            self.sender_invoker,
            self.ops,
            bus=self.bus,
        )
        self.last: TimelineResult | None = None
        self._ids = itertools.count(1)

    def event(
        self,
        detail_type: str,
        detail: Any,
        when: datetime,
        event_id: str | None = None,
        source: str = "com.example.shop",
        budget: RemainingTime | None = None,
    ) -> dict[str, Any]:
        envelope = {
            "id": event_id or f"evt-{next(self._ids)}",
            "detail-type": detail_type,
            "source": source,
            "time": when.isoformat(),
            "detail": detail,
        }
        self.now = when
        return self.intake.handle(envelope, when, budget).to_payload()

    def start(self, order_id: str, now: datetime) -> TimelineResult:
        """The execution's first task ("Record the order and promise")."""
        self.last = self.timeline.record(order_id, now)
        return self.last

    def park(self, order_id: str, token: str, now: datetime) -> str:
        """A "Waiting for ..." state entered with the last state data, as the state machine runs it: its one
        conditional write stores the token (``orders.park``); when that is refused, "Advance the order" runs
        the step at once (the timeline function, as the first task does)."""
        assert self.last is not None
        if self.orders.park(order_id, token, self.last.phase):
            return "parked"
        self.last = self.timeline.record(order_id, now)
        return "advanced"

    def legacy_park(self, order_id: str, token: str, now: datetime) -> str:
        """A "Waiting for ..." task of the older definition: it invokes the timeline function (``wait``)."""
        assert self.last is not None
        return self.timeline.wait(order_id, self.last.phase, token, self.last.wake_at, now)

    def _wake(self, payload: dict[str, Any]) -> None:
        assert self.now is not None
        result = self.timeline.wake(payload["orderId"], payload["taskToken"], self.now)
        if result is not None:
            self.last = result
