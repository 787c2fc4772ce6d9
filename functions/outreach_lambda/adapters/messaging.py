"""Outbound messages: customer e-mail through SES v2 and SMS through SNS, ops alerts through SNS, and the
hand-over of work to another function (a contact to the sender, a claimed order to the timeline)."""

from __future__ import annotations

import json
from typing import Any

from outreach_lambda.adapters.aws import client


class CustomerChannels:
    """E-mail from the verified sender identity; SMS straight to the customer's phone number."""

    def __init__(self, sender_email: str, configuration_set: str, reply_to: str) -> None:
        self._sender = sender_email
        # Every e-mail goes with the configuration set (bounces, complaints, deliveries reach CloudWatch).
        self._options = {"ConfigurationSetName": configuration_set, "ReplyToAddresses": [reply_to]}

    def send_email(self, to: str, subject: str, text: str, tags: dict[str, str]) -> str:
        response = client("sesv2").send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
            EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
            **self._options,  # type: ignore[arg-type]
        )
        return str(response["MessageId"])

    def send_sms(self, phone: str, text: str) -> str:
        response = client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(response["MessageId"])


class SnsAlerts:
    """Structured JSON on the ops topic; never carries customer contact data."""

    def __init__(self, topic_arn: str) -> None:
        self._topic_arn = topic_arn

    def publish(self, alert: dict[str, Any]) -> None:
        client("sns").publish(
            TopicArn=self._topic_arn,
            Subject=f"Outreach ops alert: {alert['kind']}"[:99],
            Message=json.dumps(alert, default=str, sort_keys=True),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": str(alert["kind"])}},
        )


class AsyncInvoke:
    """Invokes another function of the app asynchronously (Lambda retries it, then its on-failure handling)."""

    def __init__(self, function_name: str) -> None:
        self._function_name = function_name

    def invoke(self, payload: dict[str, Any]) -> None:
        client("lambda").invoke(
            FunctionName=self._function_name, InvocationType="Event", Payload=json.dumps(payload).encode()
        )


def _tag_value(value: str) -> str:
    # SES tag values allow letters, digits, '_', '-', '.', '@' only.
    return "".join(c if c.isalnum() or c in "_-.@" else "_" for c in value)[:256]
