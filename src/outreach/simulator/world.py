"""The AWS side of one simulation: the resources the CDK app defines, created in moto, and the real
handlers registered as the four Lambda functions.

What each function gets comes from the same wiring table the CDK app reads (``outreach_lambda.wiring``):
each simulated function has exactly its variables (set while its handler runs in-process), and the state
machine definition gets the same substitutions.
"""

from __future__ import annotations

import functools
import io
import json
import os
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from moto.core import DEFAULT_ACCOUNT_ID
from outreach_lambda.adapters.contacts import CLAIMED_AT, IN_FLIGHT, SENDING_INDEX
from outreach_lambda.domain.events import ACTIONS_SOURCE, SKU_DELAY_CONTINUED_DETAIL_TYPE, TIMER_SOURCE
from outreach_lambda.wiring import (
    DEFINITION_RESOURCES,
    DEFINITION_SUBSTITUTIONS,
    FUNCTIONS,
    Env,
    FunctionName,
    environment,
)

REGION = "us-east-1"
SENDER = "orders@outreach.example"
#: Where the simulated customer action endpoint lives (links in simulated messages point here).
ACTIONS_BASE_URL = "https://actions.outreach.example"
#: The simulated link key set (a fixed, public test key: simulated links are no secret).
SIMULATED_LINK_KEYS = {"current": "k1", "k1": "simulated-link-key-0123456789abcdef0123456789"}
CONFIGURATION_SET = "outreach-customer-mail"
STATEMACHINE_FILE = Path(__file__).resolve().parents[3] / "statemachines" / "order_timeline.asl.json"


def function_name(name: FunctionName) -> str:
    """The simulated function's name (the deployed ones get names from CloudFormation)."""
    return f"outreach-{name.value}"


@dataclass(frozen=True)
class World:
    orders_table: str
    contacts_table: str
    state_machine_arn: str
    dead_letter_queue_url: str
    ops_tap_queue_url: str
    ops_topic_arn: str
    bus_arn: str
    schedule_group: str
    environments: dict[FunctionName, dict[str, str]]
    actions_tap_queue_url: str = ""
    intake_function: str = function_name(FunctionName.INTAKE)
    actions_function: str = function_name(FunctionName.ACTIONS)

    @property
    def deployed(self) -> Any:
        """This world as the operator commands see a deployed stack (outreach.operate.Deployed)."""
        from outreach.operate import Deployed

        return Deployed(
            self.state_machine_arn,
            self.dead_letter_queue_url,
            self.orders_table,
            self.contacts_table,
            self.intake_function,
            function_name(FunctionName.SENDER),
            self.bus_arn.rsplit("/", 1)[-1],
        )


def definition(function_arns: dict[FunctionName, str], values: dict[Env, str]) -> str:
    """The real ASL file with the same substitutions CDK's definition_substitutions makes."""
    text = STATEMACHINE_FILE.read_text(encoding="utf-8")
    for key, function in DEFINITION_SUBSTITUTIONS.items():
        text = text.replace("${" + key + "}", function_arns[function])
    for key, env in DEFINITION_RESOURCES.items():
        text = text.replace("${" + key + "}", values[env])
    if "${" in text:
        raise RuntimeError("statemachines/order_timeline.asl.json has a substitution the simulator does not know")
    return text


def _dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        # A fixed entry date: the same bytes (and CodeSha256) on every run, whatever the clock says.
        zf.writestr(
            zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0)),
            "def handler(event, context):\n    return event\n",
        )
    return buf.getvalue()


@functools.cache
def session() -> Any:
    """The boto3 default session of every run of this process (set by ``runner.run`` once moto is mocking).

    moto starts each mock without a default session, so each run would build one (its event hooks, loader and
    configuration: about 10 ms) for clients that are the same every time. Hooks a run registers on it (faults,
    the SES suppression list) are unregistered when the run ends; credentials are the simulated ones of
    ``BASE_ENV``."""
    return boto3.session.Session()


@functools.cache
def _client(service: str) -> Any:
    """One client per service builds every world of this process: creating a client (and, under moto, a new
    default session for it) cost more than the calls the build makes with it. Inside ``mock_aws`` only."""
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def build(config_json: str) -> World:
    """Create every resource in moto, and the four functions with exactly their wiring-table environment."""
    ddb = _client("dynamodb")
    for name in ("outreach-orders", "outreach-contacts"):
        attributes = ["pk", "sk"]
        indexes: dict[str, Any] = {}
        if name == "outreach-contacts":  # as infra/constructs/storage.py: the sparse index of claims in flight
            attributes += [IN_FLIGHT, CLAIMED_AT]
            indexes["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": SENDING_INDEX,
                    "KeySchema": [
                        {"AttributeName": IN_FLIGHT, "KeyType": "HASH"},
                        {"AttributeName": CLAIMED_AT, "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in attributes],
            BillingMode="PAY_PER_REQUEST",
            **indexes,
        )
    sqs = _client("sqs")
    dlq_url = sqs.create_queue(QueueName="outreach-dead-letters")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    tap_url = sqs.create_queue(QueueName="outreach-ops-alerts-tap")["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = _client("sns")
    topic_arn = sns.create_topic(Name="outreach-ops-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=tap_arn, Attributes={"RawMessageDelivery": "true"})
    sesv2 = _client("sesv2")
    sesv2.create_email_identity(EmailIdentity=SENDER)
    sesv2.create_configuration_set(ConfigurationSetName=CONFIGURATION_SET)
    _client("scheduler").create_schedule_group(Name="outreach-timers")
    events = _client("events")
    bus_arn = events.create_event_bus(Name="outreach-orders")["EventBusArn"]
    # What the customer action endpoint puts on the bus reaches intake through this tap (the deployed rule
    # sends every event to intake; here the runner hands each tapped event to intake, in time order).
    actions_tap_url = sqs.create_queue(QueueName="outreach-actions-tap")["QueueUrl"]
    actions_tap_arn = sqs.get_queue_attributes(QueueUrl=actions_tap_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    events.put_rule(
        Name="outreach-actions-tap",
        EventBusName="outreach-orders",
        EventPattern=json.dumps({"source": [ACTIONS_SOURCE]}),
    )
    events.put_targets(
        Rule="outreach-actions-tap", EventBusName="outreach-orders", Targets=[{"Id": "tap", "Arn": actions_tap_arn}]
    )
    # ... and so does what intake puts there itself: the rest of a sku delay it could not finish in one invocation.
    events.put_rule(
        Name="outreach-continuations-tap",
        EventBusName="outreach-orders",
        EventPattern=json.dumps({"source": [TIMER_SOURCE], "detail-type": [SKU_DELAY_CONTINUED_DETAIL_TYPE]}),
    )
    events.put_targets(
        Rule="outreach-continuations-tap",
        EventBusName="outreach-orders",
        Targets=[{"Id": "tap", "Arn": actions_tap_arn}],
    )
    link_secret_arn = _client("secretsmanager").create_secret(
        Name="outreach-link-keys", SecretString=json.dumps(SIMULATED_LINK_KEYS)
    )["ARN"]
    iam = _client("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName="outreach-sim", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    sm_name = "outreach-order-timeline"
    values = {
        Env.ORDERS_TABLE: "outreach-orders",
        Env.CONTACTS_TABLE: "outreach-contacts",
        Env.DEAD_LETTER_QUEUE_URL: dlq_url,
        Env.OPS_TOPIC_ARN: topic_arn,
        Env.SENDER_EMAIL: SENDER,
        Env.SES_CONFIGURATION_SET: CONFIGURATION_SET,
        Env.REPLY_TO_EMAIL: SENDER,
        Env.SCHEDULE_GROUP: "outreach-timers",
        Env.TIMER_TARGET_ARN: bus_arn,
        Env.TIMER_ROLE_ARN: role_arn,
        Env.TIMER_DEAD_LETTER_ARN: dlq_arn,
        Env.OUTREACH_CONFIG: config_json,
        Env.SENDER_FUNCTION_NAME: function_name(FunctionName.SENDER),
        Env.TIMELINE_FUNCTION_NAME: function_name(FunctionName.TIMELINE),
        Env.EVENT_BUS_NAME: "outreach-orders",
        Env.LINK_KEY_SECRET_ARN: link_secret_arn,
        Env.ACTIONS_BASE_URL: ACTIONS_BASE_URL,
        # Known before the state machine exists (its ARN is made from its name), as in the CDK app.
        Env.STATE_MACHINE_ARN: f"arn:aws:states:{REGION}:{DEFAULT_ACCOUNT_ID}:stateMachine:{sm_name}",
    }
    lam = _client("lambda")
    arns: dict[FunctionName, str] = {}
    environments: dict[FunctionName, dict[str, str]] = {}
    code = _dummy_zip()
    for name, spec in FUNCTIONS.items():
        environments[name] = environment(name, values)
        arns[name] = lam.create_function(
            FunctionName=function_name(name),
            Runtime="python3.12",
            Role=role_arn,
            Handler=spec.handler,
            Code={"ZipFile": code},
            Timeout=30,
            MemorySize=256,
            Environment={"Variables": environments[name]},
        )["FunctionArn"]
    sm_arn = _client("stepfunctions").create_state_machine(
        name=sm_name, definition=definition(arns, values), roleArn=role_arn, type="STANDARD"
    )["stateMachineArn"]
    if sm_arn != values[Env.STATE_MACHINE_ARN]:
        raise RuntimeError(f"state machine ARN {sm_arn} differs from the one the functions were given")
    return World(
        orders_table=values[Env.ORDERS_TABLE],
        contacts_table=values[Env.CONTACTS_TABLE],
        state_machine_arn=sm_arn,
        dead_letter_queue_url=dlq_url,
        ops_tap_queue_url=tap_url,
        ops_topic_arn=topic_arn,
        bus_arn=bus_arn,
        schedule_group=values[Env.SCHEDULE_GROUP],
        environments=environments,
        actions_tap_queue_url=actions_tap_url,
    )


def load_handlers(w: World, crash: Callable[[str], str | None] | None = None) -> dict[str, Any]:
    """The real handlers by simulated function name, each run with exactly its function's environment.
    ``crash(function)`` names an injected crash of that function now, if any (simulator ``faults``)."""
    import importlib

    out = {}
    for name, spec in FUNCTIONS.items():
        module, _, attr = spec.handler.rpartition(".")
        handler = getattr(importlib.import_module(module), attr)
        out[function_name(name)] = _with_environment(handler, w.environments[name], name, crash)
    return out


class InjectedCrash(RuntimeError):
    """A function crash the scenario asked for (``faults``)."""


def _with_environment(
    handler: Any, variables: dict[str, str], name: FunctionName, crash: Callable[[str], str | None] | None
) -> Any:
    def run(event: Any, context: Any) -> Any:
        if crash is not None and (message := crash(name.value)):
            raise InjectedCrash(message)
        with process_environment(variables):
            return handler(event, context)

    return run


_ENV_LOCK = threading.Lock()
#: Blocks of ``process_environment`` active now, and each variable's value before the first of them set it.
_ENV_ACTIVE = 0
_ENV_BEFORE: dict[str, str | None] = {}


@contextmanager
def process_environment(values: dict[str, str]) -> Iterator[None]:
    """Process environment for a run or an in-process handler; restored when the last active block ends.

    Blocks overlap across threads (intake is still running when the execution it started invokes the timeline),
    and a handler's cold start copies ``os.environ`` (``dict(os.environ)`` lists the keys, then reads each): a
    variable deleted by another thread in between fails that read with a KeyError, the first step with
    ``States.Runtime``. So no variable is deleted while any block is active: a handler ending leaves its values
    (every function's value for a variable is the same; a variable of another function is ignored by the
    settings models, ``extra="ignore"``), and the last block to end restores the environment as it was before
    the first. Adding or overwriting a variable is safe for a concurrent copy (it lists the keys at once).

    Fast path 72: a variable already holding its value is not written again (``os.environ[key] = value`` encodes both
    and calls ``putenv``; a run's blocks mostly set what the block before left): the same environment either way.
    Fast path 115: the comparison reads the encoded forms (``_encoded``).
    """
    global _ENV_ACTIVE
    with _ENV_LOCK:
        _ENV_ACTIVE += 1
        encoded = _encoded(values)
        if encoded is not None:  # fast path 115: compared as the environment holds them, bytes with bytes
            data: dict[bytes, bytes] = os.environ._data  # type: ignore[attr-defined]
            for key, value, key_bytes, value_bytes in encoded:
                if key not in _ENV_BEFORE:
                    _ENV_BEFORE[key] = os.environ.get(key)
                if data.get(key_bytes) != value_bytes:
                    os.environ[key] = value
        else:
            for key, value in values.items():
                current = os.environ.get(key)
                _ENV_BEFORE.setdefault(key, current)
                if current != value:  # (fast path 72) most invocations find their values set by the one before
                    os.environ[key] = value
    try:
        yield
    finally:
        with _ENV_LOCK:
            _ENV_ACTIVE -= 1
            if _ENV_ACTIVE == 0:
                for key, before in _ENV_BEFORE.items():
                    if before is None:
                        os.environ.pop(key, None)
                    else:
                        os.environ[key] = before
                _ENV_BEFORE.clear()


#: Fast path 115: per variables dict (by identity, held), a copy of it and its items with their encoded key and value
_ENCODINGS: dict[int, tuple[dict[str, str], dict[str, str], tuple[tuple[str, str, bytes, bytes], ...]]] = {}


def _encoded(values: dict[str, str]) -> tuple[tuple[str, str, bytes, bytes], ...] | None:
    """``values``' items with each key and value encoded as ``os.environ`` keeps them (its ``_data``: bytes to bytes on
    POSIX), made once per dict and checked against a copy at every call (a dict changed since is encoded again); None
    when ``os.environ`` is not the standard library's mapping or a key or value is not text.

    Fast path 115: every in-process invocation compared each of its function's variables (about 16) with the
    environment through ``os.environ.get``, which encodes the key, looks it up and decodes the value; the same
    comparison of the encoded forms (the encoding is one-to-one) is a dictionary look-up per variable."""
    environ: Any = os.environ
    if type(environ) is not os._Environ or type(getattr(environ, "_data", None)) is not dict:
        return None
    found = _ENCODINGS.get(id(values))
    if found is not None and found[0] is values and found[1] == values:
        return found[2]
    try:
        encoded: tuple[tuple[str, str, bytes, bytes], ...] = tuple(
            (key, value, environ.encodekey(key), environ.encodevalue(value)) for key, value in values.items()
        )
    except (TypeError, UnicodeError, ValueError):
        return None
    if len(_ENCODINGS) >= 64:
        _ENCODINGS.clear()
    _ENCODINGS[id(values)] = (values, dict(values), encoded)
    return encoded


BASE_ENV = {
    "AWS_ACCESS_KEY_ID": "simulated",
    "AWS_SECRET_ACCESS_KEY": "simulated",
    "AWS_SESSION_TOKEN": "simulated",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_SERVICE_NAME": "outreach",
    "POWERTOOLS_METRICS_NAMESPACE": "Outreach",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
