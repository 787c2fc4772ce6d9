"""Runtime settings of the Lambda functions: one typed model per function, read once from the environment.

Each model requires exactly the variables the wiring table (``wiring.py``) gives its function, so a missing
or empty variable fails at cold start with its name, not at the first AWS call. The variable names are the
``wiring.Env`` members; their meaning is ``wiring.ENV_MEANING``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Self, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from outreach_lambda.cold_start import once
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.wiring import ENV_MEANING, Env, FunctionName


class SettingsError(RuntimeError):
    pass


def format_validation_error(exc: ValidationError) -> str:
    """One line per problem: 'customer.email: value is not a valid email address'."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{field}: {err['msg']}")
    return "; ".join(parts)


def parse_config(raw: str | dict[str, Any] | OutreachConfig | None) -> OutreachConfig:
    """Parse OUTREACH_CONFIG (JSON text or a dict); errors name the field and the problem."""
    if isinstance(raw, OutreachConfig):
        return raw
    if raw in (None, ""):
        return OutreachConfig()
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        return OutreachConfig.model_validate(data)
    except json.JSONDecodeError as exc:
        raise SettingsError(f"{Env.OUTREACH_CONFIG} is not valid JSON: {exc}") from exc
    except ValidationError as exc:
        raise SettingsError(f"{Env.OUTREACH_CONFIG} is invalid: {format_validation_error(exc)}") from exc


def _var(env: Env) -> Any:
    """A required, non-empty environment variable as a pydantic field."""
    return Field(alias=env.value, min_length=1, description=ENV_MEANING[env])


OrdersTable = Annotated[str, _var(Env.ORDERS_TABLE)]
ContactsTable = Annotated[str, _var(Env.CONTACTS_TABLE)]
StateMachineArn = Annotated[str, _var(Env.STATE_MACHINE_ARN)]
DeadLetterQueueUrl = Annotated[str, _var(Env.DEAD_LETTER_QUEUE_URL)]
OpsTopicArn = Annotated[str, _var(Env.OPS_TOPIC_ARN)]
SenderEmail = Annotated[str, _var(Env.SENDER_EMAIL)]
SesConfigurationSet = Annotated[str, _var(Env.SES_CONFIGURATION_SET)]
ReplyToEmail = Annotated[str, _var(Env.REPLY_TO_EMAIL)]
ScheduleGroup = Annotated[str, _var(Env.SCHEDULE_GROUP)]
TimerTargetArn = Annotated[str, _var(Env.TIMER_TARGET_ARN)]
TimerRoleArn = Annotated[str, _var(Env.TIMER_ROLE_ARN)]
TimerDeadLetterArn = Annotated[str, _var(Env.TIMER_DEAD_LETTER_ARN)]
SenderFunctionName = Annotated[str, _var(Env.SENDER_FUNCTION_NAME)]
TimelineFunctionName = Annotated[str, _var(Env.TIMELINE_FUNCTION_NAME)]
EventBusName = Annotated[str, _var(Env.EVENT_BUS_NAME)]
LinkKeySecretArn = Annotated[str, _var(Env.LINK_KEY_SECRET_ARN)]
ActionsBaseUrl = Annotated[str, _var(Env.ACTIONS_BASE_URL)]
Config = Annotated[
    OutreachConfig,
    BeforeValidator(parse_config),
    Field(alias=Env.OUTREACH_CONFIG.value, description=ENV_MEANING[Env.OUTREACH_CONFIG]),
]


class FunctionSettings(BaseModel):
    """Base of the per-function settings; ``FUNCTION`` ties a model to its row of the wiring table."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    FUNCTION: ClassVar[FunctionName]

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Self:
        try:
            return cls.model_validate(dict(env))
        except ValidationError as exc:
            problems = []
            for err in exc.errors():
                name = str(err["loc"][0]) if err["loc"] else "(environment)"
                problem = "missing" if err["type"] == "missing" else err["msg"]
                problems.append(f"{name}: {problem}")
            raise SettingsError(f"invalid environment of the {cls.FUNCTION} function: {'; '.join(problems)}") from exc
        except SettingsError as exc:
            raise SettingsError(f"invalid environment of the {cls.FUNCTION} function: {exc}") from exc


class TimelineSettings(FunctionSettings):
    FUNCTION = FunctionName.TIMELINE
    orders_table: OrdersTable
    contacts_table: ContactsTable
    ops_topic_arn: OpsTopicArn
    sender_email: SenderEmail
    ses_configuration_set: SesConfigurationSet
    reply_to_email: ReplyToEmail
    schedule_group: ScheduleGroup
    timer_target_arn: TimerTargetArn
    timer_role_arn: TimerRoleArn
    timer_dead_letter_arn: TimerDeadLetterArn
    config: Config
    link_key_secret_arn: LinkKeySecretArn
    actions_base_url: ActionsBaseUrl


class SenderSettings(FunctionSettings):
    FUNCTION = FunctionName.SENDER
    orders_table: OrdersTable
    contacts_table: ContactsTable
    ops_topic_arn: OpsTopicArn
    sender_email: SenderEmail
    ses_configuration_set: SesConfigurationSet
    reply_to_email: ReplyToEmail
    config: Config
    link_key_secret_arn: LinkKeySecretArn
    actions_base_url: ActionsBaseUrl


class IntakeSettings(FunctionSettings):
    FUNCTION = FunctionName.INTAKE
    orders_table: OrdersTable
    ops_topic_arn: OpsTopicArn
    state_machine_arn: StateMachineArn
    dead_letter_queue_url: DeadLetterQueueUrl
    sender_function_name: SenderFunctionName
    timeline_function_name: TimelineFunctionName
    config: Config
    schedule_group: ScheduleGroup
    timer_target_arn: TimerTargetArn
    timer_role_arn: TimerRoleArn
    timer_dead_letter_arn: TimerDeadLetterArn
    contacts_table: ContactsTable
    event_bus_name: EventBusName


class ActionsSettings(FunctionSettings):
    FUNCTION = FunctionName.ACTIONS
    orders_table: OrdersTable
    event_bus_name: EventBusName
    link_key_secret_arn: LinkKeySecretArn


class ReconcilerSettings(FunctionSettings):
    FUNCTION = FunctionName.RECONCILER
    contacts_table: ContactsTable
    ops_topic_arn: OpsTopicArn


SETTINGS: dict[FunctionName, type[FunctionSettings]] = {
    model.FUNCTION: model
    for model in (TimelineSettings, SenderSettings, IntakeSettings, ActionsSettings, ReconcilerSettings)
}

S = TypeVar("S", bound=FunctionSettings)


@once
def load(model: type[S]) -> S:
    """The function's settings from the process environment, read once per cold start."""
    return model.from_env(os.environ)
