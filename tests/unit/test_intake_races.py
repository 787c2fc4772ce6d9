"""Intake's announce-without-reading path under faults and races with the order's registration and steps:
an event stored for an order is never used up for nothing, never lost, never dead-lettered while its order has it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from domain_builders import at, inbound, placed_detail
from fakes import FakeAlerts, FakeDeadLetters, FakeInvoker, FakeStateMachine, Shop
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.timeline import advance
from outreach_lambda.services.intake import Intake
from test_orders_table import orders  # noqa: F401  (fixture: the adapter on a moto table)

NOW = at("2026-11-02T09:00:00Z")


def test_given_an_intake_that_stopped_after_storing_an_event_before_its_order_was_placed_then_the_order_applies_it(
    orders: OrdersRepository,  # noqa: F811
) -> None:
    """Events arrive out of order: Order Cancelled for SO-1 comes a moment before its Order Placed. Intake stores
    it, then stops before the announcing write (throttled, timed out). SO-1 is placed before the retry; its first
    step reads the event stored in the order's range: the Order Placed is applied first, then the cancellation,
    so the order is cancelled (not the cancellation used up on no order). The retry is taken for a redelivery."""
    intake, dead = _intake(orders)
    cancel = _envelope("cancel-1", "Order Cancelled", {"orderId": "SO-1"})
    real_announce = orders.announce
    orders.announce = lambda order_id: (_ for _ in ()).throw(TimeoutError("throttled"))  # type: ignore[method-assign]
    with pytest.raises(TimeoutError):
        intake.handle(cancel, NOW)
    orders.announce = real_announce  # type: ignore[method-assign]

    placed = _envelope("placed-1", "Order Placed", placed_detail())
    assert intake.handle(placed, NOW + timedelta(seconds=1)).outcome == "accepted"
    _step(orders, NOW + timedelta(seconds=2))  # the execution's first task
    retry = intake.handle(cancel, NOW + timedelta(minutes=1))  # Lambda's async retry of the stopped invocation

    record = orders.get("SO-1")
    assert record is not None and record.state is not None
    assert retry.outcome == "ignored" and dead.rejected == []
    assert record.state.status == "cancelled"


def _intake(orders: OrdersRepository) -> tuple[Intake, FakeDeadLetters]:  # noqa: F811
    """Intake on the moto orders table (the rest faked), and where it dead-letters."""
    dead = FakeDeadLetters()
    return Intake(orders, FakeStateMachine(), FakeInvoker(), dead, FakeInvoker(), FakeAlerts()), dead


def _envelope(event_id: str, detail_type: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An order event from the shop, as EventBridge hands it to intake."""
    return {
        "id": event_id,
        "detail-type": detail_type,
        "source": "com.example.shop",
        "time": NOW.isoformat(),
        "detail": detail,
    }


def _step(orders: OrdersRepository, now) -> None:  # noqa: F811
    record, pending = orders.load("SO-1")
    assert record is not None
    decision = advance(record.state, [e for _, e in pending], now, OutreachConfig())
    orders.save_step(
        record, decision, [e.event_id for _, e in pending], phase="production", timer=None, accounted=record.arrived
    )


def test_given_an_intake_that_stopped_before_announcing_then_the_redelivery_wakes_the_order_at_once() -> None:
    """Known, parked order. Intake stores Order Shipped and stops before the announcing write (timeout,
    throttling beyond retries). The redelivery finds the event stored and announces it again: the parked execution
    is woken and the shipped notice goes at once, not at the order's next timer or the wait's timeout."""
    shop = Shop()
    shop.event("Order Placed", placed_detail(), NOW)
    shop.start("SO-1", NOW)
    assert shop.park("SO-1", "t0", NOW) == "parked"
    shop.orders.at_call(1, lambda: (_ for _ in ()).throw(TimeoutError("intake timed out")))  # after the store
    shipped = {"orderId": "SO-1", "carrier": "DHL Freight", "trackingNumber": "JD0146"}
    when = NOW + timedelta(days=9)
    with pytest.raises(TimeoutError):
        shop.event("Order Shipped", shipped, when, event_id="ship-1")

    shop.event("Order Shipped", shipped, when, event_id="ship-1")  # EventBridge / Lambda retry

    assert [m.subject for m in shop.customer.sent][-1] == "Your order SO-1 is on its way"


def test_given_an_intake_that_stopped_before_announcing_a_dated_event_then_the_redelivery_wakes_the_order() -> None:
    """The same for an event whose date is judged against the placement (its order's standing is read first):
    Order Delivered with its deliveredAt. The redelivery finds it stored and announces it again, so the order
    takes the delivery now (the satisfaction check is planned from it), not at the wait's timeout."""
    shop = Shop()
    shop.event("Order Placed", placed_detail(), NOW)
    shop.start("SO-1", NOW)
    assert shop.park("SO-1", "t0", NOW) == "parked"
    shop.orders.at_call(2, lambda: (_ for _ in ()).throw(TimeoutError("intake timed out")))  # read, store, then
    when = NOW + timedelta(days=20)
    delivered = {"orderId": "SO-1", "deliveredAt": when.isoformat()}
    with pytest.raises(TimeoutError):
        shop.event("Order Delivered", delivered, when, event_id="delivered-1")
    assert shop.orders.orders["SO-1"].token == "t0"  # stored, never announced: the execution still parked

    retry = shop.event("Order Delivered", delivered, when, event_id="delivered-1")  # EventBridge / Lambda retry

    record, pending = shop.orders.load("SO-1")
    assert retry["outcome"] == "ignored"  # accepted the first time
    assert pending == [] and record is not None and record.state is not None
    assert record.state.delivered_at is not None


def test_given_an_event_racing_its_orders_registration_then_it_is_the_orders_and_not_dead_lettered(
    orders: OrdersRepository,  # noqa: F811
) -> None:
    """Order Cancelled arrives in the very moment SO-1 is placed: the announcing write finds no order, then SO-1 is
    registered and its first step reads the cancellation before intake would remove it. The removal is refused
    (the order exists now), the event is announced to the order instead, and the order ends cancelled."""
    intake, dead = _intake(orders)
    cancel = _envelope("cancel-1", "Order Cancelled", {"orderId": "SO-1"})
    placed = _envelope("placed-1", "Order Placed", placed_detail())
    real_forget = orders.forget_event

    def forget_late(order_id: str, event_id: str) -> bool:  # the DeleteItem comes late (throttled, retried)
        assert intake.handle(placed, NOW + timedelta(milliseconds=5)).outcome == "accepted"
        _step(orders, NOW + timedelta(milliseconds=300))
        return real_forget(order_id, event_id)

    orders.forget_event = forget_late  # type: ignore[method-assign]
    intake.handle(cancel, NOW)
    orders.forget_event = real_forget  # type: ignore[method-assign]
    redrive = intake.handle(cancel, NOW + timedelta(hours=1))
    _step(orders, NOW + timedelta(hours=1))

    record = orders.get("SO-1")
    assert redrive.outcome in ("accepted", "ignored")
    assert record is not None and record.state is not None
    assert record.state.status == "cancelled"
    assert dead.rejected == []


def test_given_a_first_step_retried_after_the_registration_race_then_it_still_sees_the_event_it_acted_on(
    orders: OrdersRepository,  # noqa: F811
) -> None:
    """Order Cancelled arrives in the very moment SO-1 is placed: the announcing write finds no order, SO-1 is
    registered, its first step reads the cancellation (and sends the confirmation before saving); intake then
    would remove the event. The removal is refused once the order exists, so if that step's save fails and the
    state machine retries it, the retry still sees the cancellation (never a thank-you after a cancellation)."""
    cancel = inbound("Order Cancelled", {"orderId": "SO-1"}, NOW)
    assert orders.put_inbox("SO-1", cancel)
    assert orders.announce("SO-1").standing is None
    assert orders.register("SO-1", "placed-1", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)
    placed = inbound("Order Placed", placed_detail(), NOW).model_copy(update={"event_id": "placed-1"})
    assert orders.put_inbox("SO-1", placed)
    _record, first_attempt = orders.load("SO-1")  # the first step reads both (its save will fail)

    assert not orders.forget_event("SO-1", cancel.event_id)  # intake goes on: refused, the order exists now
    record, retried = orders.load("SO-1")  # the state machine retries the step
    decision = advance(record.state, [e for _, e in retried], NOW, OutreachConfig())

    assert cancel.event_id in {e.event_id for _, e in first_attempt}
    assert decision.state is not None and decision.state.status == "cancelled"
