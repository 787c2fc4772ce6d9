"""The Outreach stack: validates its context, then wires one construct per concern together."""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import CfnOutput, Stack
from constructs import Construct
from outreach_lambda.domain.config import OutreachConfig
from pydantic import ValidationError

from infra.constructs import CustomerActions, Messaging, Monitoring, OrderEvents, Storage, Workflow
from infra.constructs.workflow import WorkflowResources

CONFIG_CONTEXT_KEY = "outreach:config"
SENDER_EMAIL_CONTEXT_KEY = "outreach:senderEmail"


class ContextError(ValueError):
    """A CDK context value (cdk.json or ``-c``) is missing or invalid; the message names the key and field."""


def load_config(scope: Construct) -> OutreachConfig:
    """``outreach:config`` from the context (an object, or JSON text when given with ``-c``), validated."""
    raw: Any = scope.node.try_get_context(CONFIG_CONTEXT_KEY)
    if raw is None or raw == "":
        raw = {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ContextError(f"context '{CONFIG_CONTEXT_KEY}' is not valid JSON: {exc}") from exc
    try:
        return OutreachConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()
        )
        raise ContextError(f"context '{CONFIG_CONTEXT_KEY}' is invalid: {problems}") from exc


def load_sender_email(scope: Construct) -> str:
    value = scope.node.try_get_context(SENDER_EMAIL_CONTEXT_KEY)
    if not isinstance(value, str) or value.count("@") != 1 or value.startswith("@") or value.endswith("@"):
        raise ContextError(
            f"context '{SENDER_EMAIL_CONTEXT_KEY}' must be the e-mail address customer mail is sent from, got {value!r}"
        )
    return value


class OutreachStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        config = load_config(self)
        sender_email = load_sender_email(self)

        storage = Storage(self, "Storage")
        messaging = Messaging(self, "Messaging", sender_email=sender_email)
        order_events = OrderEvents(self, "Events")
        actions = CustomerActions(self, "Actions")
        workflow = Workflow(
            self,
            "Workflow",
            resources=WorkflowResources(
                orders_table=storage.orders_table,
                contacts_table=storage.contacts_table,
                ops_topic=messaging.ops_topic,
                sender_identity=messaging.sender_identity,
                sender_email=sender_email,
                bus=order_events.bus,
                dead_letter_queue=order_events.dead_letter_queue,
                config=config,
                link_key_secret=actions.link_key_secret,
                actions_base_url=actions.url,
            ),
        )
        order_events.route_to_intake(workflow.intake)
        actions.route_to(workflow.actions)
        Monitoring(
            self,
            "Monitoring",
            ops_topic=messaging.ops_topic,
            dead_letter_queue=order_events.dead_letter_queue,
            state_machine=workflow.state_machine,
            functions=workflow.functions,
        )

        outputs = {
            "EventBusName": order_events.bus.event_bus_name,
            "StateMachineArn": workflow.state_machine.state_machine_arn,
            "IntakeFunctionName": workflow.intake.function_name,
            "SenderFunctionName": workflow.sender.function_name,
            "OpsTopicArn": messaging.ops_topic.topic_arn,
            "DeadLetterQueueUrl": order_events.dead_letter_queue.queue_url,
            "OrdersTableName": storage.orders_table.table_name,
            "ContactsTableName": storage.contacts_table.table_name,
            "ActionsUrl": actions.url,
            "LinkKeySecretArn": actions.link_key_secret.secret_arn,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
