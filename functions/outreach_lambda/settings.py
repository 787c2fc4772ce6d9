"""Runtime settings of the Lambda functions, read once from the environment into a typed model.

Environment variables (set by the CDK app, or by the simulator):

| variable | used by | meaning |
|---|---|---|
| ORDERS_TABLE | all | orders table: order state, promise ledger, event inbox (pk/sk) |
| CONTACTS_TABLE | sender, timeline | contact ledger, one item per contact and channel |
| STATE_MACHINE_ARN | intake | the order timeline state machine |
| DEAD_LETTER_QUEUE_URL | intake | where rejected events go, with their reason |
| OPS_TOPIC_ARN | all | SNS topic for structured ops alerts |
| SENDER_EMAIL | sender | verified SES identity mail is sent from |
| SCHEDULE_GROUP | waiter | EventBridge Scheduler group of the one-time wake-up timers |
| TIMER_TARGET_ARN | waiter | event bus the timers put 'Timer Due' events on |
| TIMER_ROLE_ARN | waiter | role EventBridge Scheduler assumes to put those events |
| SENDER_FUNCTION_NAME | intake | sender Lambda, invoked for contacts outside a running timeline |
| OUTREACH_CONFIG | all | JSON of OutreachConfig overrides (padding, timing, quiet hours) |
"""

from __future__ import annotations

import json
import os
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outreach_lambda.domain.config import OutreachConfig


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    orders_table: str = Field(alias="ORDERS_TABLE", min_length=1)
    contacts_table: str = Field(default="", alias="CONTACTS_TABLE")
    state_machine_arn: str = Field(default="", alias="STATE_MACHINE_ARN")
    dead_letter_queue_url: str = Field(default="", alias="DEAD_LETTER_QUEUE_URL")
    ops_topic_arn: str = Field(default="", alias="OPS_TOPIC_ARN")
    sender_email: str = Field(default="", alias="SENDER_EMAIL")
    schedule_group: str = Field(default="default", alias="SCHEDULE_GROUP")
    timer_target_arn: str = Field(default="", alias="TIMER_TARGET_ARN")
    timer_role_arn: str = Field(default="", alias="TIMER_ROLE_ARN")
    sender_function_name: str = Field(default="", alias="SENDER_FUNCTION_NAME")
    config: OutreachConfig = Field(default_factory=OutreachConfig, alias="OUTREACH_CONFIG")


class SettingsError(RuntimeError):
    pass


def parse_config(raw: str | dict | None) -> OutreachConfig:
    """Parse OUTREACH_CONFIG (JSON text or a dict); errors name the field and the problem."""
    if raw in (None, ""):
        return OutreachConfig()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return OutreachConfig.model_validate(data)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"OUTREACH_CONFIG is not valid JSON: {exc}") from exc
    except ValidationError as exc:
        raise SettingsError(f"OUTREACH_CONFIG is invalid: {format_validation_error(exc)}") from exc


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: 'customer.email: value is not a valid email address'."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{field}: {err['msg']}")
    return "; ".join(parts)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    env = dict(os.environ)
    try:
        config = parse_config(env.pop("OUTREACH_CONFIG", None))
        return Settings.model_validate({**env, "OUTREACH_CONFIG": config})
    except ValidationError as exc:
        raise SettingsError(f"invalid Lambda environment: {format_validation_error(exc)}") from exc
