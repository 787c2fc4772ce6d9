"""The padding rule and the promised date: what date the shop promises, in the customer's own calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from domain_builders import at
from outreach_lambda.domain.config import OutreachConfig, PaddingPolicy
from outreach_lambda.domain.promise import add_local_days, local_date, promised_date, quoted_days, requoted_date
from pydantic import ValidationError

DEFAULT = PaddingPolicy()
BY_DAYS = PaddingPolicy(rounding="days")


# --- quoted days -------------------------------------------------------------------------------------------


def test_given_21_internal_days_when_quoted_then_promise_is_28_days() -> None:
    assert quoted_days(21, DEFAULT) == 28


def test_given_14_internal_days_when_quoted_then_promise_is_21_days() -> None:
    assert quoted_days(14, DEFAULT) == 21


def test_given_10_internal_days_when_quoted_then_promise_is_14_days() -> None:
    assert quoted_days(10, DEFAULT) == 14


def test_given_0_internal_days_when_quoted_then_promise_is_0_days() -> None:
    assert quoted_days(0, DEFAULT) == 0


def test_given_7_internal_days_when_quoted_then_9_and_a_third_rounds_up_to_14_days() -> None:
    assert quoted_days(7, DEFAULT) == 14


def test_given_any_internal_days_when_quoted_then_smallest_whole_week_count_covering_a_third_more() -> None:
    for internal in range(0, 366):
        quoted = quoted_days(internal, DEFAULT)
        assert quoted % 7 == 0, internal
        assert quoted * 3 >= internal * 4, internal
        assert (quoted - 7) * 3 < internal * 4 or quoted == 0, internal


@pytest.mark.parametrize(
    ("internal", "expected"),
    [(21, 28), (14, 19), (10, 14), (7, 10), (3, 4), (0, 0)],
    ids=lambda v: str(v),
)
def test_given_day_rounding_when_quoted_then_padding_rounds_up_to_whole_days(internal: int, expected: int) -> None:
    assert quoted_days(internal, BY_DAYS) == expected


@pytest.mark.parametrize(
    ("internal", "rounding", "expected"),
    [(21, "weeks", 28), (14, "weeks", 21), (8, "weeks", 14), (28, "weeks", 35), (21, "days", 27), (14, "days", 18)],
)
def test_given_custom_factor_1_25_when_quoted_then_padding_uses_that_factor(
    internal: int, rounding: str, expected: int
) -> None:
    assert quoted_days(internal, PaddingPolicy(factor="1.25", rounding=rounding)) == expected


def test_given_factor_1_and_day_rounding_when_quoted_then_promise_equals_the_work() -> None:
    assert quoted_days(17, PaddingPolicy(factor="1", rounding="days")) == 17


def test_given_negative_internal_days_when_quoted_then_error() -> None:
    with pytest.raises(ValueError, match="negative"):
        quoted_days(-1, DEFAULT)


@pytest.mark.parametrize("factor", ["0.5", "abc", "1/0", "", "2/3"])
def test_given_invalid_factor_when_configured_then_error_names_factor(factor: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PaddingPolicy(factor=factor)
    errors = caught.value.errors()
    assert [e["loc"] for e in errors] == [("factor",)]
    assert "factor" in errors[0]["msg"]


def test_given_invalid_factor_in_shop_config_when_loaded_then_error_names_padding_factor() -> None:
    with pytest.raises(ValidationError) as caught:
        OutreachConfig.model_validate({"padding": {"factor": "0.5"}})
    assert [e["loc"] for e in caught.value.errors()] == [("padding", "factor")]


def test_given_unknown_rounding_when_configured_then_error_names_rounding() -> None:
    with pytest.raises(ValidationError) as caught:
        PaddingPolicy(rounding="months")
    assert [e["loc"] for e in caught.value.errors()] == [("rounding",)]


def test_given_shop_config_in_camel_case_when_loaded_then_padding_and_timing_are_applied() -> None:
    config = OutreachConfig.model_validate(
        {"padding": {"factor": "1.25", "rounding": "days"}, "defaultTransitDays": 5, "satisfactionCheckDays": 7}
    )
    assert quoted_days(20, config.padding) == 25
    assert config.default_transit_days == 5
    assert config.satisfaction_check_days == 7


# --- the promised date is a calendar date in the customer's zone ---------------------------------------------


def test_given_order_placed_at_9_utc_with_21_internal_days_when_promised_then_date_is_4_weeks_later() -> None:
    assert promised_date(at("2026-11-02T09:00:00Z"), 21, DEFAULT, ZoneInfo("UTC")) == date(2026, 11, 30)


def test_given_late_evening_utc_order_when_customer_in_auckland_then_promise_counts_from_3_november() -> None:
    # 2026-11-02T23:30Z is 12:30 on Tuesday 3 November in Auckland (NZDT, UTC+13).
    placed = at("2026-11-02T23:30:00Z")
    assert promised_date(placed, 21, DEFAULT, ZoneInfo("Pacific/Auckland")) == date(2026, 12, 1)


def test_given_late_evening_utc_order_when_customer_in_los_angeles_then_promise_counts_from_2_november() -> None:
    # 2026-11-02T23:30Z is 15:30 on Monday 2 November in Los Angeles (PST, UTC-8).
    placed = at("2026-11-02T23:30:00Z")
    assert promised_date(placed, 21, DEFAULT, ZoneInfo("America/Los_Angeles")) == date(2026, 11, 30)


def test_given_same_instant_when_customers_on_either_side_of_date_line_then_promised_dates_differ_by_two_days() -> None:
    # 2026-11-02T10:30Z is 00:30 on 3 Nov in Kiritimati (UTC+14) and 23:30 on 1 Nov in Pago Pago (UTC-11).
    placed = at("2026-11-02T10:30:00Z")
    kiritimati = promised_date(placed, 21, DEFAULT, ZoneInfo("Pacific/Kiritimati"))
    pago_pago = promised_date(placed, 21, DEFAULT, ZoneInfo("Pacific/Pago_Pago"))
    assert kiritimati == date(2026, 12, 1)
    assert pago_pago == date(2026, 11, 29)
    assert promised_date(placed, 21, DEFAULT, ZoneInfo("UTC")) == date(2026, 11, 30)


def test_given_orders_at_start_and_end_of_the_same_local_day_when_promised_then_same_date() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    morning = at("2026-11-02T00:00:00+01:00")
    night = at("2026-11-02T23:59:59+01:00")
    assert (
        promised_date(morning, 21, DEFAULT, berlin) == promised_date(night, 21, DEFAULT, berlin) == date(2026, 11, 30)
    )


def test_given_instant_when_local_date_then_it_is_the_customers_calendar_date() -> None:
    instant = at("2026-11-02T23:30:00Z")
    assert local_date(instant, ZoneInfo("Pacific/Auckland")) == date(2026, 11, 3)
    assert local_date(instant, ZoneInfo("America/Los_Angeles")) == date(2026, 11, 2)


# --- add_local_days keeps the local wall-clock time across DST changes -----------------------------------------


def test_given_berlin_10am_before_dst_ends_when_10_local_days_added_then_still_10am_local() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = at("2026-10-20T10:00:00+02:00")  # CEST; DST ends Sunday 25 October 2026
    result = add_local_days(start, 10, berlin)
    assert result == at("2026-10-30T09:00:00Z")  # 10:00 CET: 241 hours later, not 240
    assert result.astimezone(berlin).replace(tzinfo=None) == datetime(2026, 10, 30, 10, 0)
    assert result.utcoffset() == timedelta(0)


def test_given_new_york_9am_before_dst_ends_when_7_local_days_added_then_still_9am_local() -> None:
    new_york = ZoneInfo("America/New_York")
    start = at("2026-10-28T09:00:00-04:00")  # EDT; DST ends Sunday 1 November 2026
    result = add_local_days(start, 7, new_york)
    assert result == at("2026-11-04T14:00:00Z")  # 09:00 EST
    assert result.astimezone(new_york).hour == 9


def test_given_new_york_9am_after_dst_ends_when_7_local_days_subtracted_then_still_9am_local() -> None:
    new_york = ZoneInfo("America/New_York")
    result = add_local_days(at("2026-11-04T14:00:00Z"), -7, new_york)
    assert result == at("2026-10-28T13:00:00Z")  # 09:00 EDT


def test_given_berlin_10am_before_dst_starts_when_7_local_days_added_then_still_10am_local() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    result = add_local_days(at("2026-03-25T10:00:00+01:00"), 7, berlin)  # DST starts Sunday 29 March 2026
    assert result == at("2026-04-01T08:00:00Z")  # 10:00 CEST


def test_given_instant_in_other_offset_when_local_days_added_then_days_count_in_customers_calendar() -> None:
    # 23:30 UTC on 2 Nov is already 3 Nov in Auckland: 1 local day later is 4 Nov 12:30 NZDT.
    result = add_local_days(at("2026-11-02T23:30:00Z"), 1, ZoneInfo("Pacific/Auckland"))
    assert result == at("2026-11-03T23:30:00Z")
    assert result.tzinfo == UTC


# --- re-quotes --------------------------------------------------------------------------------------------------


def test_given_forecast_12_days_away_when_requoted_then_padding_applies_to_remaining_days() -> None:
    # 12 days x 4/3 = 16 -> 21 days from today.
    assert requoted_date(date(2026, 11, 20), date(2026, 12, 2), DEFAULT) == date(2026, 12, 11)


@pytest.mark.parametrize("policy", [DEFAULT, BY_DAYS, PaddingPolicy(factor="1", rounding="days")], ids=str)
def test_given_any_forecast_when_requoted_then_new_date_is_never_earlier_than_forecast(policy: PaddingPolicy) -> None:
    today = date(2026, 11, 20)
    for offset in range(-5, 60):
        forecast = today + timedelta(days=offset)
        new_date = requoted_date(today, forecast, policy)
        assert new_date >= forecast
        assert new_date >= today


def test_given_forecast_already_in_the_past_when_requoted_then_new_date_is_not_before_today() -> None:
    assert requoted_date(date(2026, 12, 5), date(2026, 12, 3), DEFAULT) == date(2026, 12, 5)
