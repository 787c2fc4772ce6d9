"""The order's stage decides what may still be said: late facts are recorded, never contradicted contacts.

Default order (domain_builders.placed_detail): placed Mon 2 Nov 09:00 UTC, 14 production + 7 transit days,
production due 16 Nov, promised 30 Nov.
"""

from __future__ import annotations

import typing
from datetime import datetime

from domain_builders import OrderRun, at, inbound, shipped
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import ContactKind, OrderState
from outreach_lambda.domain.stages import CONTACT_STAGES, ORDER, Stage, stage

SMS = {"channels": ["email", "sms"], "phone": "+4915112345678"}


def test_given_every_contact_kind_then_the_stage_table_says_where_it_may_go() -> None:
    assert set(CONTACT_STAGES) == set(typing.get_args(ContactKind))


def test_given_an_order_through_its_life_then_its_stage_only_moves_forward(order: OrderRun) -> None:
    seen: list[Stage] = []

    def note() -> None:
        assert order.state is not None
        seen.append(stage(order.state))

    order.place()
    note()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-14T10:00:00Z"))
    note()
    order.feed("Order Shipped", shipped(), at("2026-11-15T10:00:00Z"))
    note()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T10:00:00Z"))
    note()
    order.run_until(at("2026-11-30T00:00:00Z"))
    note()

    assert seen == [Stage.IN_PRODUCTION, Stage.PRODUCTION_COMPLETE, Stage.SHIPPED, Stage.DELIVERED, Stage.CLOSED]
    assert [ORDER.index(s) for s in seen] == sorted(ORDER.index(s) for s in seen)


def test_given_delivered_before_shipped_arrives_then_no_on_its_way_is_ever_sent(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T10:00:00Z"))
    order.feed("Order Shipped", shipped(), at("2026-11-20T12:00:00Z"))
    order.run_until(at("2026-11-30T00:00:00Z"))

    assert "shipped" not in order.kinds_sent()
    assert order.state is not None and order.state.shipment is not None  # recorded all the same
    assert order.kinds_sent()[-1] == "satisfaction_check"


def test_given_shipped_and_delivered_at_once_then_the_customer_is_not_told_it_is_on_its_way(
    order: OrderRun,
) -> None:
    order.place()
    when = at("2026-11-20T10:00:00Z")
    order.run_until(when)
    order.step([inbound("Order Shipped", shipped(), when), inbound("Order Delivered", {"orderId": "SO-1"}, when)], when)

    assert "shipped" not in order.kinds_sent()


def test_given_delivery_before_the_update_then_no_nearly_finished_message_after_delivery(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-10T10:00:00Z"))
    order.run_until(at("2026-11-30T00:00:00Z"))

    assert "production_update" not in order.kinds_sent()
    assert "satisfaction_check" in order.kinds_sent()


def test_given_a_late_completion_after_shipment_then_the_promise_stands_and_no_delay_notice(order: OrderRun) -> None:
    order.place()
    order.feed("Order Shipped", shipped(estimated_delivery="2026-11-27"), at("2026-11-20T10:00:00Z"))
    late = {"orderId": "SO-1", "completedAt": "2026-11-25T10:00:00Z"}  # 25 Nov + 7 days would be past 30 Nov
    decision = order.feed("Production Completed", late, at("2026-11-21T10:00:00Z"))

    assert order.state is not None
    assert order.state.production_completed_at == at("2026-11-25T10:00:00Z")  # recorded
    assert len(order.state.quotes) == 1
    assert "delay_notice" not in order.kinds_sent()
    assert any("the promise stands" in note for note in decision.notes)


def test_given_a_production_delay_after_delivery_then_nothing_is_said(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-12T10:00:00Z"))
    delay = {"orderId": "SO-1", "estimatedCompletion": "2026-12-20"}
    order.feed("Production Delayed", delay, at("2026-11-13T10:00:00Z"))

    assert "delay_notice" not in order.kinds_sent()
    assert order.state is not None and len(order.state.quotes) == 1


def test_given_a_late_carrier_estimate_arriving_after_delivery_then_no_delay_notice(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-22T10:00:00Z"))
    order.feed("Order Shipped", shipped(estimated_delivery="2026-12-10"), at("2026-11-22T11:00:00Z"))

    assert "delay_notice" not in order.kinds_sent()


def test_given_an_sms_update_waiting_for_the_morning_when_it_ships_overnight_then_the_sms_is_dropped(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    # Completed at 22:00 UTC (quiet): the e-mail update waits for 09:00 too, as a timer-driven contact.
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-12T22:00:00Z"))
    order.feed("Order Shipped", shipped(), at("2026-11-13T06:00:00Z"))
    order.run_until(at("2026-11-14T00:00:00Z"))

    assert [k for k in order.kinds_sent() if k == "production_update"] == []
    assert order.sent_at("shipped", "sms") == [at("2026-11-13T09:00:00Z")]


def test_given_an_sms_delay_notice_waiting_for_the_morning_when_delivered_then_it_is_not_sent(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    late = {"orderId": "SO-1", "estimatedCompletion": "2026-11-28"}
    order.feed("Production Delayed", late, at("2026-11-10T23:00:00Z"))  # e-mail at once, SMS at 09:00
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-11T07:00:00Z"))
    order.run_until(at("2026-11-12T00:00:00Z"))

    assert order.sent_at("delay_notice", "email") == [at("2026-11-10T23:00:00Z")]
    assert order.sent_at("delay_notice", "sms") == []


def test_given_delays_beyond_the_requote_limit_then_ops_are_asked_to_call_instead(config: OutreachConfig) -> None:
    order = OrderRun(config.model_copy(update={"max_requotes": 2}))
    order.place()
    for n, estimate in enumerate(["2026-12-01", "2027-01-15", "2027-03-01", "2027-05-01"]):
        order.feed("Production Delayed", {"orderId": "SO-1", "estimatedCompletion": estimate}, _day(3 + n))

    assert order.kinds_sent().count("delay_notice") == 2
    assert order.state is not None and len(order.state.quotes) == 3
    limited = [a for a in order.alerts if a.details.get("requoteLimitReached")]
    assert [a.details["customerTold"] for a in limited] == [False, False]


def test_given_a_state_saved_before_escalations_were_counted_then_it_counts_its_one_alert(order: OrderRun) -> None:
    order.place()
    assert order.state is not None
    saved = order.state.model_dump(mode="json", by_alias=True)
    saved["overdueAlertedFor"] = saved["productionEstimate"]
    saved.pop("overdueAlerts")
    saved.pop("silenceToldFor")

    assert OrderState.model_validate(saved).overdue_alerts == 1


def _day(n: int) -> datetime:
    return at(f"2026-11-{n:02d}T10:00:00Z")


def test_given_two_delay_notices_in_one_night_then_the_sms_in_the_morning_states_the_latest_date_once(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    first = {"orderId": "SO-1", "estimatedCompletion": "2026-11-28"}
    second = {"orderId": "SO-1", "estimatedCompletion": "2026-12-20"}
    order.feed("Production Delayed", first, at("2026-11-10T22:00:00Z"))
    order.feed("Production Delayed", second, at("2026-11-10T23:00:00Z"))
    order.run_until(at("2026-11-11T12:00:00Z"))

    assert len(order.sent_at("delay_notice", "email")) == 2  # each told at once, as it happened
    assert order.sent_at("delay_notice", "sms") == [at("2026-11-11T09:00:00Z")]
    [(_, sms)] = [(t, c) for t, c in order.sent if c.kind == "delay_notice" and c.channel == "sms"]
    assert sms.key == "delay_notice#2#sms"
