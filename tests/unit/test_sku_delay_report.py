"""A sliced sku delay's batch report (exactly one, with the right count, whatever is redelivered, fails or finishes
meanwhile) and the continuation's validation (only intake's own)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from outreach_lambda.domain.events import SKU_DELAY_CONTINUED_DETAIL_TYPE, TIMER_SOURCE
from test_sku_delay_slices import (  # noqa: F401  (the autouse fixture: groups of 3)
    DELAY,
    DELAY_AT,
    GROUP,
    SKU,
    NoTimeLeft,
    PlentyOfTime,
    batch_reports,
    order_id,
    shop_with,
    small_groups,
    told,
)


def test_given_a_continuation_delivered_twice_at_once_then_ops_get_one_report_of_every_order() -> None:
    """EventBridge/Lambda async deliver at least once: the last continuation runs twice, in lockstep. Chain B
    stores SO-06; chain A finds it stored, counts and wakes it all the same, and closes the fan-out. Each chain
    counts the open orders it reaches (carried from slice to slice), the first close wins, and only one writer
    may report: one report, of 7."""
    shop = shop_with(7)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    [(_, c1)] = shop.bus.take()
    shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, c1, DELAY_AT, event_id="c1", source=TIMER_SOURCE, budget=NoTimeLeft())
    [(_, c2)] = shop.bus.take()  # after SO-05: the last group is [SO-06]

    raced = []

    def after_write(real):
        def write(order_id: str, event: Any) -> bool:
            stored = real(order_id, event)
            if stored and order_id == "SO-06" and not raced:  # chain B wrote SO-06: chain A runs to its end
                raced.append(True)
                shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, c2, DELAY_AT, event_id="c2", source=TIMER_SOURCE)
            return stored

        return write

    shop.orders.put_inbox = after_write(shop.orders.put_inbox)  # type: ignore[method-assign]
    shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, c2, DELAY_AT, event_id="c2", source=TIMER_SOURCE)

    assert told(shop) == dict.fromkeys((order_id(n) for n in range(7)), 1)
    assert [r["orders"] for r in batch_reports(shop)] == [7]


def test_given_a_fault_in_the_middle_of_a_group_then_the_retry_counts_and_wakes_every_order_once() -> None:
    """Intake stores the first order of a group, then stops on the second (a throttled write beyond retries, or
    the Lambda timeout in a slow group). The retry finds that order stored: it is counted and woken all the same
    (the count is of the orders reached, not of this invocation's writes), and the report says 4 orders."""
    shop = shop_with(4)
    calls = shop.orders.calls
    stores = []

    def put_inbox(order_id, event, real=shop.orders.put_inbox):
        stores.append(order_id)
        if len(stores) == 2:  # the group's second write fails: the first order is stored, the group not counted
            raise RuntimeError("ProvisionedThroughputExceededException")
        return real(order_id, event)

    shop.orders.put_inbox = put_inbox  # type: ignore[method-assign]
    with pytest.raises(RuntimeError):
        shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())  # the retry
    del calls

    assert [r["orders"] for r in batch_reports(shop)] == [4]
    assert told(shop) == dict.fromkeys((order_id(n) for n in range(4)), 1)


def test_given_an_order_finished_while_the_first_invocation_runs_then_it_is_skipped_and_the_report_goes() -> None:
    """The first invocation reads the standings again for every group after the first: an order cancelled
    meanwhile is skipped (not stored, not counted), so the report is not left waiting for it."""
    shop = shop_with(7)

    class CancelSo04ThenPlenty:
        def get_remaining_time_in_millis(self) -> int:
            if "SO-04" in shop.orders.skus.get(SKU, set()):
                shop.event("Order Cancelled", {"orderId": "SO-04"}, DELAY_AT)
            return 30_000

    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=CancelSo04ThenPlenty())

    assert told(shop) == {order_id(n): 1 for n in (0, 1, 2, 3, 5, 6)}
    assert [r["orders"] for r in batch_reports(shop)] == [6]


def test_given_a_continuation_of_a_delay_intake_never_accepted_then_it_is_dead_lettered() -> None:
    """Any principal that may PutEvents on the bus can send source outreach.timer. A Sku Delay Continued whose
    delay intake never judged and opened (here one rejected for an estimate before every order was placed) is
    refused, not fanned out."""
    shop = shop_with(4)
    bad = {**DELAY, "estimatedCompletion": "2026-10-01"}
    assert shop.event("Production Delayed", bad, DELAY_AT, event_id="delay-0")["outcome"] == "rejected"

    forged = {
        "eventId": "delay-0",
        **bad,
        "eventTime": DELAY_AT.isoformat(),
        "receivedAt": (DELAY_AT + timedelta(days=365)).isoformat(),
        "after": "A",
    }
    result = shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, forged, DELAY_AT, event_id="x", source=TIMER_SOURCE)

    assert result["outcome"] == "rejected"
    assert told(shop) == {}


def test_given_an_order_cancelled_after_intake_read_its_standing_then_it_is_not_awaited_and_the_report_goes() -> None:
    """Intake reads the group's standings, then an order is cancelled before the delay reaches it. Its
    announcement is refused (the order finished): it is not counted, so the report does not wait for an order
    that will never report, and the cancelled customer hears nothing of the delay."""
    shop = shop_with(3)
    cancelled = []

    def put_inbox(order_id: str, event: Any, real: Any = shop.orders.put_inbox) -> bool:
        if order_id == "SO-01" and event.detail_type == "Production Delayed" and not cancelled:
            cancelled.append(True)
            assert shop.event("Order Cancelled", {"orderId": "SO-01"}, DELAY_AT)["outcome"] == "accepted"
        return bool(real(order_id, event))

    shop.orders.put_inbox = put_inbox  # type: ignore[method-assign]
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())

    assert cancelled and told(shop) == {"SO-00": 1, "SO-02": 1}
    assert [(r["orders"], r["customersTold"]) for r in batch_reports(shop)] == [(2, 2)]


def test_given_a_delay_announced_while_a_step_cancels_the_order_then_the_step_runs_again_and_the_report_goes() -> None:
    """The delay reaches an order whose step is cancelling it: read, not yet saved. The finishing save is refused
    (an event was announced since the read) and the step runs again with the delay: the order ends cancelled, the
    customer gets no delay notice, and the order reports its outcome, so ops get the batch report."""
    shop = shop_with(3)
    delayed = []

    def save_step(record: Any, decision: Any, *args: Any, real: Any = shop.orders.save_step, **kwargs: Any) -> None:
        if record.order_id == "SO-01" and decision.run_status == "cancelled" and not delayed:
            delayed.append(True)  # the delay arrives between the cancelling step's read and its save
            shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())
        real(record, decision, *args, **kwargs)

    shop.orders.save_step = save_step  # type: ignore[method-assign]
    shop.event("Order Cancelled", {"orderId": "SO-01"}, DELAY_AT - timedelta(minutes=1))

    assert delayed and told(shop) == {"SO-00": 1, "SO-02": 1}
    assert shop.orders.orders["SO-01"].record.run_status == "cancelled"
    assert [(r["orders"], r["customersTold"], r["absorbedByPadding"]) for r in batch_reports(shop)] == [(3, 2, 1)]


def test_given_a_cancelling_step_that_read_the_stored_delay_before_its_announcement_then_the_order_is_counted() -> None:
    """Intake stores the delay for SO-01; before it announces it, SO-01's cancelling step reads the order (the
    cancellation and the stored delay), applies both and finishes; then the announcement is refused (finished).
    The order did apply the delay and reports its outcome, so it is counted: one report of 3 orders, not an early
    report of 2 that drops the last order's outcome."""
    shop = shop_with(3)
    shop.timeline_invoker.then = None  # asynchronous invokes: run later, in the order the test chooses
    real_announce = shop.orders.announce
    raced = []

    def announce(order_id: str) -> Any:
        if order_id == "SO-01" and not raced and "delay-1" in shop.orders.orders["SO-01"].seen_events:
            raced.append(True)
            shop.event("Order Cancelled", {"orderId": "SO-01"}, DELAY_AT)
            shop._wake(shop.timeline_invoker.payloads.pop())  # reads the cancellation and the stored delay
            shop.now = DELAY_AT
        return real_announce(order_id)

    shop.orders.announce = announce  # type: ignore[method-assign]
    result = shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())
    for payload in list(shop.timeline_invoker.payloads):
        shop._wake(payload)

    assert raced and result["orderIds"] == ["SO-00", "SO-01", "SO-02"]
    assert told(shop) == {"SO-00": 1, "SO-02": 1}
    assert [(r["orders"], r["customersTold"], r["absorbedByPadding"]) for r in batch_reports(shop)] == [(3, 2, 1)]


def test_given_more_events_pending_than_a_step_takes_then_the_order_does_not_finish_before_reading_them() -> None:
    """The execution was busy while 97 events arrived: a cancellation, 95 more, then the sku delay. The first
    step takes 90 and would end the order; it does not while announced events are unread, so its wait advances
    at once and the next step applies the rest: the delay's outcome is reported, the order ends cancelled."""
    shop = shop_with(1)
    assert shop.orders.announce("SO-00").token == "t-0"  # the execution is busy: nothing is handed over
    for n in range(96):
        shop.event("Order Cancelled", {"orderId": "SO-00", "reason": f"try {n}"}, DELAY_AT)
    shop.event("Production Delayed", DELAY, DELAY_AT + timedelta(seconds=1), event_id="delay-1")

    shop.last = shop.timeline.step("SO-00", DELAY_AT)  # the step the token was taken for: 90 events
    assert shop.last.phase == "closing" and batch_reports(shop) == []
    assert shop.park("SO-00", "t-1", DELAY_AT) == "advanced"  # the rest, at once

    assert shop.orders.orders["SO-00"].record.run_status == "cancelled"
    assert shop.orders.inbox("SO-00") == []
    assert [(r["orders"], r["customersTold"], r["absorbedByPadding"]) for r in batch_reports(shop)] == [(1, 0, 1)]
