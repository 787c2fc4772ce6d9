"""Per-function settings: a missing or empty variable fails at cold start, naming the variable."""

from __future__ import annotations

import pytest
from outreach_lambda.settings import IntakeSettings, SenderSettings, SettingsError, TimelineSettings

TIMELINE_ENV = {
    "ORDERS_TABLE": "orders",
    "CONTACTS_TABLE": "contacts",
    "OPS_TOPIC_ARN": "arn:aws:sns:eu-west-1:000000000000:ops",
    "SENDER_EMAIL": "orders@shop.example",
    "SES_CONFIGURATION_SET": "customer-mail",
    "REPLY_TO_EMAIL": "help@shop.example",
    "SCHEDULE_GROUP": "timers",
    "TIMER_TARGET_ARN": "arn:aws:events:eu-west-1:000000000000:event-bus/orders",
    "TIMER_ROLE_ARN": "arn:aws:iam::000000000000:role/timers",
    "TIMER_DEAD_LETTER_ARN": "arn:aws:sqs:eu-west-1:000000000000:dead-letters",
    "OUTREACH_CONFIG": "{}",
    "LINK_KEY_SECRET_ARN": "arn:aws:secretsmanager:eu-west-1:000000000000:secret:links",
    "ACTIONS_BASE_URL": "https://actions.shop.example",
}


def test_given_the_timelines_variables_then_its_settings_load_with_the_default_config() -> None:
    settings = TimelineSettings.from_env(TIMELINE_ENV)

    assert settings.orders_table == "orders"
    assert settings.config.padding.factor == "4/3"


def test_given_a_missing_variable_when_a_function_starts_then_the_error_names_it_and_the_function() -> None:
    env = {k: v for k, v in TIMELINE_ENV.items() if k != "OPS_TOPIC_ARN"}

    with pytest.raises(SettingsError, match=r"timeline function: OPS_TOPIC_ARN: missing"):
        TimelineSettings.from_env(env)


def test_given_an_empty_variable_when_a_function_starts_then_the_error_names_it() -> None:
    env = {**TIMELINE_ENV, "ORDERS_TABLE": ""}

    with pytest.raises(
        SettingsError, match=r"timeline function: ORDERS_TABLE: String should have at least 1 character"
    ):
        TimelineSettings.from_env(env)


def test_given_an_invalid_config_when_a_function_starts_then_the_error_names_the_field() -> None:
    env = {**TIMELINE_ENV, "OUTREACH_CONFIG": '{"padding": {"factor": "1/2"}}'}

    with pytest.raises(SettingsError, match=r"OUTREACH_CONFIG is invalid: padding.factor"):
        TimelineSettings.from_env(env)


def test_given_another_functions_variables_only_then_intake_names_every_variable_it_lacks() -> None:
    with pytest.raises(SettingsError) as raised:
        IntakeSettings.from_env(TIMELINE_ENV)

    assert "STATE_MACHINE_ARN: missing" in str(raised.value)
    assert "TIMELINE_FUNCTION_NAME: missing" in str(raised.value)
    assert SenderSettings.from_env(TIMELINE_ENV).contacts_table == "contacts"
