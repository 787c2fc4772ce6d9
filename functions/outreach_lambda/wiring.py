"""The wiring table: which function gets which resource, through which environment variable, with what access.

Written once, here, and read by all three places that wire the functions:

- the CDK app (``infra/constructs/workflow.py``) sets exactly these environment variables and makes exactly
  these ``grant_*`` calls;
- the Lambda settings (``settings.py``) require exactly these variables per function, at cold start;
- the simulator (``src/outreach/simulator/world.py``) creates the same resources in moto and gives each
  simulated function the same variables, and the state machine definition the same substitutions.

Tests check that the three agree (``tests/infra/test_wiring.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Final


class Env(StrEnum):
    """Environment variables of the Lambda functions; each names one resource (its role in the app)."""

    ORDERS_TABLE = "ORDERS_TABLE"
    CONTACTS_TABLE = "CONTACTS_TABLE"
    STATE_MACHINE_ARN = "STATE_MACHINE_ARN"
    DEAD_LETTER_QUEUE_URL = "DEAD_LETTER_QUEUE_URL"
    OPS_TOPIC_ARN = "OPS_TOPIC_ARN"
    SENDER_EMAIL = "SENDER_EMAIL"
    SCHEDULE_GROUP = "SCHEDULE_GROUP"
    TIMER_TARGET_ARN = "TIMER_TARGET_ARN"
    TIMER_ROLE_ARN = "TIMER_ROLE_ARN"
    TIMER_DEAD_LETTER_ARN = "TIMER_DEAD_LETTER_ARN"
    SENDER_FUNCTION_NAME = "SENDER_FUNCTION_NAME"
    TIMELINE_FUNCTION_NAME = "TIMELINE_FUNCTION_NAME"
    OUTREACH_CONFIG = "OUTREACH_CONFIG"
    EVENT_BUS_NAME = "EVENT_BUS_NAME"
    LINK_KEY_SECRET_ARN = "LINK_KEY_SECRET_ARN"
    ACTIONS_BASE_URL = "ACTIONS_BASE_URL"
    SES_CONFIGURATION_SET = "SES_CONFIGURATION_SET"
    REPLY_TO_EMAIL = "REPLY_TO_EMAIL"


#: What each variable holds (the README and docs/architecture.md quote this table).
ENV_MEANING: Final[dict[Env, str]] = {
    Env.ORDERS_TABLE: "orders table: order state, promise ledger, event inbox (pk/sk)",
    Env.CONTACTS_TABLE: "contact ledger: one item per contact and channel",
    Env.STATE_MACHINE_ARN: "the order timeline state machine",
    Env.DEAD_LETTER_QUEUE_URL: "where rejected events go, with their reason",
    Env.OPS_TOPIC_ARN: "SNS topic for structured ops alerts",
    Env.SENDER_EMAIL: "verified SES identity customer mail is sent from",
    Env.SCHEDULE_GROUP: "EventBridge Scheduler group of the one-time wake-up timers",
    Env.TIMER_TARGET_ARN: "event bus the timers put 'Timer Due' events on",
    Env.TIMER_ROLE_ARN: "role EventBridge Scheduler assumes to put those events",
    Env.TIMER_DEAD_LETTER_ARN: "queue a timer goes to when EventBridge Scheduler cannot deliver it (the event DLQ)",
    Env.SENDER_FUNCTION_NAME: "sender function, invoked for contacts outside a running timeline",
    Env.TIMELINE_FUNCTION_NAME: "timeline function, invoked to advance an order whose wait token intake claimed",
    Env.OUTREACH_CONFIG: "JSON of the validated OutreachConfig (padding, timing, quiet hours)",
    Env.EVENT_BUS_NAME: (
        "the Outreach event bus the customer action endpoint puts order events on, and intake the rest of a sku "
        "delay too large for one invocation ('Sku Delay Continued')"
    ),
    Env.LINK_KEY_SECRET_ARN: "Secrets Manager secret holding the one-click link keys (read once per cold start)",
    Env.ACTIONS_BASE_URL: "base URL of the customer action endpoint the signed links in messages point to",
    Env.SES_CONFIGURATION_SET: "SES configuration set every customer e-mail is sent with (bounce/complaint events)",
    Env.REPLY_TO_EMAIL: "where customers' replies to an e-mail go",
}


class Access(StrEnum):
    """What a function may do with a resource; the CDK app maps each to one ``grant_*`` call."""

    VALUE = "value"  # a plain value: no permission involved
    READ = "read"  # DynamoDB read
    READ_WRITE = "read_write"  # DynamoDB read and write
    PUBLISH = "publish"  # SNS publish to the topic
    SEND_MESSAGES = "send_messages"  # SQS send
    SEND_EMAIL = "send_email"  # SES send from the identity
    START_EXECUTION = "start_execution"  # Step Functions StartExecution
    INVOKE = "invoke"  # Lambda invoke
    MANAGE_SCHEDULES = "manage_schedules"  # Scheduler create/delete in the group
    PASS_ROLE = "pass_role"  # iam:PassRole of the timer role to the scheduler
    PUT_ITEM = "put_item"  # DynamoDB PutItem only (conditional claims, e.g. a link's one use)
    PUT_EVENTS = "put_events"  # EventBridge PutEvents on the bus
    READ_SECRET = "read_secret"  # Secrets Manager GetSecretValue of the secret
    SETTLE_CLAIMS = "settle_claims"  # DynamoDB Query (the index of claims in flight) and UpdateItem: no Scan
    ADD_OPT_OUTS = "add_opt_outs"  # DynamoDB PutItem of the opt-out list's partition only (LeadingKeys)
    PARK = "park"  # DynamoDB UpdateItem only: the state machine's waits store their task token on the order


class Permission(StrEnum):
    """Permissions that do not come with an environment variable."""

    COMPLETE_OWN_TASKS = "complete_own_tasks"  # SendTaskSuccess on the state machine that invokes it
    SEND_SMS = "send_sms"  # SNS publish to customers' phone numbers
    READ_SUPPRESSION_LIST = "read_suppression_list"  # SES GetSuppressedDestination (account level)


class FunctionName(StrEnum):
    INTAKE = "intake"
    TIMELINE = "timeline"
    SENDER = "sender"
    ACTIONS = "actions"
    RECONCILER = "reconciler"


#: How long any function may run (the CDK app's ``timeout``; the simulator's Lambda context counts down from it).
FUNCTION_TIMEOUT: Final = timedelta(seconds=30)
#: Lambda's own retries of an asynchronous invocation (an EventBridge rule's or ``InvocationType`` ``Event``) whose
#: function failed: two more attempts, the first a minute after the failure, the second two minutes after that (the
#: CDK app's ``retry_attempts``; the simulator plays them in virtual time).
ASYNC_RETRY_DELAYS: Final = (timedelta(minutes=1), timedelta(minutes=2))


@dataclass(frozen=True)
class FunctionSpec:
    name: FunctionName
    description: str
    uses: dict[Env, Access]
    permissions: frozenset[Permission] = field(default_factory=frozenset)
    every: timedelta | None = None  # run on this schedule (an EventBridge rule; the simulator plays it too)
    #: Invoked asynchronously (by the bus or another function): what still fails after Lambda's retries
    #: (ASYNC_RETRY_DELAYS) goes to the dead-letter queue with its error, for `outreach dead-letters` to replay.
    dead_letters: bool = False

    @property
    def handler(self) -> str:
        """The Lambda handler string, relative to the asset root (``functions/``)."""
        return f"outreach_lambda.handlers.{self.name.value}.handler"


FUNCTIONS: Final[dict[FunctionName, FunctionSpec]] = {
    FunctionName.TIMELINE: FunctionSpec(
        FunctionName.TIMELINE,
        "Advances an order's timeline: applies its events, sends the contacts due, parks it until the next one",
        {
            Env.ORDERS_TABLE: Access.READ_WRITE,
            Env.CONTACTS_TABLE: Access.READ_WRITE,
            Env.OPS_TOPIC_ARN: Access.PUBLISH,
            Env.SENDER_EMAIL: Access.SEND_EMAIL,
            Env.SES_CONFIGURATION_SET: Access.VALUE,
            Env.REPLY_TO_EMAIL: Access.VALUE,
            Env.SCHEDULE_GROUP: Access.MANAGE_SCHEDULES,
            Env.TIMER_TARGET_ARN: Access.VALUE,
            Env.TIMER_ROLE_ARN: Access.PASS_ROLE,
            Env.TIMER_DEAD_LETTER_ARN: Access.VALUE,
            Env.OUTREACH_CONFIG: Access.VALUE,
            Env.LINK_KEY_SECRET_ARN: Access.READ_SECRET,
            Env.ACTIONS_BASE_URL: Access.VALUE,
        },
        frozenset({Permission.COMPLETE_OWN_TASKS, Permission.SEND_SMS, Permission.READ_SUPPRESSION_LIST}),
    ),
    FunctionName.SENDER: FunctionSpec(
        FunctionName.SENDER,
        "Sends a contact outside a running timeline (catalog follow-up, late feedback) or redrives a parked one",
        {
            Env.ORDERS_TABLE: Access.READ,
            Env.CONTACTS_TABLE: Access.READ_WRITE,
            Env.OPS_TOPIC_ARN: Access.PUBLISH,
            Env.SENDER_EMAIL: Access.SEND_EMAIL,
            Env.SES_CONFIGURATION_SET: Access.VALUE,
            Env.REPLY_TO_EMAIL: Access.VALUE,
            Env.OUTREACH_CONFIG: Access.VALUE,
            Env.LINK_KEY_SECRET_ARN: Access.READ_SECRET,
            Env.ACTIONS_BASE_URL: Access.VALUE,
        },
        frozenset({Permission.SEND_SMS, Permission.READ_SUPPRESSION_LIST}),
        dead_letters=True,
    ),
    FunctionName.INTAKE: FunctionSpec(
        FunctionName.INTAKE,
        "Receives every Outreach bus event: starts or wakes an order's timeline, rejects invalid events",
        {
            Env.ORDERS_TABLE: Access.READ_WRITE,
            Env.OPS_TOPIC_ARN: Access.PUBLISH,
            Env.STATE_MACHINE_ARN: Access.START_EXECUTION,
            Env.DEAD_LETTER_QUEUE_URL: Access.SEND_MESSAGES,
            Env.SENDER_FUNCTION_NAME: Access.INVOKE,
            Env.TIMELINE_FUNCTION_NAME: Access.INVOKE,
            # Customer messages: the remedy table and business hours, and the reply-SLA timers.
            Env.OUTREACH_CONFIG: Access.VALUE,
            Env.SCHEDULE_GROUP: Access.MANAGE_SCHEDULES,
            Env.TIMER_TARGET_ARN: Access.VALUE,
            Env.TIMER_ROLE_ARN: Access.PASS_ROLE,
            Env.TIMER_DEAD_LETTER_ARN: Access.VALUE,
            # An Unsubscribed click puts the address on the shop's opt-out list (and nothing else there).
            Env.CONTACTS_TABLE: Access.ADD_OPT_OUTS,
            # A sku delay reaching more orders than one invocation can: the rest goes on in a continuation.
            Env.EVENT_BUS_NAME: Access.PUT_EVENTS,
        },
        dead_letters=True,
    ),
    FunctionName.ACTIONS: FunctionSpec(
        FunctionName.ACTIONS,
        "The customer action endpoint: verifies a signed one-click link and puts its event on the bus",
        {
            # Only PutItem: a link's one use is claimed with a conditional put (LINK#<id>); it reads no order.
            Env.ORDERS_TABLE: Access.PUT_ITEM,
            Env.EVENT_BUS_NAME: Access.PUT_EVENTS,
            Env.LINK_KEY_SECRET_ARN: Access.READ_SECRET,
        },
    ),
    FunctionName.RECONCILER: FunctionSpec(
        FunctionName.RECONCILER,
        "Finds contact claims stuck in SENDING, marks them UNCONFIRMED (never re-sent blindly) and tells ops",
        {
            Env.CONTACTS_TABLE: Access.SETTLE_CLAIMS,
            Env.OPS_TOPIC_ARN: Access.PUBLISH,
        },
        every=timedelta(minutes=15),
    ),
}

#: The state machine definition's ``${...}`` substitutions: the functions its tasks invoke ...
DEFINITION_SUBSTITUTIONS: Final[dict[str, FunctionName]] = {
    "TimelineFunctionArn": FunctionName.TIMELINE,
}
#: ... and the other resources it uses: the ops topic, told when an order's timeline fails, and the orders table,
#: where each "Waiting for ..." state stores its task token (one conditional UpdateItem, ``OrdersRepository.park``).
DEFINITION_RESOURCES: Final[dict[str, Env]] = {
    "OpsTopicArn": Env.OPS_TOPIC_ARN,
    "OrdersTableName": Env.ORDERS_TABLE,
}
#: What the state machine itself may do with each resource it uses (``DEFINITION_RESOURCES``).
STATE_MACHINE_ACCESS: Final[dict[Env, Access]] = {
    Env.OPS_TOPIC_ARN: Access.PUBLISH,
    Env.ORDERS_TABLE: Access.PARK,
}


def environment(function: FunctionName, values: dict[Env, str]) -> dict[str, str]:
    """The environment of ``function``: exactly its variables, from ``values`` (KeyError names a missing one)."""
    return {env.value: values[env] for env in FUNCTIONS[function].uses}
