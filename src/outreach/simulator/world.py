"""The AWS side of one simulation: the resources the CDK app defines, created in moto, and the real
handlers registered as the four Lambda functions.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

REGION = "us-east-1"
SENDER = "orders@outreach.example"
STATEMACHINE_FILE = Path(__file__).resolve().parents[3] / "statemachines" / "order_timeline.asl.json"

FUNCTIONS = {
    "outreach-intake": "outreach_lambda.handlers.intake.handler",
    "outreach-timeline": "outreach_lambda.handlers.timeline.handler",
    "outreach-waiter": "outreach_lambda.handlers.waiter.handler",
    "outreach-sender": "outreach_lambda.handlers.sender.handler",
}
SUBSTITUTIONS = {
    "TimelineFunctionArn": "outreach-timeline",
    "WaiterFunctionArn": "outreach-waiter",
    "SenderFunctionArn": "outreach-sender",
}


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
    intake_function: str = "outreach-intake"


def definition(function_arns: dict[str, str]) -> str:
    """The real ASL file with the same substitutions CDK's definition_substitutions makes."""
    text = STATEMACHINE_FILE.read_text(encoding="utf-8")
    for key, function in SUBSTITUTIONS.items():
        text = text.replace("${" + key + "}", function_arns[function])
    if "${" in text:
        raise RuntimeError("statemachines/order_timeline.asl.json has a substitution the simulator does not know")
    return text


def _dummy_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def build(config_json: str) -> tuple[World, dict[str, str]]:
    """Create every resource in moto; returns the world and the Lambda environment."""
    ddb = boto3.client("dynamodb", region_name=REGION)
    for name in ("outreach-orders", "outreach-contacts"):
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
    sqs = boto3.client("sqs", region_name=REGION)
    dlq_url = sqs.create_queue(QueueName="outreach-dead-letters")["QueueUrl"]
    tap_url = sqs.create_queue(QueueName="outreach-ops-alerts-tap")["QueueUrl"]
    tap_arn = sqs.get_queue_attributes(QueueUrl=tap_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns = boto3.client("sns", region_name=REGION)
    topic_arn = sns.create_topic(Name="outreach-ops-alerts")["TopicArn"]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=tap_arn, Attributes={"RawMessageDelivery": "true"})
    boto3.client("sesv2", region_name=REGION).create_email_identity(EmailIdentity=SENDER)
    boto3.client("scheduler", region_name=REGION).create_schedule_group(Name="outreach-timers")
    bus_arn = boto3.client("events", region_name=REGION).create_event_bus(Name="outreach-orders")["EventBusArn"]
    iam = boto3.client("iam", region_name=REGION)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName="outreach-sim", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]

    env = {
        "ORDERS_TABLE": "outreach-orders",
        "CONTACTS_TABLE": "outreach-contacts",
        "DEAD_LETTER_QUEUE_URL": dlq_url,
        "OPS_TOPIC_ARN": topic_arn,
        "SENDER_EMAIL": SENDER,
        "SCHEDULE_GROUP": "outreach-timers",
        "TIMER_TARGET_ARN": bus_arn,
        "TIMER_ROLE_ARN": role_arn,
        "OUTREACH_CONFIG": config_json,
        "SENDER_FUNCTION_NAME": "outreach-sender",
    }
    lam = boto3.client("lambda", region_name=REGION)
    arns: dict[str, str] = {}
    code = _dummy_zip()
    for name, handler in FUNCTIONS.items():
        arns[name] = lam.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role_arn,
            Handler=handler,
            Code={"ZipFile": code},
            Timeout=30,
            MemorySize=256,
        )["FunctionArn"]
    sm_arn = boto3.client("stepfunctions", region_name=REGION).create_state_machine(
        name="outreach-order-timeline", definition=definition(arns), roleArn=role_arn, type="STANDARD"
    )["stateMachineArn"]
    env["STATE_MACHINE_ARN"] = sm_arn
    world = World(
        orders_table="outreach-orders",
        contacts_table="outreach-contacts",
        state_machine_arn=sm_arn,
        dead_letter_queue_url=dlq_url,
        ops_tap_queue_url=tap_url,
        ops_topic_arn=topic_arn,
        bus_arn=bus_arn,
        schedule_group="outreach-timers",
    )
    return world, env


def load_handlers() -> dict[str, Any]:
    import importlib

    out = {}
    for name, path in FUNCTIONS.items():
        module, _, attr = path.rpartition(".")
        out[name] = getattr(importlib.import_module(module), attr)
    return out


@contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Process environment for the run (the handlers run in-process); restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


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
