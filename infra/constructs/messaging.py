"""Outbound channels: the SNS ops alert topic with its subscribers, the SES identity customer e-mail is sent
from, and the SES configuration set that reports every bounce, complaint, rejection and delivery."""

from __future__ import annotations

from aws_cdk import Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.deploy_config import DeploymentConfig

#: The tag that marks the ops topic: the only topic the functions' SMS permission lets them publish to
#: (``Workflow._grant_permission``: a Deny on every other topic ARN, by ``aws:ResourceTag``).
OPS_TOPIC_TAG = ("outreach:topic", "ops")
#: SES events published to CloudWatch through the configuration set (namespace AWS/SES).
SES_EVENTS = (
    ses.EmailSendingEvent.SEND,
    ses.EmailSendingEvent.DELIVERY,
    ses.EmailSendingEvent.BOUNCE,
    ses.EmailSendingEvent.COMPLAINT,
    ses.EmailSendingEvent.REJECT,
)
#: The CloudWatch dimension of those metrics: SES's own auto-tag naming the configuration set.
SES_DIMENSION = "ses:configuration-set"


class Messaging(Construct):
    """Ops alerts (structured JSON on an SNS topic) and the verified sender address for customer e-mail.

    The topic is encrypted with a customer managed key because CloudWatch alarms cannot publish to a topic
    encrypted with the AWS managed ``alias/aws/sns`` key; the key policy lets CloudWatch (this account only)
    use it. Publishers get key access through ``topic.grant_publish``. The stage's ops subscribers (e-mail
    addresses confirm once by a link SNS sends them; SMS numbers need no confirmation) are subscribed here.
    """

    def __init__(self, scope: Construct, construct_id: str, *, deployment: DeploymentConfig) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        self.ops_key = kms.Key(
            self,
            "OpsTopicKey",
            description="Encrypts the Outreach ops alert topic",
            enable_key_rotation=True,
        )
        self.ops_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AllowCloudWatchAlarmsToPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            )
        )
        self.ops_topic = sns.Topic(
            self,
            "OpsTopic",
            display_name="Outreach ops alerts",
            enforce_ssl=True,
            master_key=self.ops_key,
        )
        Tags.of(self.ops_topic).add(*OPS_TOPIC_TAG)
        for address in deployment.ops_subscribers.email:
            self.ops_topic.add_subscription(subscriptions.EmailSubscription(address))
        for phone in deployment.ops_subscribers.sms:
            self.ops_topic.add_subscription(subscriptions.SmsSubscription(phone))

        self.sender_email = deployment.sender_email
        self.configuration_set = ses.ConfigurationSet(
            self,
            "SendingEvents",
            configuration_set_name=f"{stack.stack_name}-customer-mail",
            reputation_metrics=True,
            sending_enabled=True,
        )
        self.configuration_set.add_event_destination(
            "CloudWatch",
            destination=ses.EventDestination.cloud_watch_dimensions(
                [
                    ses.CloudWatchDimension(
                        name=SES_DIMENSION,
                        source=ses.CloudWatchDimensionSource.MESSAGE_TAG,
                        default_value=f"{stack.stack_name}-customer-mail",
                    )
                ]
            ),
            events=list(SES_EVENTS),
        )
        self.sender_identity = ses.EmailIdentity(
            self,
            "SenderIdentity",
            identity=ses.Identity.email(deployment.sender_email),
            configuration_set=self.configuration_set,
        )
