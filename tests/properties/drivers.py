"""Two ways to play a generated stream, both ending in an ``invariants.Outcome``.

``run_domain`` (level 1) drives the pure ``domain.timeline.advance`` with a small model of the rest of the
system: intake's rules (validate, reject unknown orders and invalid details with their reason, drop
redeliveries, ignore events for a finished order but serve late feedback, fan a sku delay out to the open
orders of that sku), the state machine (wake each order at the ``wakeAt`` it asks for, scenario events first
on a tie, as the simulator does) and the sender (a contact returned by ``advance`` is sent at that instant,
once per key, rendered from the saved state). No AWS, no clock.

``run_simulator`` (level 2) plays the same stream as an ``outreach simulate`` scenario: the real ASL and the
real handlers on moto under the virtual clock, read back from the simulator's JSON.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import (
    FeedbackReceived,
    OrderPlaced,
    ProductionDelayed,
    UnknownDetailType,
    parse_detail,
)
from outreach_lambda.domain.model import ContactOrder, InboundEvent, OrderState
from outreach_lambda.domain.rendering import render
from outreach_lambda.domain.rules import late_feedback
from outreach_lambda.domain.timeline import advance
from outreach_lambda.settings import format_validation_error
from pydantic import ValidationError

from tests.properties.invariants import LedgerQuote, Outcome, Rejection, SentContact
from tests.properties.strategies import Stream, StreamEvent

MAX_WAKE_UPS = 2_000


@dataclass
class _Order:
    state: OrderState | None = None
    wake_at: datetime | None = None
    finished: bool = False
    seen: set[str] = field(default_factory=set)
    sku_open: set[str] = field(default_factory=set)


class DomainRun:
    """Level 1: the pure timeline of every order of a stream, with intake, state machine and sender modelled."""

    def __init__(self, stream: Stream, config: OutreachConfig | None = None) -> None:
        self.stream = stream
        self.config = config or OutreachConfig()
        self.orders: dict[str, _Order] = {}
        self.ledger: set[tuple[str, str]] = set()
        self.outcome = Outcome()

    def run(self) -> Outcome:
        for event in self.stream.events:
            at = self.stream.at(event)
            self._wake_all(before=at, inclusive=False)
            self._intake(event, at)
        self._wake_all(before=self.stream.until, inclusive=True)
        return self.outcome

    # -- the state machine: wake-ups ----------------------------------------------------------------
    def _wake_all(self, before: datetime, inclusive: bool) -> None:
        for _ in range(MAX_WAKE_UPS):
            due = [
                (o.wake_at, oid)
                for oid, o in self.orders.items()
                if o.wake_at is not None
                and not o.finished
                and (o.wake_at < before or (inclusive and o.wake_at == before))
            ]
            if not due:
                return
            wake_at, oid = min(due)
            self._step(oid, [], wake_at)
        self.outcome.errors.append(f"more than {MAX_WAKE_UPS} wake-ups before {before}: the timeline never rests")

    def _step(self, oid: str, events: list[InboundEvent], now: datetime) -> None:
        order = self.orders[oid]
        try:
            decision = advance(order.state, events, now, self.config)
        except Exception as exc:  # a crash is a finding, reported by the invariants, not a test error
            order.wake_at, order.finished = None, True
            self.outcome.errors.append(
                f"advance({oid}, {[e.detail_type for e in events]}, {now}): {exc!r}\n" + traceback.format_exc(limit=4)
            )
            return
        order.state = decision.state
        self.outcome.quotes.setdefault(oid, []).extend(
            LedgerQuote(q.at, q.promised_date, q.reason) for q in decision.new_quotes
        )
        for contact in decision.contacts:
            self._send(oid, contact, now)
        if decision.run_status != "running":
            order.finished, order.wake_at, order.sku_open = True, None, set()
        else:
            order.wake_at = decision.wake_at

    # -- the sender ---------------------------------------------------------------------------------
    def _send(self, oid: str, contact: ContactOrder, now: datetime) -> None:
        state = self.orders[oid].state
        if state is None:
            self.outcome.errors.append(f"sender: no recorded state for {oid}")
            return
        if state.status == "cancelled" and contact.kind != "cancellation_confirmation":
            return  # the sender refuses it
        if contact.channel == "sms" and state.order.customer.phone is None:
            return
        if (oid, contact.key) in self.ledger:
            return  # claimed before: never sent twice
        self.ledger.add((oid, contact.key))
        promised: date | None = render(state, contact, self.config).promised_date
        self.outcome.contacts.append(SentContact(now, oid, contact.kind, contact.channel, promised))

    # -- intake -------------------------------------------------------------------------------------
    def _reject(self, event: StreamEvent, at: datetime, error: str) -> None:
        self.outcome.rejected.append(Rejection(at, event.detail_type, event.detail.get("orderId"), error))

    def _intake(self, event: StreamEvent, at: datetime) -> None:
        try:
            detail = parse_detail(event.detail_type, event.detail)
        except UnknownDetailType as exc:
            return self._reject(event, at, str(exc))
        except ValidationError as exc:
            return self._reject(event, at, f"detail.{format_validation_error(exc)}")
        inbound = InboundEvent(
            event_id=event.event_id, detail_type=event.detail_type, detail=event.detail, time=at, received_at=at
        )
        if isinstance(detail, OrderPlaced):
            oid = detail.order_id
            if oid in self.orders:
                return  # a duplicate or a redelivery
            self.orders[oid] = _Order(seen={event.event_id}, sku_open={i.sku for i in detail.items})
            return self._step(oid, [inbound], at)
        if isinstance(detail, ProductionDelayed) and not detail.order_id:
            targets = [oid for oid, o in self.orders.items() if detail.sku in o.sku_open]
            if not targets:
                return self._reject(event, at, f"detail.sku: no open order has sku {detail.sku!r}")
        else:
            target: str | None = getattr(detail, "order_id", None)
            if target is None or target not in self.orders:
                return self._reject(event, at, f"detail.orderId: unknown order {target!r}")
            targets = [target]
        for oid in targets:
            order = self.orders[oid]
            if order.finished:
                if isinstance(detail, FeedbackReceived) and order.state is not None:
                    contact, _ = late_feedback(order.state, detail, at)
                    if contact is not None:
                        self._send(oid, contact, at)
                continue
            if event.event_id in order.seen:
                continue
            order.seen.add(event.event_id)
            self._step(oid, [inbound], at)
        return None


def run_domain(stream: Stream, config: OutreachConfig | None = None) -> Outcome:
    return DomainRun(stream, config).run()


def run_simulator(stream: Stream) -> Outcome:
    """Level 2: the stream through the real state machine and handlers on moto (``outreach simulate``)."""
    from outreach.simulator import runner
    from outreach.simulator.scenario import parse

    result = runner.run(parse(stream.to_scenario()))
    return from_simulation(result.to_json())


def from_simulation(out: dict[str, Any]) -> Outcome:
    """An outcome from the simulator's ``--json`` object (DESIGN.md, "Local simulation contract")."""
    outcome = Outcome()
    for c in out["contacts"]:
        promised = date.fromisoformat(c["promisedDate"]) if c.get("promisedDate") else None
        outcome.contacts.append(SentContact(_instant(c["at"]), c.get("orderId"), c["kind"], c["channel"], promised))
    for o in out["orders"]:
        outcome.quotes[o["orderId"]] = [
            LedgerQuote(_instant(q["at"]), date.fromisoformat(q["promisedDate"]), q["reason"]) for q in o["quotes"]
        ]
    for r in out["rejected"]:
        outcome.rejected.append(
            Rejection(_instant(r["at"]) if r.get("at") else None, r.get("detailType"), r.get("orderId"), r["error"])
        )
    outcome.errors = [f"{e['function']}: {e['type']}: {e['message']}" for e in out.get("errors", [])]
    return outcome


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
