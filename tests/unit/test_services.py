"""The services over in-memory fakes (``fakes.Shop``): what a customer receives and ops see, decided
without AWS or threads."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from domain_builders import at, placed_detail, shipped
from fakes import Shop
from outreach_lambda.domain.model import ContactOrder
from outreach_lambda.step_contract import SendRequest, WakeRequest

PLACED_AT = at("2026-11-02T09:00:00Z")


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
def placed(shop: Shop) -> Shop:
    """SO-1 placed, recorded, and its execution parked on token 't0'."""
    assert shop.event("Order Placed", placed_detail(), PLACED_AT)["outcome"] == "accepted"
    shop.start("SO-1", PLACED_AT)
    assert shop.park("SO-1", "t0", PLACED_AT) == "parked"
    return shop


# -- the intake / timeline race, every interleaving, no threads ---------------------------------------
def interleavings(first: Callable[[Shop], None], second: Callable[[Shop], None]) -> list[Any]:
    """One scenario per point of ``first``'s store calls at which ``second`` runs entirely."""
    probe = _busy_order()
    before = len(probe.orders.calls)
    first(probe)
    steps = len(probe.orders.calls) - before

    def scenario(k: int) -> Shop:
        shop = _busy_order()
        shop.orders.at_call(k, lambda: second(shop))
        first(shop)
        if k >= steps:
            second(shop)
        return shop

    name = f"{second.__name__.strip('_')}-before-{first.__name__.strip('_')}-call"
    return [pytest.param(lambda k=k: scenario(k), id=f"{name}-{k}") for k in range(steps + 1)]


def _busy_order() -> Shop:
    """SO-1 between two waits: its token 't0' was taken, its next wait has not parked yet."""
    shop = Shop()
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)
    shop.park("SO-1", "t0", PLACED_AT)
    assert shop.orders.announce("SO-1").token == "t0"
    shop.timeline.step("SO-1", PLACED_AT)  # the step the token was taken for: it accounts for that arrival
    return shop


def _shipment_arrives(shop: Shop) -> None:
    shop.event("Order Shipped", shipped(), PLACED_AT + timedelta(hours=1), event_id="ship-1")


def _execution_parks(shop: Shop) -> None:
    """The next wait (the state machine's own write; "Advance the order" when it is refused)."""
    shop.park("SO-1", "t1", PLACED_AT + timedelta(hours=1))


def _execution_parks_legacy(shop: Shop) -> None:
    """The next wait of an execution started under the older definition (it invokes the timeline function)."""
    shop.timeline.wait("SO-1", "production", "t1", PLACED_AT + timedelta(days=8), PLACED_AT + timedelta(hours=1))


@pytest.mark.parametrize(
    "scenario",
    [
        *interleavings(_shipment_arrives, _execution_parks),  # the execution parks while intake works
        *interleavings(_execution_parks, _shipment_arrives),  # the event arrives while the wait parks
    ],
)
def test_given_an_event_and_a_parking_execution_in_any_interleaving_then_it_is_advanced_exactly_once(
    scenario: Callable[[], Shop],
) -> None:
    shop = scenario()

    # Either the wait parked and intake took its token, or the wait was refused and advanced the order itself.
    assert [token for token, _ in shop.machine.completed] in ([], ["t1"])
    assert [m.subject for m in shop.customer.sent if "on its way" in (m.subject or "")] != []
    assert len(shop.customer.sent) == 2  # the confirmation, then "on its way" once
    assert shop.orders.inbox("SO-1") == []
    assert shop.last is not None and shop.last.phase == "delivery"
    assert shop.orders.orders["SO-1"].token is None  # nothing left parked on a token nobody will complete


@pytest.mark.parametrize(
    "scenario",
    [
        *interleavings(_shipment_arrives, _execution_parks_legacy),
        *interleavings(_execution_parks_legacy, _shipment_arrives),
    ],
)
def test_given_an_execution_of_the_older_definition_in_any_interleaving_then_it_is_advanced_exactly_once(
    scenario: Callable[[], Shop],
) -> None:
    shop = scenario()

    assert [token for token, _ in shop.machine.completed] == ["t1"]
    assert len(shop.customer.sent) == 2  # the confirmation, then "on its way" once
    assert shop.orders.inbox("SO-1") == []
    assert shop.machine.completed[0][1]["phase"] == "delivery"


def test_given_no_event_when_the_execution_parks_then_it_stays_parked_with_the_timer_its_step_armed() -> None:
    busy = _busy_order()

    _execution_parks(busy)

    assert busy.machine.completed == []
    # One timer, armed by the last step for the next contact (the production update, 3 days before the
    # production estimate of 16 Nov), whatever the wait was told.
    assert [due for _, due in busy.timers.armed.values()] == [at("2026-11-13T09:00:00Z")]


def test_given_a_step_whose_save_fails_then_the_timer_the_order_records_still_exists(placed: Shop) -> None:
    """A delay moves the order's next wake-up, so its step replaces the timer; then its save fails (another step
    saved first, or the write was throttled beyond retries). The order still records the old timer, so that one
    must still exist: a step deletes the timer it replaces only once it is saved. The retried step moves it."""
    [old] = placed.timers.armed
    real_save = placed.orders.save_step
    failures = [RuntimeError("ProvisionedThroughputExceededException")]

    def save_once_failing(*args: Any, **kwargs: Any) -> None:
        if failures:
            raise failures.pop()
        real_save(*args, **kwargs)

    placed.orders.save_step = save_once_failing  # type: ignore[method-assign]
    later = {"orderId": "SO-1", "estimatedCompletion": "2026-11-26"}
    placed.event("Production Delayed", later, PLACED_AT + timedelta(days=1))

    assert placed.machine.failed == [("t0", "TimelineStepFailed")]  # the wait is retried
    assert placed.orders.orders["SO-1"].record.timer_name == old and old in placed.timers.armed
    assert placed.park("SO-1", "t1", PLACED_AT + timedelta(days=1)) == "advanced"  # the retried wait: the step
    [new] = placed.timers.armed
    assert new != old and placed.orders.orders["SO-1"].record.timer_name == new


# -- what the customer receives ---------------------------------------------------------------------
def test_given_an_order_placed_then_the_customer_is_thanked_once_and_ops_hear_nothing(placed: Shop) -> None:
    assert [(m.channel, m.to) for m in placed.customer.sent] == [("email", "ada@example.com")]
    assert "SO-1" in (placed.customer.sent[0].subject or "")
    assert placed.ops.published == []
    assert placed.machine.started == ["SO-1"]
    assert placed.last is not None and placed.last.phase == "production"
    assert placed.last.contacts_sent == ["order_confirmation#email"]


def test_given_a_contact_sent_when_the_sender_is_retried_then_the_customer_gets_it_once(placed: Shop) -> None:
    [entry] = [k for k in placed.ledger.entries if k[1] == "order_confirmation#email"]
    again = ContactOrder(key=entry[1], kind="order_confirmation", channel="email", due_at=PLACED_AT)

    assert placed.sender.send("SO-1", again, PLACED_AT).status == "duplicate"
    assert len(placed.customer.sent) == 1


def test_given_a_cancelled_order_then_only_the_cancellation_is_confirmed_and_its_timer_disarmed(placed: Shop) -> None:
    assert placed.timers.armed
    cancelled_at = PLACED_AT + timedelta(days=2)
    placed.event("Order Cancelled", {"orderId": "SO-1", "reason": "changed my mind"}, cancelled_at)

    assert placed.last is not None and placed.last.phase == "cancelled"
    assert [k for _, k in placed.ledger.entries] == ["order_confirmation#email", "cancellation_confirmation#email"]
    assert placed.timers.armed == {}
    late = ContactOrder(key="shipped#email", kind="shipped", channel="email", due_at=cancelled_at)
    assert placed.sender.send("SO-1", late, cancelled_at).status == "suppressed"
    assert len(placed.customer.sent) == 2


def test_given_a_throttled_send_then_the_timeline_plans_it_again_and_wakes_for_it(shop: Shop) -> None:
    shop.customer.fail_with = ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow"}}, "Send")
    shop.customer.failures = 1
    shop.event("Order Placed", placed_detail(), PLACED_AT)

    first = shop.start("SO-1", PLACED_AT)

    assert shop.customer.sent == []
    assert first.wake_at is not None and first.wake_at <= PLACED_AT + timedelta(minutes=1)
    assert first.contacts_sent == []
    assert shop.park("SO-1", "t0", PLACED_AT) == "parked"
    assert [due for _, due in shop.timers.armed.values()] == [first.wake_at]  # the step armed it for the retry
    timer = {"orderId": "SO-1", "dueAt": first.wake_at.isoformat()}
    shop.event("Timer Due", timer, first.wake_at, source="outreach.timer")
    assert [m.channel for m in shop.customer.sent] == ["email"]
    assert shop.ops.published == []


def test_given_a_wait_of_the_older_definition_entered_after_its_wake_time_then_it_advances_at_once(
    shop: Shop,
) -> None:
    shop.customer.fail_with = ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow"}}, "Send")
    shop.customer.failures = 1
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    first = shop.start("SO-1", PLACED_AT)
    assert first.wake_at is not None

    assert shop.legacy_park("SO-1", "t0", first.wake_at) == "advanced"  # the retry is due
    assert [m.channel for m in shop.customer.sent] == ["email"]


def test_given_a_provider_error_when_sending_then_ops_get_contact_failed_and_it_is_not_resent(shop: Shop) -> None:
    shop.customer.fail_with = ClientError({"Error": {"Code": "MessageRejected", "Message": "no"}}, "SendEmail")
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)

    assert shop.customer.sent == []
    assert shop.ops.kinds() == ["contact_failed"]
    assert shop.ops.published[0]["orderId"] == "SO-1"
    assert shop.ledger.entries[("ORDER#SO-1", "order_confirmation#email")]["status"] == "FAILED"


def test_given_a_step_that_fails_when_woken_then_the_token_is_failed_for_the_state_machine_to_retry(
    placed: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(order_id: str, now: object) -> None:
        raise RuntimeError("table unavailable")

    monkeypatch.setattr(type(placed.timeline), "step", lambda self, order_id, now: broken(order_id, now))
    placed.event("Order Shipped", shipped(), PLACED_AT + timedelta(days=9))

    assert placed.machine.failed == [("t0", "TimelineStepFailed")]
    assert [e.detail_type for _, e in placed.orders.inbox("SO-1")] == ["Order Shipped"]  # kept for the retry


# -- what intake does with each event -----------------------------------------------------------------
def test_given_a_malformed_event_then_it_is_dead_lettered_naming_the_field(shop: Shop) -> None:
    detail = placed_detail()
    detail["customer"]["email"] = "not-an-address"

    outcome = shop.event("Order Placed", detail, PLACED_AT)

    assert outcome["outcome"] == "rejected"
    [(_, code, reason)] = shop.dead_letters.rejected
    assert code == "INVALID_EVENT"
    assert "detail.customer.email" in reason
    assert shop.machine.started == []


def test_given_an_event_about_an_unknown_order_then_it_is_dead_lettered(shop: Shop) -> None:
    outcome = shop.event("Order Shipped", shipped(), PLACED_AT)

    assert outcome["outcome"] == "rejected"
    assert shop.dead_letters.rejected[0][1] == "UNKNOWN_ORDER"


def test_given_an_unknown_orders_event_then_nothing_of_it_stays_and_a_redrive_once_the_order_exists_reaches_it(
    shop: Shop,
) -> None:
    first = shop.event("Order Shipped", shipped(), PLACED_AT, event_id="ship-1")

    assert first["outcome"] == "rejected"
    assert [code for _, code, _ in shop.dead_letters.rejected] == ["UNKNOWN_ORDER"]
    assert shop.orders.orphans.get("SO-1", {}) == {}  # stored for the write that found no order, then removed
    # The order arrives late; ops redrive the dead-lettered shipment: it is new to the order, not a redelivery.
    shop.event("Order Placed", placed_detail(), PLACED_AT + timedelta(minutes=5))
    shop.start("SO-1", PLACED_AT + timedelta(minutes=5))
    assert shop.park("SO-1", "t0", PLACED_AT + timedelta(minutes=5)) == "parked"
    redriven = shop.event("Order Shipped", shipped(), PLACED_AT + timedelta(minutes=30), event_id="ship-1")

    assert redriven["outcome"] == "accepted"
    assert [WakeRequest.model_validate(p).task_token for p in shop.timeline_invoker.payloads] == ["t0"]
    assert [m.subject for m in shop.customer.sent] == ["Thank you for your order SO-1", "Your order SO-1 is on its way"]


def test_given_an_unknown_orders_event_left_stored_by_a_stopped_intake_then_its_redelivery_is_still_dead_lettered(
    shop: Shop,
) -> None:
    shop.orders.at_call(1, lambda: (_ for _ in ()).throw(TimeoutError("intake timed out")))  # after the store
    with pytest.raises(TimeoutError):
        shop.event("Order Shipped", shipped(), PLACED_AT, event_id="ship-1")
    assert shop.dead_letters.rejected == []

    again = shop.event("Order Shipped", shipped(), PLACED_AT, event_id="ship-1")

    assert again["outcome"] == "rejected"
    assert [code for _, code, _ in shop.dead_letters.rejected] == ["UNKNOWN_ORDER"]
    assert shop.orders.orphans.get("SO-1", {}) == {}


def test_given_an_event_for_a_cancelled_order_then_it_is_ignored_and_nobody_is_woken(placed: Shop) -> None:
    order = placed.orders.orders["SO-1"]
    order.record = dataclasses.replace(order.record, run_status="cancelled")

    outcome = placed.event("Order Shipped", shipped(), PLACED_AT + timedelta(days=9), event_id="ship-1")
    again = placed.event("Order Shipped", shipped(), PLACED_AT + timedelta(days=9), event_id="ship-1")

    assert (outcome["outcome"], again["outcome"]) == ("ignored", "ignored")
    assert placed.timeline_invoker.payloads == []
    assert order.token == "t0" and placed.dead_letters.rejected == []


def test_given_a_redelivered_event_then_the_order_is_advanced_once(placed: Shop) -> None:
    first = placed.event("Order Shipped", shipped(), PLACED_AT + timedelta(days=9), event_id="ship-1")
    second = placed.event("Order Shipped", shipped(), PLACED_AT + timedelta(days=9), event_id="ship-1")

    assert (first["outcome"], second["outcome"]) == ("accepted", "ignored")
    assert [WakeRequest.model_validate(p).task_token for p in placed.timeline_invoker.payloads] == ["t0"]


def test_given_a_catalog_request_then_the_sender_is_asked_for_the_follow_up_once(shop: Shop) -> None:
    request = {"requestId": "CAT-1", "customer": {"name": "Grace Hopper", "email": "grace@example.com"}}
    shop.event("Catalog Requested", request, PLACED_AT, event_id="cat-1")
    shop.event("Catalog Requested", request, PLACED_AT, event_id="cat-2")

    assert shop.sender_invoker.payloads == [{"requestId": "CAT-1", "redrive": False}]
    shop.sender.send_catalog_follow_up("CAT-1", PLACED_AT)
    assert [(m.channel, m.to) for m in shop.customer.sent] == [("email", "grace@example.com")]


def test_given_feedback_after_the_timeline_ended_then_it_is_acknowledged_through_the_sender(placed: Shop) -> None:
    order = placed.orders.orders["SO-1"]
    order.record = dataclasses.replace(order.record, run_status="complete")

    placed.event("Feedback Received", {"orderId": "SO-1", "rating": 2}, PLACED_AT + timedelta(days=40))

    [payload] = placed.sender_invoker.payloads
    assert SendRequest.model_validate(payload).contact.kind == "feedback_acknowledgement"
    assert placed.ops.kinds() == ["negative_feedback"]


# -- hostile input: every rejection names the field and the problem, and nothing reaches the customer ------------
def rejected(shop: Shop) -> list[tuple[str, str]]:
    return [(code, reason) for _, code, reason in shop.dead_letters.rejected]


def test_given_production_days_true_then_dead_lettered_naming_the_field_not_read_as_one_day(shop: Shop) -> None:
    outcome = shop.event("Order Placed", {**placed_detail(), "productionDays": True}, PLACED_AT)

    assert outcome["outcome"] == "rejected"
    assert rejected(shop) == [("INVALID_EVENT", "detail.productionDays: Input should be a valid integer")]
    assert shop.machine.started == []


def test_given_a_rating_of_true_then_dead_lettered_not_a_one_star_review(placed: Shop) -> None:
    placed.event("Feedback Received", {"orderId": "SO-1", "rating": True}, PLACED_AT + timedelta(days=20))

    assert rejected(placed) == [("INVALID_EVENT", "detail.rating: Input should be a valid integer")]
    assert placed.ops.published == []
    assert placed.orders.inbox("SO-1") == []


def test_given_an_order_placed_in_1970_then_dead_lettered_and_no_promise_is_quoted(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(placed_at="1970-01-01T00:00:00Z"), PLACED_AT)

    [(code, reason)] = rejected(shop)
    assert code == "INVALID_EVENT"
    assert reason == "detail.placedAt: must not be more than 30 days before the event's time 2026-11-02T09:00:00Z"
    assert shop.machine.started == [] and shop.orders.orders == {}


def test_given_a_completion_years_ahead_then_dead_lettered_and_no_new_promise(placed: Shop) -> None:
    detail = {"orderId": "SO-1", "completedAt": "2031-01-01T00:00:00Z"}
    placed.event("Production Completed", detail, PLACED_AT + timedelta(days=10))

    [(code, reason)] = rejected(placed)
    assert (code, reason.split(":")[0]) == ("INVALID_EVENT", "detail.completedAt")
    assert "more than 5 minutes after the event's time" in reason
    assert placed.orders.inbox("SO-1") == []


@pytest.mark.parametrize(
    ("detail_type", "detail", "field"),
    [
        ("Production Completed", {"orderId": "SO-1", "completedAt": "2026-11-01T09:00:00Z"}, "completedAt"),
        ("Order Delivered", {"orderId": "SO-1", "deliveredAt": "2026-11-02T08:59:00Z"}, "deliveredAt"),
        ("Production Delayed", {"orderId": "SO-1", "estimatedCompletion": "2026-11-01"}, "estimatedCompletion"),
        ("Production Delayed", {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-11-01"}, "estimatedCompletion"),
        ("Order Shipped", {**shipped(), "estimatedDelivery": "2026-10-30"}, "estimatedDelivery"),
    ],
)
def test_given_a_date_before_the_order_was_placed_then_dead_lettered_naming_it(
    placed: Shop, detail_type: str, detail: dict[str, Any], field: str
) -> None:
    placed.event(detail_type, detail, PLACED_AT + timedelta(days=3))

    assert rejected(placed) == [
        (
            "INVALID_EVENT",
            f"detail.{field}: must not be before the order was placed (2026-11-02T09:00:00+00:00) (order 'SO-1')",
        )
    ]
    assert placed.orders.inbox("SO-1") == []
    assert placed.orders.batches == {}


def test_given_a_sku_index_entry_without_an_order_when_the_sku_is_delayed_then_the_real_orders_still_hear_of_it(
    placed: Shop,
) -> None:
    placed.orders.skus["SOFA-3S-VELVET"].add("SO-0")  # an index entry whose order was never registered

    delay = {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-12-20"}
    result = placed.event("Production Delayed", delay, PLACED_AT)

    assert rejected(placed) == []
    assert (result["outcome"], result["orderIds"]) == ("accepted", ["SO-1"])


def test_given_an_order_registered_before_placed_at_was_kept_then_an_early_date_is_judged_by_its_state(
    placed: Shop,
) -> None:
    order = placed.orders.orders["SO-1"]
    # a STATE item of an older version: placedAt only in the state
    order.record = dataclasses.replace(order.record, placed_at=None)

    placed.event("Order Delivered", {"orderId": "SO-1", "deliveredAt": "2026-11-02T08:59:00Z"}, PLACED_AT)

    assert rejected(placed) == [
        (
            "INVALID_EVENT",
            "detail.deliveredAt: must not be before the order was placed (2026-11-02T09:00:00+00:00) (order 'SO-1')",
        )
    ]


def test_given_an_early_completion_before_the_first_step_then_the_stored_placement_still_rejects_it(
    shop: Shop,
) -> None:
    shop.event(
        "Order Placed", placed_detail(placed_at="2026-11-02T10:00:00+01:00", timezone="Europe/Berlin"), PLACED_AT
    )
    assert shop.orders.orders["SO-1"].record.state is None  # the execution has not recorded the order yet

    shop.event("Production Completed", {"orderId": "SO-1", "completedAt": "2026-11-01T12:00:00Z"}, PLACED_AT)

    [(_, reason)] = rejected(shop)
    assert reason.startswith("detail.completedAt: must not be before the order was placed (2026-11-02T10:00:00+01:00)")


def test_given_a_second_order_placed_with_different_content_then_it_is_a_conflict_not_a_duplicate(
    placed: Shop,
) -> None:
    changed = placed_detail()
    changed["items"][0]["quantity"] = 2

    outcome = placed.event("Order Placed", changed, PLACED_AT + timedelta(hours=1), event_id="placed-again")

    assert outcome["outcome"] == "rejected"
    [(code, reason)] = rejected(placed)
    assert code == "CONFLICTING_ORDER"
    assert reason.startswith("detail: a different Order Placed for order 'SO-1' was accepted before (event evt-1)")
    assert placed.machine.started == ["SO-1"]
    assert len(placed.customer.sent) == 1
    assert placed.orders.inbox("SO-1") == []


def test_given_the_same_order_placed_again_differently_spelled_then_a_harmless_duplicate(placed: Shop) -> None:
    again = placed_detail(placed_at="2026-11-02T10:00:00+01:00")
    again["customer"]["name"] = " Ada Lovelace  "
    again["salesChannel"] = "showroom"

    outcome = placed.event("Order Placed", again, PLACED_AT + timedelta(hours=1), event_id="redelivered-with-new-id")

    assert outcome == {"outcome": "duplicate", "orderIds": ["SO-1"]}
    assert rejected(placed) == []
    assert len(placed.customer.sent) == 1 and placed.machine.started == ["SO-1"]


def test_given_a_timer_delivered_twice_then_the_parked_order_is_woken_once(placed: Shop) -> None:
    timer = {"orderId": "SO-1", "dueAt": "2026-11-13T09:00:00Z"}
    when = at("2026-11-13T09:00:00Z")

    first = placed.event("Timer Due", timer, when, event_id="timer-1", source="outreach.timer")
    again = placed.event("Timer Due", timer, when, event_id="timer-1", source="outreach.timer")

    assert first == {"outcome": "accepted", "orderIds": ["SO-1"]}
    assert again == {"outcome": "ignored", "orderIds": []}
    assert len(placed.timeline_invoker.payloads) == 1


def test_given_a_timer_due_from_the_shop_then_dead_lettered_as_a_wrong_source(placed: Shop) -> None:
    timer = {"orderId": "SO-1", "dueAt": PLACED_AT.isoformat()}

    placed.event("Timer Due", timer, PLACED_AT + timedelta(hours=1))

    assert rejected(placed) == [
        (
            "SOURCE_MISMATCH",
            "source: 'Timer Due' is an internal event, only 'outreach.timer' sends it, not 'com.example.shop'",
        )
    ]
    assert placed.timeline_invoker.payloads == []


def test_given_an_order_event_from_the_timer_source_then_dead_lettered_as_a_wrong_source(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT, source="outreach.timer")

    [(code, reason)] = rejected(shop)
    assert code == "SOURCE_MISMATCH" and reason.startswith("source: 'outreach.timer' is internal")
    assert shop.machine.started == []


@pytest.mark.parametrize(("detail", "kind"), [([placed_detail()], "an array"), ("SO-1", "a string"), (None, "null")])
def test_given_a_detail_that_is_not_an_object_then_one_rejection_naming_detail(
    shop: Shop, detail: Any, kind: str
) -> None:
    outcome = shop.event("Order Placed", detail, PLACED_AT)

    assert outcome["outcome"] == "rejected"
    assert rejected(shop) == [("INVALID_EVENT", f"detail: must be a JSON object, got {kind}")]


@pytest.mark.parametrize("raw", [["Order Placed"], "Order Placed", None, 42])
def test_given_an_invocation_that_is_not_an_event_object_then_one_rejection_not_a_crash(shop: Shop, raw: Any) -> None:
    outcome = shop.intake.handle(raw, PLACED_AT).to_payload()

    assert outcome["outcome"] == "rejected"
    [(event, code, reason)] = shop.dead_letters.rejected
    assert (event, code) == (raw, "INVALID_EVENT")
    assert reason.startswith("(event): must be a JSON object") and "detail" in reason


def test_given_an_event_stamped_in_the_future_then_dead_lettered_naming_time(shop: Shop) -> None:
    envelope = {
        "id": "e-future",
        "detail-type": "Order Placed",
        "source": "com.example.shop",
        "time": "2027-01-01T00:00:00Z",
        "detail": placed_detail(placed_at="2027-01-01T00:00:00Z"),
    }

    shop.intake.handle(envelope, PLACED_AT)

    [(code, reason)] = rejected(shop)
    assert code == "INVALID_EVENT" and reason.startswith("time: 2027-01-01T00:00:00Z is more than 5 minutes after")


def test_given_a_reason_too_long_for_the_order_item_then_dead_lettered_naming_it(placed: Shop) -> None:
    placed.event("Order Cancelled", {"orderId": "SO-1", "reason": "x" * 5000}, PLACED_AT + timedelta(days=1))

    assert rejected(placed) == [("INVALID_EVENT", "detail.reason: must be at most 200 characters, got 5000")]


def test_given_an_accepted_event_then_the_inbox_holds_its_validated_detail(placed: Shop) -> None:
    detail = {"orderId": "SO-1", "reason": "  changed my mind ", "attachment": "x" * 100_000}
    placed.orders.announce("SO-1")  # the execution is busy: the event waits in the inbox

    placed.event("Order Cancelled", detail, PLACED_AT + timedelta(days=1))

    [(_, stored)] = placed.orders.inbox("SO-1")
    assert stored.detail == {"orderId": "SO-1", "reason": "changed my mind"}
