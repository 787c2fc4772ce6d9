"""The orders table adapter on a (moto) DynamoDB table: the guarantees the timeline builds on.

No event lost between two waits (intake's claim / the wait's park handshake), a redelivered event recognised
even after it was applied, a retried step cannot apply events twice, and an order's STATE item small enough to
cost one write unit."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from domain_builders import at, inbound, placed_detail
from outreach_lambda.adapters import orders as orders_module
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.timeline import advance

from tests.dynamo import keyed_table_on_moto

NOW = at("2026-11-02T09:00:00Z")
CONFIG = OutreachConfig()


@pytest.fixture
def orders(monkeypatch: pytest.MonkeyPatch) -> Iterator[OrdersRepository]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with keyed_table_on_moto("orders") as name:
        yield OrdersRepository(name)


def _step(orders: OrdersRepository) -> None:
    """One timeline step as services/timeline.py runs it: load, advance, save."""
    record, pending = orders.load("SO-1")
    assert record is not None
    decision = advance(record.state, [e for _, e in pending], NOW, CONFIG)
    orders.save_step(
        record, decision, [e.event_id for _, e in pending], phase="production", timer=None, accounted=record.arrived
    )


@pytest.fixture
def placed(orders: OrdersRepository) -> OrdersRepository:
    """SO-1 placed and recorded by its first step."""
    assert orders.register("SO-1", "placed-1", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)
    event = inbound("Order Placed", placed_detail(), NOW).model_copy(update={"event_id": "placed-1"})
    assert orders.put_inbox("SO-1", event)
    _step(orders)
    return orders


def test_given_a_recorded_order_then_it_reads_back_whole_from_a_state_item_of_one_write_unit(
    placed: OrdersRepository,
) -> None:
    record, pending = placed.load("SO-1")

    assert pending == []
    assert record is not None and record.state is not None
    assert record.state.order.customer.email == "ada@example.com"  # the detail, from the Order Placed event
    assert [q["promisedDate"] for q in placed.quotes("SO-1")] == ["2026-11-30"]
    item = boto3.client("dynamodb").get_item(TableName="orders", Key={"pk": {"S": "ORDER#SO-1"}, "sk": {"S": "STATE"}})
    size = sum(len(k) + len(str(next(iter(v.values())))) for k, v in item["Item"].items())
    assert size < 1024


def test_given_an_event_announced_while_the_execution_was_busy_then_the_next_wait_does_not_park(
    placed: OrdersRepository,
) -> None:
    assert placed.park("SO-1", "t1", "production")
    assert placed.announce("SO-1").token == "t1"  # intake took the token: the execution is busy now
    placed.put_inbox("SO-1", inbound("Production Completed", {"orderId": "SO-1"}, NOW + timedelta(days=1)))
    assert placed.announce("SO-1").token is None  # announced, nobody parked

    assert not placed.park("SO-1", "t2", "production")  # the wait advances instead
    _step(placed)  # the step sees both arrivals: it accounts for them
    assert placed.park("SO-1", "t3", "production")


def test_given_an_event_stored_but_not_yet_announced_then_the_wait_parks_and_the_announcement_takes_the_token(
    placed: OrdersRepository,
) -> None:
    placed.put_inbox("SO-1", inbound("Production Completed", {"orderId": "SO-1"}, NOW + timedelta(days=1)))

    assert placed.park("SO-1", "t1", "production")
    assert placed.announce("SO-1").token == "t1"
    _, pending = placed.load("SO-1")
    assert [e.detail_type for _, e in pending] == ["Production Completed"]


def test_given_an_event_announced_after_a_finishing_step_read_the_order_then_its_save_is_refused_to_run_again(
    placed: OrdersRepository,
) -> None:
    """A step that would end the order must not leave an event announced meanwhile unread: its save is refused
    (``ArrivedMeanwhile``); once it has read the event it saves. A non-finishing step saves regardless (its wait
    refuses to park instead), and a stale version stays a plain conflict."""
    placed.put_inbox("SO-1", inbound("Order Cancelled", {"orderId": "SO-1"}, NOW + timedelta(days=1)))
    assert placed.announce("SO-1").announced
    record, pending = placed.load("SO-1")
    assert record is not None
    decision = advance(record.state, [e for _, e in pending], NOW, CONFIG)
    assert decision.run_status == "cancelled"
    late = inbound("Production Delayed", {"orderId": "SO-1", "estimatedCompletion": "2026-12-20"}, NOW)
    placed.put_inbox("SO-1", late)
    assert placed.announce("SO-1").announced  # the order is not finished yet: the delay is announced

    with pytest.raises(orders_module.ArrivedMeanwhile):
        placed.save_step(record, decision, [e.event_id for _, e in pending], phase="x", timer=None, accounted=1)
    _step(placed)  # runs again: reads both events, saves the cancelled order

    record, pending = placed.load("SO-1")
    assert record is not None and record.run_status == "cancelled" and pending == []
    assert not placed.announce("SO-1").announced  # from now on an event is refused as for a finished order


def test_given_a_stale_finishing_step_then_its_save_is_a_plain_version_conflict(placed: OrdersRepository) -> None:
    placed.put_inbox("SO-1", inbound("Order Cancelled", {"orderId": "SO-1"}, NOW + timedelta(days=1)))
    placed.announce("SO-1")
    record, pending = placed.load("SO-1")
    assert record is not None
    decision = advance(record.state, [e for _, e in pending], NOW, CONFIG)
    _step(placed)  # another step got there first

    with pytest.raises(ClientError) as raised:
        placed.save_step(record, decision, [e.event_id for _, e in pending], phase="x", timer=None, accounted=1)
    assert not isinstance(raised.value, orders_module.ArrivedMeanwhile)


def _step_arming(orders: OrdersRepository, due: str | None) -> None:
    """A step that leaves the order's timer armed for ``due`` (None: none)."""
    record, pending = orders.load("SO-1")
    assert record is not None
    decision = advance(record.state, [e for _, e in pending], NOW, CONFIG)
    timer = (f"timer-{due}", due) if due else None
    orders.save_step(
        record, decision, [e.event_id for _, e in pending], phase="production", timer=timer, accounted=record.arrived
    )


DUE = "2026-11-13T09:00:00+00:00"


def test_given_the_armed_timer_fires_then_it_is_announced_and_takes_the_token_and_a_redelivery_does_not(
    placed: OrdersRepository,
) -> None:
    _step_arming(placed, DUE)
    assert placed.park("SO-1", "t1", "production")

    assert placed.claim_timer("SO-1", DUE) == (True, "t1")
    record, pending = placed.load("SO-1")
    assert record is not None and record.fired_timers == {DUE} and pending == []  # no event item for a timer
    _step_arming(placed, "2026-11-16T09:00:00+00:00")  # the step read the fire and armed the next timer

    assert placed.claim_timer("SO-1", DUE) == (False, None)  # redelivered: not armed any more
    record, _ = placed.load("SO-1")
    assert record is not None and record.fired_timers == frozenset() and record.arrived == record.accounted
    assert placed.park("SO-1", "t2", "production")


def test_given_a_timer_the_order_no_longer_has_armed_then_it_is_not_announced(placed: OrdersRepository) -> None:
    _step_arming(placed, None)

    assert placed.claim_timer("SO-1", DUE) == (False, None)
    assert placed.claim_timer("SO-404", DUE) == (False, None)  # no such order: nothing written
    assert placed.park("SO-1", "t1", "production")


def test_given_a_timer_firing_while_a_step_runs_then_the_next_step_still_reads_it(placed: OrdersRepository) -> None:
    _step_arming(placed, DUE)
    record, pending = placed.load("SO-1")  # a step has read the order ...
    assert record is not None
    assert placed.claim_timer("SO-1", DUE) == (True, None)  # ... the timer fires: the execution is busy
    decision = advance(record.state, [e for _, e in pending], NOW, CONFIG)
    placed.save_step(record, decision, [], phase="production", timer=("timer", DUE), accounted=record.arrived)

    assert not placed.park("SO-1", "t1", "production")  # the fire was not accounted for: the wait advances
    record, _ = placed.load("SO-1")
    assert record is not None and record.fired_timers == {DUE}  # and the next step sees the timer fired


def test_given_the_order_moved_on_then_a_wait_for_an_earlier_phase_does_not_park(placed: OrdersRepository) -> None:
    assert not placed.park("SO-1", "t1", "shipment")
    assert not placed.park("SO-404", "t1", "production")  # no such order: nothing written
    assert placed.load("SO-404") == (None, [])


def test_given_an_applied_event_when_it_is_redelivered_then_it_is_recognised_and_not_pending(
    placed: OrdersRepository,
) -> None:
    completed = inbound("Production Completed", {"orderId": "SO-1"}, NOW + timedelta(days=1))
    assert placed.put_inbox("SO-1", completed)
    _step(placed)

    assert not placed.put_inbox("SO-1", completed)
    assert placed.load("SO-1")[1] == []


def test_given_an_applied_event_whose_stored_form_no_longer_reads_then_the_order_still_advances(
    placed: OrdersRepository,
) -> None:
    """A step parses only the Order Placed event and the pending ones: an applied event is known by its key, so
    an item an older version stored in a form the models now reject does not stop the order."""
    completed = inbound("Production Completed", {"orderId": "SO-1"}, NOW + timedelta(days=1))
    assert placed.put_inbox("SO-1", completed)
    _step(placed)
    boto3.resource("dynamodb").Table("orders").update_item(
        Key={"pk": "ORDER#SO-1", "sk": f"EVENT#{completed.event_id}"},
        UpdateExpression="SET #e = :old",
        ExpressionAttributeNames={"#e": "event"},
        ExpressionAttributeValues={":old": '{"an": "older form"}'},
    )
    shipped = inbound("Order Shipped", {"orderId": "SO-1", "carrier": "DHL", "trackingNumber": "1"}, NOW)
    assert placed.put_inbox("SO-1", shipped)

    record, pending = placed.load("SO-1")

    assert record is not None and record.state is not None and record.state.production_completed_at is not None
    assert [e.event_id for _, e in pending] == [shipped.event_id]


def test_given_an_order_then_its_standing_is_read_from_the_state_item_alone(placed: OrdersRepository) -> None:
    standing = placed.standings(["SO-1"])["SO-1"]

    assert standing is not None
    assert (standing.order_id, standing.run_status, standing.placed_at) == ("SO-1", "running", NOW)
    assert placed.standings(["SO-404"]) == {"SO-404": None}


def test_given_a_sku_delay_reaching_many_orders_then_every_standing_is_read_unknown_ones_as_none(
    orders: OrdersRepository,
) -> None:
    ids = [f"SO-{n:03d}" for n in range(230)]  # more than two BatchGetItem requests of 100
    for n, order_id in enumerate(ids[:-5]):
        assert orders.register(order_id, f"placed-{n}", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)

    found = orders.standings(ids)

    assert list(found) == ids
    assert all(found[i] is not None and found[i].run_status == "starting" for i in ids[:-5])  # type: ignore[union-attr]
    assert [found[i] for i in ids[-5:]] == [None] * 5


def test_given_an_inbox_item_of_the_older_layout_then_a_step_applies_it_once(placed: OrdersRepository) -> None:
    completed = inbound("Production Completed", {"orderId": "SO-1"}, NOW + timedelta(days=1))
    boto3.resource("dynamodb").Table("orders").put_item(
        Item={
            "pk": "ORDER#SO-1",
            "sk": f"INBOX#{completed.received_at.isoformat()}#{completed.event_id}",
            "event": completed.model_dump_json(by_alias=True),
        }
    )
    assert [e.event_id for _, e in placed.load("SO-1")[1]] == [completed.event_id]

    _step(placed)

    record, pending = placed.load("SO-1")
    assert pending == []
    assert record is not None and record.state is not None and record.state.production_completed_at is not None


def test_given_a_step_saved_meanwhile_when_a_stale_step_saves_then_it_fails(placed: OrdersRepository) -> None:
    stale, _ = placed.load("SO-1")
    _step(placed)
    assert stale is not None

    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        placed.save_step(stale, advance(stale.state, [], NOW, CONFIG), [], phase="production", timer=None, accounted=0)


class _Throttling:
    """A DynamoDB client whose BatchGetItem leaves the last key of each request unprocessed ``times`` times."""

    def __init__(self, real: Any, times: int) -> None:
        self._real, self._left = real, times

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        if self._left == 0:
            return dict(self._real.batch_get_item(RequestItems=RequestItems))
        self._left -= 1
        [(name, request)] = RequestItems.items()
        served = request["Keys"][:-1]
        answer = dict(self._real.batch_get_item(RequestItems={name: {**request, "Keys": served}})) if served else {}
        answer["UnprocessedKeys"] = {name: {**request, "Keys": request["Keys"][-1:]}}
        return answer


@pytest.mark.parametrize(("throttled", "found"), [(2, True), (5, False)])
def test_given_dynamodb_leaves_keys_unprocessed_then_they_are_asked_again_and_at_last_the_event_fails(
    orders: OrdersRepository, monkeypatch: pytest.MonkeyPatch, throttled: int, found: bool
) -> None:
    for n in range(3):
        assert orders.register(f"SO-{n}", f"placed-{n}", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)
    stub = _Throttling(boto3.client("dynamodb"), throttled)
    monkeypatch.setattr(orders_module, "client", lambda service: stub)
    slept: list[float] = []
    monkeypatch.setattr(orders_module.time, "sleep", slept.append)

    if found:
        assert sorted(orders.standings(["SO-0", "SO-1", "SO-2"])) == ["SO-0", "SO-1", "SO-2"]
        assert all(s is not None for s in orders.standings(["SO-0", "SO-1", "SO-2"]).values())
        assert slept == [0.05, 0.1]  # backing off before each request again
    else:
        with pytest.raises(RuntimeError, match="still unprocessed after 5 requests"):
            orders.standings(["SO-0", "SO-1", "SO-2"])
        assert slept == [0.05, 0.1, 0.2, 0.4]  # no sleep after the last request: the event is redelivered


# -- announcing an event without reading the order first (intake, events with no date to judge) ---------------
def _state(name: str = "orders") -> dict[str, Any] | None:
    key = {"pk": {"S": "ORDER#SO-1"}, "sk": {"S": "STATE"}}
    return boto3.client("dynamodb").get_item(TableName=name, Key=key, ConsistentRead=True).get("Item")


def test_given_a_parked_order_then_the_announcement_takes_the_token_and_says_how_the_order_stands(
    placed: OrdersRepository,
) -> None:
    assert placed.park("SO-1", "t1", "production")

    found = placed.announce("SO-1")

    assert (found.announced, found.token) == (True, "t1")
    assert found.standing is not None and found.standing.placed_at == NOW
    assert found.standing.run_status == "running"
    assert not placed.park("SO-1", "t2", "production")  # counted: the next wait advances instead of parking


def test_given_an_unknown_order_then_the_announcement_writes_nothing_and_its_stored_event_can_be_forgotten(
    orders: OrdersRepository,
) -> None:
    event = inbound("Order Shipped", {"orderId": "SO-1"}, NOW)
    assert orders.put_inbox("SO-1", event)

    found = orders.announce("SO-1")

    assert (found.standing, found.announced, found.token) == (None, False, None)
    assert _state() is None  # no STATE item was made by the refused update
    orders.forget_event("SO-1", event.event_id)
    assert orders.put_inbox("SO-1", event)  # stored anew: a redrive is not taken for a redelivery


def test_given_a_finished_order_then_nothing_is_announced_and_a_parked_token_is_left_alone(
    placed: OrdersRepository,
) -> None:
    record, _ = placed.load("SO-1")
    assert record is not None
    boto3.client("dynamodb").update_item(
        TableName="orders",
        Key={"pk": {"S": "ORDER#SO-1"}, "sk": {"S": "STATE"}},
        UpdateExpression="SET runStatus = :c, waitToken = :t",
        ExpressionAttributeValues={":c": {"S": "cancelled"}, ":t": {"S": "t9"}},
    )
    before = _state()

    found = placed.announce("SO-1")

    assert (found.announced, found.token) == (False, None)
    assert found.standing is not None and found.standing.run_status == "cancelled"
    assert _state() == before


# -- a sku delay in slices: the index read from a cursor, and the report counted as the orders are reached -----
def test_given_a_sku_index_then_its_orders_come_in_id_order_and_from_after_a_cursor(orders: OrdersRepository) -> None:
    for order_id in ("SO-3", "SO-10", "SO-2", "SO-1"):
        assert orders.register(order_id, f"placed-{order_id}", ["VELVET"], NOW, fingerprint="f", placed_at=NOW)

    assert orders.orders_with_sku("VELVET") == ["SO-1", "SO-10", "SO-2", "SO-3"]
    assert orders.orders_with_sku("VELVET", after="SO-10") == ["SO-2", "SO-3"]
    assert orders.orders_with_sku("VELVET", after="SO-3") == []
    assert orders.standings(["SO-1"])["SO-1"].registered_at == NOW  # type: ignore[union-attr]


def test_given_a_batch_closed_with_the_orders_its_slices_reached_then_it_reports_once_every_order_reported(
    orders: OrdersRepository,
) -> None:
    assert orders.open_batch("delay-1", "VELVET", "mill strike", NOW) == "open"
    assert orders.count_batch_outcome("delay-1", told=True) is None
    assert orders.count_batch_outcome("delay-1", told=False) is None  # 2 reported, but more orders may come
    assert orders.open_batch("delay-1", "VELVET", "mill strike", NOW) == "open"  # a redelivery keeps it

    assert orders.close_batch("delay-1", 3) is None  # the third has not reported yet
    summary = orders.count_batch_outcome("delay-1", told=True)

    assert summary == {
        "sku": "VELVET",
        "reason": "mill strike",
        "orders": 3,
        "customersTold": 2,
        "absorbedByPadding": 1,
    }
    assert orders.close_batch("delay-1", 3) is None  # a second chain of a redelivered delay: closed already
    assert orders.open_batch("delay-1", "VELVET", "mill strike", NOW) == "closed"


def test_given_every_order_reported_before_the_fan_out_closed_then_closing_it_reports(orders: OrdersRepository) -> None:
    orders.open_batch("delay-1", "VELVET", None, NOW)
    assert orders.count_batch_outcome("delay-1", told=True) is None

    assert orders.close_batch("delay-1", 1) == {
        "sku": "VELVET",
        "reason": "",
        "orders": 1,
        "customersTold": 1,
        "absorbedByPadding": 0,
    }
    assert orders.close_batch("delay-1", 1) is None
    assert orders.count_batch_outcome("delay-1", told=True) is None  # reported once: a late count publishes nothing


def test_given_a_batch_summary_counted_up_front_by_the_older_intake_then_it_still_reports_when_the_counts_meet(
    orders: OrdersRepository,
) -> None:
    boto3.resource("dynamodb").Table("orders").put_item(
        Item={
            "pk": "BATCH#old",
            "sk": "SUMMARY",
            "sku": "VELVET",
            "reason": "",
            "targeted": 1,
            "told": 0,
            "absorbed": 0,
        }
    )

    assert orders.open_batch("old", "VELVET", None, NOW) == "counted"
    assert orders.count_batch_outcome("old", told=True) == {
        "sku": "VELVET",
        "reason": "",
        "orders": 1,
        "customersTold": 1,
        "absorbedByPadding": 0,
    }
