"""A sku delay in slices: intake reaches the sku's open orders a group at a time, and when its time runs short it
hands the rest on to a continuation of itself (``Sku Delay Continued``), so a delay reaching any number of orders
finishes without retries or ops. Over the in-memory fakes (``fakes.Shop``): intake hands a claimed token to the
timeline at once, so each order's delay notice is sent, and its outcome counted, while intake runs."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.domain.events import SKU_DELAY_CONTINUED_DETAIL_TYPE, TIMER_SOURCE
from outreach_lambda.services import intake

PLACED_AT = at("2026-11-02T09:00:00Z")
DELAY_AT = PLACED_AT + timedelta(days=3)
SKU = "SOFA-3S-VELVET"
DELAY = {"sku": SKU, "estimatedCompletion": "2026-12-20", "reason": "mill strike"}
GROUP = 3


class NoTimeLeft:
    """A Lambda context whose time is always short: every invocation reaches one group, then hands on."""

    def get_remaining_time_in_millis(self) -> int:
        return 0


class PlentyOfTime:
    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@pytest.fixture(autouse=True)
def small_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "SKU_DELAY_GROUP", GROUP)


def order_id(n: int) -> str:
    return f"SO-{n:02d}"


def shop_with(orders: int) -> Shop:
    """``orders`` orders of the sku, placed, recorded and parked."""
    shop = Shop()
    for n in range(orders):
        place(shop, n, PLACED_AT)
    return shop


def place(shop: Shop, n: int, when: Any) -> None:
    assert shop.event("Order Placed", placed_detail(order_id=order_id(n)), when)["outcome"] == "accepted"
    shop.start(order_id(n), when)
    assert shop.park(order_id(n), f"t-{n}", when) == "parked"


def continuations(shop: Shop, budget: Any = None, when: Any = DELAY_AT) -> list[dict[str, Any]]:
    """Deliver what intake put on the bus (and what those put) until nothing is left; the continuations."""
    delivered = []
    while shop.bus.events:
        for detail_type, detail in shop.bus.take():
            assert detail_type == SKU_DELAY_CONTINUED_DETAIL_TYPE
            event_id = f"cont-{len(delivered)}"
            shop.event(detail_type, detail, when, event_id=event_id, source=TIMER_SOURCE, budget=budget or NoTimeLeft())
            delivered.append(detail)
    return delivered


def told(shop: Shop) -> Counter[str]:
    """How many delay notices each order's customer was sent."""
    return Counter(
        pk.removeprefix("ORDER#")
        for (pk, key), entry in shop.ledger.entries.items()
        if key.startswith("delay_notice") and entry["status"] == "SENT"
    )


def batch_reports(shop: Shop) -> list[dict[str, Any]]:
    return [a["details"] for a in shop.ops.published if a["kind"] == "batch_delay"]


def test_given_a_delay_reaching_more_orders_than_an_invocation_can_then_all_are_told_once_across_slices() -> None:
    shop = shop_with(10)

    first = shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    handed_on = continuations(shop)

    assert first["orderIds"] == [order_id(n) for n in range(GROUP)]
    assert [c["after"] for c in handed_on] == ["SO-02", "SO-05", "SO-08"]  # 10 orders in groups of 3: 4 slices
    assert handed_on[0] == {
        "eventId": "delay-1",
        "sku": SKU,
        "estimatedCompletion": "2026-12-20",
        "reason": "mill strike",
        "eventTime": DELAY_AT.isoformat(),
        "receivedAt": DELAY_AT.isoformat(),
        "after": "SO-02",
        "reached": 3,
    }
    assert [c["reached"] for c in handed_on] == [3, 6, 9]
    assert told(shop) == dict.fromkeys((order_id(n) for n in range(10)), 1)
    assert batch_reports(shop) == [
        {"sku": SKU, "reason": "mill strike", "orders": 10, "customersTold": 10, "absorbedByPadding": 0}
    ]
    # Every order got the original event (its id: a redelivery of it is recognised), not the continuation.
    assert all("delay-1" in shop.orders.orders[order_id(n)].seen_events for n in range(10))
    assert not any("cont-0" in shop.orders.orders[order_id(n)].seen_events for n in range(10))


def test_given_time_enough_then_one_invocation_reaches_every_order_and_nothing_is_handed_on() -> None:
    shop = shop_with(10)

    result = shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=PlentyOfTime())

    assert shop.bus.events == []
    assert len(result["orderIds"]) == 10
    assert told(shop) == dict.fromkeys((order_id(n) for n in range(10)), 1)
    assert [r["orders"] for r in batch_reports(shop)] == [10]


def test_given_the_original_and_every_continuation_redelivered_then_nobody_is_told_twice() -> None:
    shop = shop_with(7)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    handed_on = continuations(shop)

    again = shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    for n, detail in enumerate(handed_on):
        shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, detail, DELAY_AT, event_id=f"cont-{n}", source=TIMER_SOURCE)

    assert again["outcome"] == "ignored"
    assert shop.bus.events == []
    assert told(shop) == dict.fromkeys((order_id(n) for n in range(7)), 1)
    assert [r["orders"] for r in batch_reports(shop)] == [7]


def test_given_the_original_redelivered_while_its_continuations_are_under_way_then_still_once_each() -> None:
    shop = shop_with(7)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    # EventBridge delivers the original again before the first continuation ran: two chains walk the sku.
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    continuations(shop)

    assert told(shop) == dict.fromkeys((order_id(n) for n in range(7)), 1)
    assert [r["orders"] for r in batch_reports(shop)] == [7]
    assert shop.dead_letters.rejected == []


def test_given_an_order_finished_between_slices_then_it_is_skipped_and_the_report_counts_the_others() -> None:
    shop = shop_with(7)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    # Between the first slice and the next: SO-04 is cancelled (its timeline ends, it leaves the sku index) and
    # SO-05 completes without leaving the index (a step that stopped before releasing it).
    shop.event("Order Cancelled", {"orderId": "SO-04"}, DELAY_AT)
    assert "SO-04" not in shop.orders.skus[SKU]
    order = shop.orders.orders["SO-05"]
    order.record = order.record.__class__(**{**order.record.__dict__, "run_status": "complete"})
    continuations(shop)

    assert told(shop) == {order_id(n): 1 for n in (0, 1, 2, 3, 6)}
    assert batch_reports(shop) == [
        {"sku": SKU, "reason": "mill strike", "orders": 5, "customersTold": 5, "absorbedByPadding": 0}
    ]


def test_given_an_order_of_the_sku_placed_between_slices_then_the_earlier_delay_does_not_reach_it() -> None:
    shop = shop_with(4)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    place(shop, 9, DELAY_AT + timedelta(seconds=1))  # SO-09 sorts after the slice's last order
    continuations(shop, when=DELAY_AT + timedelta(seconds=2))

    assert told(shop) == {order_id(n): 1 for n in range(4)}
    assert [r["orders"] for r in batch_reports(shop)] == [4]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"after": None}, "detail.after"),
        ({"after": "SO 1"}, "detail.after"),
        ({"eventId": None}, "detail.eventId"),
        ({"receivedAt": "yesterday"}, "detail.receivedAt"),
        ({"sku": ""}, "detail.sku"),
    ],
)
def test_given_a_malformed_continuation_then_it_is_dead_lettered_naming_the_field(
    change: dict[str, Any], field: str
) -> None:
    shop = shop_with(4)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    [(_, detail)] = shop.bus.take()
    detail = {k: v for k, v in {**detail, **change}.items() if v is not None}

    result = shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, detail, DELAY_AT, source=TIMER_SOURCE)

    assert result["outcome"] == "rejected"
    [(_, code, reason)] = shop.dead_letters.rejected
    assert code == "INVALID_EVENT"
    assert reason.startswith(f"{field}: ")
    assert told(shop) == {order_id(n): 1 for n in range(GROUP)}  # the first slice's; nobody else, nobody twice


def test_given_a_continuation_from_outside_then_it_is_dead_lettered_as_a_source_mismatch() -> None:
    shop = shop_with(4)
    shop.event("Production Delayed", DELAY, DELAY_AT, event_id="delay-1", budget=NoTimeLeft())
    [(_, detail)] = shop.bus.take()

    shop.event(SKU_DELAY_CONTINUED_DETAIL_TYPE, detail, DELAY_AT, source="com.example.shop")

    [(_, code, reason)] = shop.dead_letters.rejected
    assert code == "SOURCE_MISMATCH"
    assert reason.startswith("source: 'Sku Delay Continued' is an internal event")
