"""An order's contact timeline: which contact goes out when, which date is promised, which alert ops get.

Default order (see domain_builders.placed_detail): placed 2026-11-02T09:00Z by a customer in UTC,
14 production days + 7 transit days = 21 internal days -> quoted 28 -> promised Monday 30 November 2026;
production due 2026-11-16T09:00Z, so the production update is planned for 2026-11-13T09:00Z.
"""

from __future__ import annotations

from datetime import date

import pytest
from domain_builders import OrderRun, at, inbound, placed_detail, shipped
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import planned_contacts
from outreach_lambda.domain.events import FeedbackReceived
from outreach_lambda.domain.quiet_hours import is_quiet
from outreach_lambda.domain.rules import late_feedback
from outreach_lambda.domain.timeline import advance

PLACED = at("2026-11-02T09:00:00Z")
PROMISED = date(2026, 11, 30)
UPDATE_DUE = at("2026-11-13T09:00:00Z")
SMS = {"channels": ["email", "sms"], "phone": "+4915112345678"}


def kinds(decision) -> list[str]:
    return [c.kind for c in decision.contacts]


def keys(decision) -> list[str]:
    return [c.key for c in decision.contacts]


def alert_kinds(decision) -> list[str]:
    return [a.kind for a in decision.alerts]


def delayed(estimate: str, reason: str | None = None) -> dict:
    detail = {"orderId": "SO-1", "estimatedCompletion": estimate}
    if reason:
        detail["reason"] = reason
    return detail


# --- Order Placed ------------------------------------------------------------------------------------------------


def test_given_order_placed_when_advanced_then_order_confirmation_email_goes_at_once(order: OrderRun) -> None:
    decision = order.place()
    assert keys(decision) == ["order_confirmation#email"]
    assert decision.contacts[0].due_at == PLACED
    assert decision.run_status == "running"


def test_given_order_placed_when_advanced_then_promise_is_quoted_once_with_its_reason(order: OrderRun) -> None:
    decision = order.place()
    assert [(q.promised_date, q.reason) for q in decision.new_quotes] == [(PROMISED, "order placed")]
    assert order.state.promised == PROMISED


def test_given_order_placed_when_advanced_then_production_update_is_planned_3_days_before_production_due(
    order: OrderRun,
) -> None:
    decision = order.place()
    assert order.state.production_due_at == at("2026-11-16T09:00:00Z")
    planned = {c.key: c.due_at for c in planned_contacts(order.state, order.config, PLACED)}
    assert planned == {"production_update#email": UPDATE_DUE}
    assert decision.wake_at == UPDATE_DUE


def test_given_transit_days_missing_when_order_placed_then_config_default_transit_is_used() -> None:
    run = OrderRun(OutreachConfig.model_validate({"defaultTransitDays": 14}))
    run.place(transit_days=None)
    assert run.state.transit_days == 14
    assert run.state.promised == date(2026, 12, 14)  # 14 + 14 = 28 internal days -> 37.3 -> 6 weeks


def test_given_customer_in_auckland_when_order_placed_late_utc_evening_then_promise_counts_from_local_date(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T23:30:00Z", timezone="Pacific/Auckland")
    assert order.state.promised == date(2026, 12, 1)


def test_given_customer_in_los_angeles_when_order_placed_late_utc_evening_then_promise_counts_from_local_date(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T23:30:00Z", timezone="America/Los_Angeles")
    assert order.state.promised == date(2026, 11, 30)


def test_given_production_update_falling_in_quiet_hours_when_planned_then_it_moves_to_0900_local(
    order: OrderRun,
) -> None:
    # Placed at 21:30 in Berlin: production due 16 Nov 21:30, update 13 Nov 21:30 local -> 14 Nov 09:00 local.
    placed = at("2026-11-02T21:30:00+01:00")
    decision = order.place(placed_at=placed.isoformat(), timezone="Europe/Berlin")
    planned = {c.key: c.due_at for c in planned_contacts(order.state, order.config, placed)}
    assert planned["production_update#email"] == at("2026-11-14T09:00:00+01:00")
    assert decision.wake_at == at("2026-11-14T08:00:00Z")


def test_given_sms_customer_when_order_placed_at_2300_local_then_email_at_once_and_sms_at_0900(
    order: OrderRun,
) -> None:
    decision = order.place(placed_at="2026-11-02T23:00:00+01:00", timezone="Europe/Berlin", **SMS)
    assert keys(decision) == ["order_confirmation#email"]
    assert decision.wake_at == at("2026-11-03T09:00:00+01:00")

    assert order.tick(at("2026-11-03T08:59:00+01:00")).contacts == []
    decision = order.tick(at("2026-11-03T09:00:00+01:00"))
    assert keys(decision) == ["order_confirmation#sms"]


def test_given_sms_customer_when_order_placed_in_daytime_then_email_and_sms_go_at_once(order: OrderRun) -> None:
    decision = order.place(placed_at="2026-11-02T14:00:00+01:00", timezone="Europe/Berlin", **SMS)
    assert sorted(keys(decision)) == ["order_confirmation#email", "order_confirmation#sms"]


def test_given_sms_only_channel_with_phone_when_order_placed_then_email_is_sent_too(order: OrderRun) -> None:
    decision = order.place(channels=["sms"], phone="+4915112345678")
    assert sorted(keys(decision)) == ["order_confirmation#email", "order_confirmation#sms"]


def test_given_order_placed_event_processed_late_when_advanced_then_promise_counts_from_placed_at(
    order: OrderRun,
) -> None:
    now = at("2026-11-03T12:00:00Z")  # the event placed on 2 Nov reaches the timeline a day later
    decision = order.step([inbound("Order Placed", placed_detail(), now)], now)
    assert order.state.promised == PROMISED
    assert decision.contacts[0].due_at == now


def test_given_sms_channel_but_no_phone_when_order_placed_then_only_email_is_sent(order: OrderRun) -> None:
    decision = order.place(channels=["email", "sms"])
    assert keys(decision) == ["order_confirmation#email"]


def test_given_sms_customer_when_production_update_timer_fires_then_email_and_sms_go_together(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    decision = order.tick(UPDATE_DUE)
    assert sorted(keys(decision)) == ["production_update#email", "production_update#sms"]


def test_given_duplicate_order_placed_when_advanced_then_it_is_ignored(order: OrderRun) -> None:
    order.place()
    decision = order.feed("Order Placed", placed_detail(production_days=30), at("2026-11-02T09:05:00Z"))
    assert decision.contacts == []
    assert decision.new_quotes == []
    assert order.state.promised == PROMISED
    assert len(order.state.quotes) == 1
    assert any("duplicate" in note for note in decision.notes)


def test_given_order_placed_twice_in_one_batch_when_advanced_then_one_confirmation(order: OrderRun) -> None:
    event = inbound("Order Placed", placed_detail(), PLACED)
    decision = order.step([event, event], PLACED)
    assert keys(decision) == ["order_confirmation#email"]


def test_given_event_for_unknown_order_when_advanced_then_nothing_is_sent(config: OutreachConfig) -> None:
    decision = advance(None, [inbound("Production Completed", {"orderId": "SO-404"}, PLACED)], PLACED, config)
    assert decision.state is None
    assert decision.contacts == []
    assert decision.notes


# --- production --------------------------------------------------------------------------------------------------


def test_given_no_news_when_update_timer_fires_then_production_update_goes(order: OrderRun) -> None:
    order.place()
    assert order.tick(at("2026-11-13T08:59:00Z")).contacts == []
    decision = order.tick(UPDATE_DUE)
    assert keys(decision) == ["production_update#email"]


def test_given_production_completed_before_update_timer_when_advanced_then_update_goes_at_once(
    order: OrderRun,
) -> None:
    order.place()
    completed_at = at("2026-11-10T10:00:00Z")
    decision = order.feed("Production Completed", {"orderId": "SO-1"}, completed_at)
    assert keys(decision) == ["production_update#email"]

    order.run_until(at("2026-11-20T00:00:00Z"))
    assert order.sent_at("production_update") == [completed_at]  # not again at the timer


def test_given_update_already_sent_when_production_completed_then_no_second_update(order: OrderRun) -> None:
    order.place()
    order.tick(UPDATE_DUE)
    decision = order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-15T10:00:00Z"))
    assert decision.contacts == []
    assert order.kinds_sent().count("production_update") == 1


def test_given_delay_inside_promise_when_advanced_then_no_new_quote_and_no_delay_notice(order: OrderRun) -> None:
    order.place()
    # Completion 20 Nov + 7 transit = 27 Nov, still inside the promised 30 Nov.
    decision = order.feed("Production Delayed", delayed("2026-11-20T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    assert decision.contacts == []
    assert decision.new_quotes == []
    assert order.state.promised == PROMISED
    assert any("absorbed" in note for note in decision.notes)


def test_given_delay_inside_promise_when_advanced_then_ops_see_it_but_customer_is_not_told(order: OrderRun) -> None:
    order.place()
    decision = order.feed("Production Delayed", delayed("2026-11-20T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    assert alert_kinds(decision) == ["promise_at_risk"]
    details = decision.alerts[0].details
    assert details["customerTold"] is False
    assert details["absorbedByPadding"] is True
    assert details["promisedDate"] == "2026-11-30"
    assert details["forecast"] == "2026-11-27"


def test_given_delay_landing_exactly_on_the_promise_when_advanced_then_it_is_absorbed(order: OrderRun) -> None:
    order.place()
    decision = order.feed("Production Delayed", delayed("2026-11-23T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    assert decision.contacts == []
    assert decision.new_quotes == []
    assert [a.details["customerTold"] for a in decision.alerts] == [False]
    assert order.state.promised == PROMISED


def test_given_estimate_no_later_than_planned_when_production_delayed_arrives_then_no_alert(order: OrderRun) -> None:
    order.place()
    # The estimate equals the planned production due date (16 Nov): the forecast (23 Nov) has not slipped.
    decision = order.feed("Production Delayed", delayed("2026-11-16T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    assert decision.alerts == []
    assert decision.contacts == []


def test_given_absorbed_slip_already_reported_when_same_forecast_repeated_then_ops_are_not_alerted_again(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Production Delayed", delayed("2026-11-20T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    decision = order.feed("Production Delayed", delayed("2026-11-20T09:00:00Z"), at("2026-11-12T11:00:00Z"))
    assert decision.alerts == []
    assert decision.contacts == []


def test_given_delay_inside_promise_when_advanced_then_production_update_moves_to_3_days_before_new_estimate(
    order: OrderRun,
) -> None:
    order.place()
    decision = order.feed("Production Delayed", delayed("2026-11-20T09:00:00Z"), at("2026-11-12T10:00:00Z"))
    assert decision.wake_at == at("2026-11-17T09:00:00Z")
    order.run_until(at("2026-11-18T00:00:00Z"))
    assert order.sent_at("production_update") == [at("2026-11-17T09:00:00Z")]


def test_given_delay_past_promise_when_advanced_then_delay_notice_at_once_with_honest_new_date_and_alert(
    order: OrderRun,
) -> None:
    order.place()
    now = at("2026-11-12T10:00:00Z")
    # Completion 26 Nov + 7 transit = forecast 3 Dec > 30 Nov. 21 days remain -> 28 -> new date 10 Dec.
    decision = order.feed("Production Delayed", delayed("2026-11-26T09:00:00Z", "fabric late"), now)

    assert keys(decision) == ["delay_notice#1#email"]
    assert decision.contacts[0].due_at == now
    assert [q.promised_date for q in decision.new_quotes] == [date(2026, 12, 10)]
    assert decision.new_quotes[0].reason == "production delayed: fabric late"
    assert order.state.promised == date(2026, 12, 10)
    assert order.state.promised >= date(2026, 12, 3)  # never earlier than the forecast
    assert [q.promised_date for q in order.state.quotes] == [PROMISED, date(2026, 12, 10)]  # the ledger keeps both

    assert alert_kinds(decision) == ["promise_at_risk"]
    details = decision.alerts[0].details
    assert details["previousPromisedDate"] == "2026-11-30"
    assert details["newPromisedDate"] == "2026-12-10"
    assert details["forecast"] == "2026-12-03"
    assert decision.alerts[0].order_id == "SO-1"


def test_given_delay_for_the_orders_sku_when_advanced_then_it_counts_like_a_delay_for_the_order(
    order: OrderRun,
) -> None:
    order.place()
    detail = {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-11-26"}
    decision = order.feed("Production Delayed", detail, at("2026-11-12T10:00:00Z"))
    assert kinds(decision) == ["delay_notice"]


def test_given_date_only_estimate_when_delay_checked_then_it_counts_in_customers_calendar(order: OrderRun) -> None:
    # Auckland customer: "2026-11-23" is the start of 23 Nov there; + 7 transit = 30 Nov local, inside the promise.
    order.place(placed_at="2026-11-02T09:00:00+13:00", timezone="Pacific/Auckland")
    assert order.state.promised == PROMISED
    decision = order.feed("Production Delayed", delayed("2026-11-23"), at("2026-11-12T10:00:00+13:00"))
    assert decision.contacts == []


def test_given_customer_in_auckland_when_delay_breaks_promise_then_new_date_counts_from_their_today(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T09:00:00+13:00", timezone="Pacific/Auckland")  # promised 30 Nov
    # Revealed at 2026-11-12T20:00Z = 09:00 on 13 Nov in Auckland. Forecast 26 Nov + 7 = 3 Dec.
    # From 13 Nov, 20 days remain -> 26.7 -> 28 -> 11 Dec (counting from 12 Nov, the UTC date, would give 10 Dec).
    decision = order.feed("Production Delayed", delayed("2026-11-26"), at("2026-11-12T20:00:00Z"))
    assert [q.promised_date for q in decision.new_quotes] == [date(2026, 12, 11)]


def test_given_sms_customer_when_delay_revealed_at_night_then_email_at_once_and_sms_at_0900(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T10:00:00+01:00", timezone="Europe/Berlin", **SMS)
    decision = order.feed("Production Delayed", delayed("2026-11-26T09:00:00Z"), at("2026-11-12T22:30:00+01:00"))
    assert keys(decision) == ["delay_notice#1#email"]
    assert decision.wake_at == at("2026-11-13T09:00:00+01:00")
    assert keys(order.tick(decision.wake_at)) == ["delay_notice#1#sms"]


def test_given_second_delay_inside_new_date_when_advanced_then_no_second_notice(order: OrderRun) -> None:
    order.place()
    order.feed("Production Delayed", delayed("2026-11-26T09:00:00Z"), at("2026-11-12T10:00:00Z"))  # -> 10 Dec
    # Completion 1 Dec + 7 = 8 Dec: past the first promise (30 Nov) but inside the new one (10 Dec).
    decision = order.feed("Production Delayed", delayed("2026-12-01T09:00:00Z"), at("2026-11-20T10:00:00Z"))
    assert decision.contacts == []
    assert decision.new_quotes == []
    assert [a.details["customerTold"] for a in decision.alerts] == [False]  # ops still see the slip
    assert order.state.promised == date(2026, 12, 10)


def test_given_second_delay_past_new_date_when_advanced_then_second_notice_and_third_quote(order: OrderRun) -> None:
    order.place()
    order.feed("Production Delayed", delayed("2026-11-26T09:00:00Z"), at("2026-11-12T10:00:00Z"))  # -> 10 Dec
    # Completion 5 Dec + 7 = 12 Dec > 10 Dec. From 25 Nov 17 days remain -> 22.7 -> 28 -> 23 Dec.
    decision = order.feed("Production Delayed", delayed("2026-12-05T09:00:00Z"), at("2026-11-25T10:00:00Z"))
    assert keys(decision) == ["delay_notice#2#email"]
    assert order.state.promised == date(2026, 12, 23)
    assert len(order.state.quotes) == 3
    assert decision.alerts[0].details["previousPromisedDate"] == "2026-12-10"
    assert order.kinds_sent().count("delay_notice") == 2


def test_given_production_completed_when_a_delay_arrives_late_then_it_is_ignored(order: OrderRun) -> None:
    order.place()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-14T10:00:00Z"))
    decision = order.feed("Production Delayed", delayed("2026-12-20T09:00:00Z"), at("2026-11-14T11:00:00Z"))
    assert decision.contacts == []
    assert order.state.promised == PROMISED


def test_given_production_completed_too_late_for_the_promise_when_advanced_then_delay_notice_at_once(
    order: OrderRun,
) -> None:
    order.place()
    order.tick(UPDATE_DUE)
    now = at("2026-11-27T10:00:00Z")  # completed 27 Nov + 7 transit = forecast 4 Dec > 30 Nov
    # Stepped directly, without the silence wake-up of 24 Nov in between (an execution woken late).
    decision = advance(order.state, [inbound("Production Completed", {"orderId": "SO-1"}, now)], now, order.config)
    assert "delay_notice" in kinds(decision)
    assert "promise_at_risk" in [a.kind for a in decision.alerts]
    assert decision.state is not None and decision.state.promised >= date(2026, 12, 4)


def test_given_production_silent_then_late_when_run_then_customer_hears_once_before_it_is_too_late(
    order: OrderRun,
) -> None:
    order.place()
    decision = order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-27T10:00:00Z"))
    # Silence alone broke the 30 Nov promise on 24 Nov (24 Nov + 7 days > 30 Nov): told then, at 09:00.
    assert order.sent_at("delay_notice") == [at("2026-11-24T09:00:00Z")]
    # The completion's forecast (4 Dec) is inside the new date: no second notice.
    assert "delay_notice" not in kinds(decision)
    assert order.state.promised >= date(2026, 12, 4)


def test_given_no_completion_by_production_due_when_time_passes_then_ops_get_production_overdue(
    order: OrderRun,
) -> None:
    order.place()
    order.run_until(at("2026-11-17T09:00:00Z"))  # production was due 16 Nov 09:00Z
    assert "production_overdue" in [a.kind for a in order.alerts]


def test_given_silence_makes_promise_impossible_when_time_passes_then_delay_notice_is_sent(order: OrderRun) -> None:
    order.place()
    order.run_until(at("2026-11-25T09:00:00Z"))
    assert "delay_notice" in order.kinds_sent()
    assert order.state.promised > PROMISED


# --- shipping, delivery, satisfaction ----------------------------------------------------------------------------


def test_given_order_shipped_when_advanced_then_shipped_contact_goes_at_once(order: OrderRun) -> None:
    order.place()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-14T10:00:00Z"))
    now = at("2026-11-17T10:00:00Z")
    decision = order.feed("Order Shipped", shipped(), now)
    assert keys(decision) == ["shipped#email"]
    assert decision.contacts[0].due_at == now


def test_given_order_shipped_twice_when_advanced_then_one_shipped_contact(order: OrderRun) -> None:
    order.place()
    order.feed("Order Shipped", shipped(), at("2026-11-17T10:00:00Z"))
    decision = order.feed("Order Shipped", shipped(), at("2026-11-17T11:00:00Z"))
    assert decision.contacts == []
    assert order.kinds_sent().count("shipped") == 1


def test_given_carrier_estimate_inside_promise_when_shipped_then_only_shipped_contact(order: OrderRun) -> None:
    order.place()
    decision = order.feed("Order Shipped", shipped("2026-11-25"), at("2026-11-17T10:00:00Z"))
    assert kinds(decision) == ["shipped"]
    assert decision.new_quotes == []


def test_given_carrier_estimate_past_promise_when_shipped_then_delay_notice_new_quote_and_alert_at_once(
    order: OrderRun,
) -> None:
    order.place()
    now = at("2026-11-17T10:00:00Z")
    # Carrier says 2 Dec > 30 Nov. From 17 Nov 15 days remain -> 20 -> 21 -> new date 8 Dec.
    decision = order.feed("Order Shipped", shipped("2026-12-02"), now)
    assert sorted(kinds(decision)) == ["delay_notice", "shipped"]
    assert all(c.due_at == now for c in decision.contacts)
    assert [q.promised_date for q in decision.new_quotes] == [date(2026, 12, 8)]
    assert "2026-12-02" in decision.new_quotes[0].reason
    assert alert_kinds(decision) == ["promise_at_risk"]


def test_given_a_later_order_shipped_with_a_later_carrier_estimate_then_the_customer_is_told_the_slip_at_once(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Order Shipped", shipped("2026-11-25"), at("2026-11-17T10:00:00Z"))
    now = at("2026-11-18T10:00:00Z")
    # The carrier re-sends the shipment with 2 Dec, past 30 Nov: from 18 Nov 14 days remain -> 18.7 -> 21 -> 9 Dec.
    decision = order.feed("Order Shipped", shipped("2026-12-02"), now)
    assert kinds(decision) == ["delay_notice"]  # no second shipping notice
    assert [q.promised_date for q in decision.new_quotes] == [date(2026, 12, 9)]
    assert alert_kinds(decision) == ["promise_at_risk"]
    # The same estimate again, and an older estimate arriving late, change nothing.
    order.feed("Order Shipped", shipped("2026-12-02"), at("2026-11-18T12:00:00Z"))
    stale = order.step(
        [inbound("Order Shipped", shipped("2026-11-25"), at("2026-11-17T12:00:00Z"))], at("2026-11-19T10:00:00Z")
    )
    assert stale.contacts == [] and stale.new_quotes == []
    assert order.kinds_sent().count("delay_notice") == order.kinds_sent().count("shipped") == 1


def test_given_shipped_before_update_timer_when_timer_would_fire_then_no_production_update(order: OrderRun) -> None:
    order.place()
    order.feed("Order Shipped", shipped(), at("2026-11-10T10:00:00Z"))
    order.run_until(at("2026-11-20T00:00:00Z"))
    assert "production_update" not in order.kinds_sent()


def test_given_order_delivered_when_advanced_then_satisfaction_check_planned_3_local_days_later(
    order: OrderRun,
) -> None:
    order.place()
    decision = order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T15:00:00Z"))
    assert decision.contacts == []
    assert decision.wake_at == at("2026-11-23T15:00:00Z")


def test_given_delivery_before_dst_ends_when_satisfaction_planned_then_same_local_time_3_days_later(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-10-10T10:00:00-04:00", timezone="America/New_York")
    decision = order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-10-29T14:00:00-04:00"))
    assert decision.wake_at == at("2026-11-01T14:00:00-05:00")  # 14:00 local after clocks went back


def test_given_delivery_in_the_evening_when_satisfaction_falls_in_quiet_hours_then_it_moves_to_0900(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T10:00:00+01:00", timezone="Europe/Berlin")
    decision = order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T22:00:00+01:00"))
    assert decision.wake_at == at("2026-11-24T09:00:00+01:00")


def test_given_delivered_at_given_in_event_when_satisfaction_planned_then_it_counts_from_actual_delivery(
    order: OrderRun,
) -> None:
    order.place()
    detail = {"orderId": "SO-1", "deliveredAt": "2026-11-20T12:00:00Z"}
    decision = order.feed("Order Delivered", detail, at("2026-11-20T18:00:00Z"))
    assert decision.wake_at == at("2026-11-23T12:00:00Z")


def test_given_satisfaction_check_issued_when_advanced_then_run_is_complete(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T15:00:00Z"))
    decision = order.tick(at("2026-11-23T15:00:00Z"))
    assert keys(decision) == ["satisfaction_check#email"]
    assert decision.run_status == "complete"
    assert decision.wake_at is None


def test_given_sms_customer_when_satisfaction_check_goes_on_both_channels_then_run_is_complete(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T15:00:00Z"))
    decision = order.tick(at("2026-11-23T15:00:00Z"))
    assert sorted(keys(decision)) == ["satisfaction_check#email", "satisfaction_check#sms"]
    assert decision.run_status == "complete"


def test_given_late_delivery_event_at_night_when_satisfaction_already_due_then_it_waits_for_0900(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T10:00:00+01:00", timezone="Europe/Berlin")
    detail = {"orderId": "SO-1", "deliveredAt": "2026-11-20T14:00:00+01:00"}  # check nominally due 23 Nov 14:00
    decision = order.feed("Order Delivered", detail, at("2026-11-24T23:00:00+01:00"))  # reported 4 days late
    assert "satisfaction_check" not in kinds(decision)
    assert decision.wake_at == at("2026-11-25T09:00:00+01:00")


def test_given_short_production_order_placed_at_night_when_advanced_then_no_timer_contact_in_quiet_hours(
    order: OrderRun,
) -> None:
    # productionDays 2 < 3 lead days: the update's nominal time is already past at placement (22:00 local).
    now = at("2026-11-02T22:00:00+01:00")
    decision = order.place(placed_at=now.isoformat(), timezone="Europe/Berlin", production_days=2)
    assert is_quiet(now, order.state.order.customer.zone, order.config.quiet_hours)
    assert kinds(decision) == ["order_confirmation"]
    assert decision.wake_at == at("2026-11-03T09:00:00+01:00")
    assert kinds(order.tick(decision.wake_at)) == ["production_update"]


# --- cancellation ------------------------------------------------------------------------------------------------


def test_given_order_cancelled_when_advanced_then_only_cancellation_confirmation_and_status_cancelled(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    decision = order.feed("Order Cancelled", {"orderId": "SO-1", "reason": "changed mind"}, at("2026-11-03T10:00:00Z"))
    assert sorted(keys(decision)) == ["cancellation_confirmation#email", "cancellation_confirmation#sms"]
    assert decision.run_status == "cancelled"
    assert decision.wake_at is None
    assert planned_contacts(order.state, order.config, at("2026-11-03T10:00:00Z")) == []


def test_given_cancelled_order_when_later_events_and_timers_arrive_then_nothing_else_is_ever_sent(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Production Delayed", delayed("2026-11-26T09:00:00Z"), at("2026-11-02T12:00:00Z"))  # notice #1 sent
    order.feed("Order Cancelled", {"orderId": "SO-1"}, at("2026-11-03T10:00:00Z"))
    sent_before = len(order.sent)

    later = [
        ("Production Delayed", delayed("2026-12-20T09:00:00Z"), "2026-11-10T10:00:00Z"),
        ("Production Completed", {"orderId": "SO-1"}, "2026-11-13T10:00:00Z"),
        ("Order Shipped", shipped("2026-12-30"), "2026-11-17T10:00:00Z"),
        ("Order Delivered", {"orderId": "SO-1"}, "2026-11-20T10:00:00Z"),
        ("Feedback Received", {"orderId": "SO-1", "rating": 1}, "2026-11-25T10:00:00Z"),
        ("Order Cancelled", {"orderId": "SO-1"}, "2026-11-26T10:00:00Z"),
    ]
    for detail_type, detail, when in later:
        decision = order.feed(detail_type, detail, at(when))
        assert decision.contacts == [], detail_type
        assert decision.run_status == "cancelled"
    order.tick(at("2027-01-31T10:00:00Z"))
    assert len(order.sent) == sent_before
    assert order.kinds_sent().count("cancellation_confirmation") == 1


def test_given_sms_customer_cancelling_at_night_when_advanced_then_sms_waits_and_run_ends_after_it(
    order: OrderRun,
) -> None:
    order.place(placed_at="2026-11-02T10:00:00+01:00", timezone="Europe/Berlin", **SMS)
    decision = order.feed("Order Cancelled", {"orderId": "SO-1"}, at("2026-11-02T23:00:00+01:00"))
    assert keys(decision) == ["cancellation_confirmation#email"]
    assert decision.run_status == "running"
    decision = order.tick(decision.wake_at)
    assert keys(decision) == ["cancellation_confirmation#sms"]
    assert decision.run_status == "cancelled"


# --- feedback ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", [1, 2, 3])
def test_given_feedback_rating_3_or_less_when_advanced_then_negative_feedback_alert_with_free_fix(
    order: OrderRun, rating: int
) -> None:
    order.place()
    decision = order.feed("Feedback Received", {"orderId": "SO-1", "rating": rating}, at("2026-11-26T10:00:00Z"))
    assert alert_kinds(decision) == ["negative_feedback"]
    assert decision.alerts[0].details["rating"] == rating
    assert "free fix" in decision.alerts[0].details["suggestedFix"]
    assert kinds(decision) == ["feedback_acknowledgement"]


@pytest.mark.parametrize("rating", [4, 5])
def test_given_feedback_rating_above_3_when_advanced_then_acknowledged_without_alert(
    order: OrderRun, rating: int
) -> None:
    order.place()
    decision = order.feed("Feedback Received", {"orderId": "SO-1", "rating": rating}, at("2026-11-26T10:00:00Z"))
    assert decision.alerts == []
    assert kinds(decision) == ["feedback_acknowledgement"]


def test_given_finished_timeline_when_feedback_arrives_then_it_is_still_acknowledged(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T15:00:00Z"))
    assert order.tick(at("2026-11-23T15:00:00Z")).run_status == "complete"
    decision = order.feed("Feedback Received", {"orderId": "SO-1", "rating": 2}, at("2026-11-24T10:00:00Z"))
    assert kinds(decision) == ["feedback_acknowledgement"]
    assert alert_kinds(decision) == ["negative_feedback"]
    assert decision.run_status == "complete"


def finished(order: OrderRun) -> None:
    order.place()
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-20T15:00:00Z"))
    assert order.tick(at("2026-11-23T15:00:00Z")).run_status == "complete"


def test_given_ended_timeline_when_late_negative_feedback_arrives_then_acknowledged_and_ops_alerted(
    order: OrderRun,
) -> None:
    finished(order)
    now = at("2026-12-10T10:00:00Z")
    contact, alerts = late_feedback(order.state, FeedbackReceived(orderId="SO-1", rating=2), now)
    assert contact is not None
    assert (contact.key, contact.kind, contact.due_at) == (
        "feedback_acknowledgement#email",
        "feedback_acknowledgement",
        now,
    )
    assert [a.kind for a in alerts] == ["negative_feedback"]
    assert alerts[0].details["rating"] == 2


def test_given_ended_timeline_when_late_positive_feedback_arrives_then_acknowledged_without_alert(
    order: OrderRun,
) -> None:
    finished(order)
    contact, alerts = late_feedback(order.state, FeedbackReceived(orderId="SO-1", rating=5), PLACED)
    assert contact is not None
    assert alerts == []


def test_given_feedback_already_acknowledged_when_more_feedback_arrives_late_then_no_second_acknowledgement(
    order: OrderRun,
) -> None:
    finished(order)
    order.feed("Feedback Received", {"orderId": "SO-1", "rating": 4}, at("2026-11-24T10:00:00Z"))
    contact, alerts = late_feedback(order.state, FeedbackReceived(orderId="SO-1", rating=1), PLACED)
    assert contact is None
    assert [a.kind for a in alerts] == ["negative_feedback"]  # ops still hear about the problem


def test_given_cancelled_order_when_late_feedback_arrives_then_nothing_is_sent(order: OrderRun) -> None:
    order.place()
    order.feed("Order Cancelled", {"orderId": "SO-1"}, at("2026-11-03T10:00:00Z"))
    assert late_feedback(order.state, FeedbackReceived(orderId="SO-1", rating=1), PLACED) == (None, [])


# --- each contact once -------------------------------------------------------------------------------------------


def test_given_contact_issued_when_advanced_again_at_same_instant_then_it_is_not_issued_again(
    order: OrderRun,
) -> None:
    order.place()
    for _ in range(3):
        assert order.tick(PLACED).contacts == []
    order.tick(UPDATE_DUE)
    for _ in range(3):
        assert order.tick(UPDATE_DUE).contacts == []
    assert order.kinds_sent() == ["order_confirmation", "production_update"]


def test_given_whole_happy_path_when_run_then_four_contacts_each_exactly_once(order: OrderRun) -> None:
    order.place(**SMS)
    order.run_until(at("2026-11-14T00:00:00Z"))
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-15T10:00:00Z"))
    order.feed("Order Shipped", shipped(), at("2026-11-17T10:00:00Z"))
    order.feed("Order Delivered", {"orderId": "SO-1"}, at("2026-11-24T12:00:00Z"))
    order.run_until(at("2026-12-31T00:00:00Z"))
    for when in ["2026-11-27T12:00:00Z", "2026-12-31T00:00:00Z"]:
        order.tick(at(when))

    keys_sent = [c.key for _, c in order.sent]
    assert len(keys_sent) == len(set(keys_sent))
    email_log = [(now, c.kind) for now, c in order.sent if c.channel == "email"]
    assert email_log == [
        (PLACED, "order_confirmation"),
        (UPDATE_DUE, "production_update"),
        (at("2026-11-17T10:00:00Z"), "shipped"),
        (at("2026-11-27T12:00:00Z"), "satisfaction_check"),
    ]
    assert sorted(c.kind for _, c in order.sent if c.channel == "sms") == sorted(k for _, k in email_log)
    assert order.last.run_status == "complete"
    assert order.state.promised == PROMISED
    assert order.alerts == []


def test_given_state_when_advanced_then_callers_state_is_not_mutated(order: OrderRun) -> None:
    order.place()
    before = order.state.model_dump()
    advance(order.state, [], UPDATE_DUE, order.config)
    assert order.state.model_dump() == before


def test_given_state_when_serialised_and_restored_then_timeline_continues_identically(order: OrderRun) -> None:
    from outreach_lambda.domain.model import OrderState

    order.place()
    restored = OrderState.model_validate_json(order.state.to_json())
    a = advance(order.state, [], UPDATE_DUE, order.config)
    b = advance(restored, [], UPDATE_DUE, order.config)
    assert keys(a) == keys(b) == ["production_update#email"]


def test_given_a_paced_cancellation_email_when_woken_before_its_slot_then_no_second_slot_is_reserved(
    order: OrderRun,
) -> None:
    order.place()
    cancelled_at = at("2026-11-05T10:00:00Z")
    slot = at("2026-11-05T10:00:03Z")
    reservations: list[str] = []

    def busy_sender(contact):
        reservations.append(contact.key)
        return slot

    cancel = inbound("Order Cancelled", {"orderId": "SO-1"}, cancelled_at)
    first = advance(order.state, [cancel], cancelled_at, order.config, busy_sender)
    assert first.contacts == [] and first.wake_at == slot
    assert first.state is not None

    early = advance(first.state, [], at("2026-11-05T10:00:01Z"), order.config, busy_sender)
    assert early.contacts == [] and early.wake_at == slot
    on_time = advance(early.state, [], slot, order.config, busy_sender)
    assert [c.key for c in on_time.contacts] == ["cancellation_confirmation#email"]
    assert reservations == ["cancellation_confirmation#email"]
