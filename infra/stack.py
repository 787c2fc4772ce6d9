"""The Outreach stack of one stage: wires one construct per concern together from the deployment config."""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constructs import CustomerActions, EventContract, Messaging, Monitoring, OrderEvents, Storage, Workflow
from infra.constructs.workflow import WorkflowResources
from infra.deploy_config import DeploymentConfig, Stage

#: CloudWatch Logs retention periods in days (the ones a deployment config may ask for, rounded up to).
RETENTIONS = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    90: logs.RetentionDays.THREE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    731: logs.RetentionDays.TWO_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}


def log_retention(days: int) -> logs.RetentionDays:
    """The shortest CloudWatch Logs retention that keeps logs at least ``days`` days."""
    return RETENTIONS[min(d for d in RETENTIONS if d >= days)]


class OutreachStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, deployment: DeploymentConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.deployment = deployment
        prod = deployment.stage is Stage.PROD
        # prod keeps what it cannot get back (the promises made, the contacts sent, the logs); dev cleans up.
        removal = RemovalPolicy.RETAIN if prod else RemovalPolicy.DESTROY
        retention = log_retention(deployment.log_retention_days)

        storage = Storage(self, "Storage", removal_policy=removal)
        messaging = Messaging(self, "Messaging", deployment=deployment)
        order_events = OrderEvents(self, "Events", archive_retention=Duration.days(deployment.archive_retention_days))
        actions = CustomerActions(self, "Actions", log_retention=retention, log_removal_policy=removal)
        workflow = Workflow(
            self,
            "Workflow",
            resources=WorkflowResources(
                orders_table=storage.orders_table,
                contacts_table=storage.contacts_table,
                ops_topic=messaging.ops_topic,
                sender_identity=messaging.sender_identity,
                sender_email=deployment.sender_email,
                reply_to=deployment.reply_to_address,
                configuration_set=messaging.configuration_set,
                bus=order_events.bus,
                dead_letter_queue=order_events.dead_letter_queue,
                config=deployment.shop,
                log_retention=retention,
                log_removal_policy=removal,
                powertools_layer_version=deployment.powertools_layer_version,
                link_key_secret=actions.link_key_secret,
                actions_base_url=actions.url,
            ),
        )
        order_events.route_to_intake(workflow.intake)
        actions.route_to(workflow.actions)
        EventContract(self, "EventContract")
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            ops_topic=messaging.ops_topic,
            dead_letter_queue=order_events.dead_letter_queue,
            state_machine=workflow.state_machine,
            functions=workflow.functions,
            configuration_set_name=messaging.configuration_set.configuration_set_name,
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
            "DashboardName": self.monitoring.dashboard_name,
        }
        for name, value in outputs.items():
            CfnOutput(self, name, value=value)
