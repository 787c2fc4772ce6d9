"""The configuration's bounds: a value that would crash every step, or be silently coerced, fails at load
naming the field."""

from __future__ import annotations

from datetime import time
from fractions import Fraction
from typing import Any

import pytest
from outreach_lambda.domain.config import OutreachConfig, parse_factor
from outreach_lambda.settings import SettingsError, parse_config
from pydantic import ValidationError


@pytest.mark.parametrize(
    ("config", "field", "problem"),
    [
        pytest.param({"padding": {"factor": "1e9"}}, "padding.factor", "at most 3", id="factor-1e9"),
        pytest.param({"padding": {"factor": "3.01"}}, "padding.factor", "at most 3", id="factor-above-3"),
        pytest.param({"padding": {"factor": "1/2"}}, "padding.factor", "at least 1", id="factor-below-1"),
        pytest.param({"padding": {"factor": "four thirds"}}, "padding.factor", "a fraction like", id="factor-words"),
        pytest.param({"padding": {"factor": "1" * 40}}, "padding.factor", "a fraction like", id="factor-40-digits"),
        pytest.param({"padding": {"factor": 1.5}}, "padding.factor", "valid string", id="factor-a-number"),
        pytest.param({"sesSendRate": 0}, "sesSendRate", "greater than or equal to 0.1", id="rate-0"),
        pytest.param({"sesSendRate": 5000}, "sesSendRate", "less than or equal to 1000", id="rate-5000"),
        pytest.param({"sesSendRate": True}, "sesSendRate", "valid number", id="rate-true"),
        pytest.param({"sesSendRate": "14"}, "sesSendRate", "valid number", id="rate-text"),
        pytest.param({"defaultTransitDays": 121}, "defaultTransitDays", "less than or equal to 120", id="transit-121"),
        pytest.param({"defaultTransitDays": "7"}, "defaultTransitDays", "valid integer", id="transit-text"),
        pytest.param({"goodNewsDays": True}, "goodNewsDays", "valid integer", id="good-news-true"),
        pytest.param({"satisfactionCheckDays": 61}, "satisfactionCheckDays", "less than or equal", id="check-61"),
        pytest.param({"productionUpdateLeadDays": 2.5}, "productionUpdateLeadDays", "valid integer", id="lead-2.5"),
        pytest.param({"quietHours": {"start": 75600}}, "quietHours.start", "time of day", id="quiet-seconds"),
        pytest.param({"quietHours": {"end": "25:00"}}, "quietHours.end", "time of day", id="quiet-25h"),
        pytest.param({"quietHours": {"start": "9:00", "end": "09:00"}}, "quietHours.start", "time of day", id="h-mm"),
        pytest.param({"quietHours": {"start": "09:00", "end": "09:00"}}, "quietHours", "must differ", id="quiet-empty"),
        pytest.param({"shopName": "  "}, "shopName", "blank", id="shop-blank"),
        pytest.param({"shopName": "S" * 101}, "shopName", "at most 100", id="shop-long"),
        pytest.param({"goodwillGesture": "a free\nBcc: upgrade"}, "goodwillGesture", "one line", id="gesture-newline"),
        pytest.param({"supportPhone": "call us"}, "supportPhone", "pattern", id="phone-words"),
    ],
)
def test_given_a_config_value_out_of_bounds_when_loaded_then_the_error_names_the_field(
    config: dict[str, Any], field: str, problem: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        parse_config(config)

    message = str(raised.value)
    assert f"OUTREACH_CONFIG is invalid: {field}: " in message
    assert problem in message


@pytest.mark.parametrize(
    ("text", "factor"), [("1", Fraction(1)), ("4/3", Fraction(4, 3)), ("1.25", Fraction(5, 4)), ("3", Fraction(3))]
)
def test_given_a_factor_from_1_to_3_when_parsed_then_accepted(text: str, factor: Fraction) -> None:
    assert parse_factor(text) == factor


def test_given_every_bound_at_its_edge_when_loaded_then_accepted() -> None:
    config = parse_config(
        {
            "padding": {"factor": "3", "rounding": "days"},
            "sesSendRate": 0.1,
            "defaultTransitDays": 120,
            "quietHours": {"start": "22:30", "end": "07:15:00"},
            "shopName": "S" * 100,
        }
    )
    assert config.quiet_hours.end == time(7, 15)
    assert parse_config(config.model_dump_json(by_alias=True)) == config  # what CDK hands the functions


def test_given_the_default_config_when_round_tripped_through_its_json_then_unchanged() -> None:
    assert parse_config(OutreachConfig().model_dump_json(by_alias=True)) == OutreachConfig()


def test_given_more_requotes_than_the_state_item_is_sized_for_then_the_config_is_refused() -> None:
    with pytest.raises(ValidationError, match="maxRequotes"):
        OutreachConfig.model_validate({"maxRequotes": 51})
