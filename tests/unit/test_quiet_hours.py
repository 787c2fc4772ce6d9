"""Quiet hours: no timer-driven contact and no SMS between 21:00 and 09:00 in the customer's zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from domain_builders import at
from outreach_lambda.domain.config import OutreachConfig, QuietHours
from outreach_lambda.domain.quiet_hours import is_quiet, next_allowed
from pydantic import ValidationError

BERLIN = ZoneInfo("Europe/Berlin")
DEFAULT = QuietHours()


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


def test_given_2059_local_when_checked_then_contact_may_go_now() -> None:
    instant = berlin(2026, 11, 10, 20, 59)
    assert not is_quiet(instant, BERLIN, DEFAULT)
    assert next_allowed(instant, BERLIN, DEFAULT) == instant


def test_given_2100_local_when_checked_then_contact_moves_to_0900_next_day() -> None:
    instant = berlin(2026, 11, 10, 21, 0)
    assert is_quiet(instant, BERLIN, DEFAULT)
    assert next_allowed(instant, BERLIN, DEFAULT) == berlin(2026, 11, 11, 9, 0)


def test_given_2359_local_when_checked_then_contact_moves_to_0900_next_day() -> None:
    assert next_allowed(berlin(2026, 11, 10, 23, 59), BERLIN, DEFAULT) == berlin(2026, 11, 11, 9, 0)


def test_given_0300_local_when_checked_then_contact_moves_to_0900_same_day() -> None:
    instant = berlin(2026, 11, 10, 3, 0)
    assert is_quiet(instant, BERLIN, DEFAULT)
    assert next_allowed(instant, BERLIN, DEFAULT) == berlin(2026, 11, 10, 9, 0)


def test_given_one_second_before_0900_when_checked_then_contact_moves_to_0900_same_day() -> None:
    assert next_allowed(berlin(2026, 11, 10, 8, 59, 59), BERLIN, DEFAULT) == berlin(2026, 11, 10, 9, 0)


def test_given_0900_local_when_checked_then_contact_may_go_now() -> None:
    instant = berlin(2026, 11, 10, 9, 0)
    assert not is_quiet(instant, BERLIN, DEFAULT)
    assert next_allowed(instant, BERLIN, DEFAULT) == instant


def test_given_quiet_instant_when_moved_then_result_is_in_utc() -> None:
    result = next_allowed(berlin(2026, 11, 10, 22, 0), BERLIN, DEFAULT)
    assert result.utcoffset() == timedelta(0)
    assert result == at("2026-11-11T08:00:00Z")


def test_given_utc_instant_when_checked_then_quiet_hours_are_judged_in_customers_zone() -> None:
    # 20:30 UTC is 21:30 in Berlin (CET): quiet for the customer although it is not yet 21:00 in UTC.
    assert next_allowed(at("2026-11-10T20:30:00Z"), BERLIN, DEFAULT) == at("2026-11-11T08:00:00Z")
    assert not is_quiet(at("2026-11-10T20:30:00Z"), ZoneInfo("UTC"), DEFAULT)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((12, 59), None),
        ((13, 0), (14, 0)),
        ((13, 59), (14, 0)),
        ((14, 0), None),
        ((23, 0), None),
        ((3, 0), None),
    ],
)
def test_given_non_wrapping_window_1300_1400_when_checked_then_only_that_hour_is_quiet(
    local: tuple[int, int], expected: tuple[int, int] | None
) -> None:
    lunch = QuietHours(start=time(13, 0), end=time(14, 0))
    instant = berlin(2026, 11, 10, *local)
    result = next_allowed(instant, BERLIN, lunch)
    if expected is None:
        assert result == instant
    else:
        assert result == berlin(2026, 11, 10, *expected)


def test_given_customer_in_kiritimati_when_2200_local_then_contact_moves_to_0900_local_next_day() -> None:
    kiritimati = ZoneInfo("Pacific/Kiritimati")  # UTC+14
    instant = at("2026-11-02T08:00:00Z")  # 22:00 on 2 Nov in Kiritimati
    assert next_allowed(instant, kiritimati, DEFAULT) == at("2026-11-02T19:00:00Z")  # 09:00 on 3 Nov there


def test_given_customer_in_kiritimati_when_midnight_utc_then_it_is_daytime_and_contact_may_go() -> None:
    instant = at("2026-11-02T22:00:00Z")  # 12:00 on 3 Nov in Kiritimati
    assert next_allowed(instant, ZoneInfo("Pacific/Kiritimati"), DEFAULT) == instant


def test_given_customer_in_pago_pago_when_2200_local_then_contact_moves_to_0900_local_next_day() -> None:
    pago_pago = ZoneInfo("Pacific/Pago_Pago")  # UTC-11
    instant = at("2026-11-02T09:00:00Z")  # 22:00 on 1 Nov in Pago Pago
    assert next_allowed(instant, pago_pago, DEFAULT) == at("2026-11-02T20:00:00Z")


def test_given_new_york_night_when_dst_ends_then_contact_moves_to_0900_standard_time() -> None:
    new_york = ZoneInfo("America/New_York")
    instant = at("2026-10-31T21:30:00-04:00")  # EDT; clocks go back at 02:00 on 1 November
    assert next_allowed(instant, new_york, DEFAULT) == at("2026-11-01T14:00:00Z")  # 09:00 EST


def test_given_quiet_end_inside_spring_forward_gap_when_moved_then_first_real_instant_after_the_gap() -> None:
    # Quiet 22:00-02:30; on 29 March 2026 Berlin clocks jump from 02:00 CET to 03:00 CEST, so 02:30 never happens.
    quiet = QuietHours(start=time(22, 0), end=time(2, 30))
    result = next_allowed(berlin(2026, 3, 28, 23, 0), BERLIN, quiet)
    assert result == at("2026-03-29T01:30:00Z")  # 03:30 CEST
    assert not is_quiet(result, BERLIN, quiet)


def test_given_quiet_hours_start_equal_to_end_when_configured_then_rejected() -> None:
    with pytest.raises(ValidationError, match=r"quietHours\.start and quietHours\.end must differ"):
        QuietHours(start=time(22, 0), end=time(22, 0))


def test_given_shop_config_with_empty_quiet_window_when_loaded_then_error_names_quiet_hours() -> None:
    with pytest.raises(ValidationError) as caught:
        OutreachConfig.model_validate({"quietHours": {"start": "08:00", "end": "08:00"}})
    assert caught.value.errors()[0]["loc"] == ("quietHours",)


def test_given_shop_config_with_custom_quiet_hours_when_loaded_then_they_apply() -> None:
    config = OutreachConfig.model_validate({"quietHours": {"start": "22:00", "end": "07:30"}})
    assert next_allowed(berlin(2026, 11, 10, 21, 30), BERLIN, config.quiet_hours) == berlin(2026, 11, 10, 21, 30)
    assert next_allowed(berlin(2026, 11, 10, 22, 0), BERLIN, config.quiet_hours) == berlin(2026, 11, 11, 7, 30)


def test_given_default_config_when_loaded_then_quiet_hours_are_2100_to_0900() -> None:
    quiet = OutreachConfig().quiet_hours
    assert (quiet.start, quiet.end) == (time(21, 0), time(9, 0))


def test_given_allowed_instant_in_utc_when_moved_then_instant_is_unchanged() -> None:
    instant = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert next_allowed(instant, BERLIN, DEFAULT) == instant
