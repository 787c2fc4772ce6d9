"""Outbound channels: the SNS ops alert topic and the SES identity customer e-mail is sent from."""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from constructs import Construct


class Messaging(Construct):
    """Ops alerts (structured JSON on an SNS topic) and the verified sender address for customer e-mail.

    The topic is encrypted with a customer managed key because CloudWatch alarms cannot publish to a topic
    encrypted with the AWS managed ``alias/aws/sns`` key; the key policy lets CloudWatch (this account only)
    use it. Publishers get key access through ``topic.grant_publish``.
    """

    def __init__(self, scope: Construct, construct_id: str, *, sender_email: str) -> None:
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

        self.sender_email = sender_email
        self.sender_identity = ses.EmailIdentity(self, "SenderIdentity", identity=ses.Identity.email(sender_email))
