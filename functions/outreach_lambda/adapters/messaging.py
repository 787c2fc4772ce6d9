"""Outbound messages: e-mail through SES v2, SMS and ops alerts through SNS."""

from __future__ import annotations

import json
from typing import Any

from outreach_lambda.adapters.aws import client


def send_email(sender: str, to: str, subject: str, text: str, tags: dict[str, str]) -> str:
    response = client("sesv2").send_email(
        FromEmailAddress=sender,
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": subject}, "Body": {"Text": {"Data": text}}}},
        EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
    )
    return str(response["MessageId"])


def send_sms(phone: str, text: str) -> str:
    response = client("sns").publish(
        PhoneNumber=phone,
        Message=text,
        MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
    )
    return str(response["MessageId"])


def publish_alert(topic_arn: str, alert: dict[str, Any]) -> None:
    """Structured JSON on the ops topic; never carries customer contact data."""
    client("sns").publish(
        TopicArn=topic_arn,
        Subject=f"Outreach ops alert: {alert['kind']}"[:99],
        Message=json.dumps(alert, default=str, sort_keys=True),
        MessageAttributes={"kind": {"DataType": "String", "StringValue": str(alert["kind"])}},
    )


def _tag_value(value: str) -> str:
    # SES tag values allow letters, digits, '_', '-', '.', '@' only.
    return "".join(c if c.isalnum() or c in "_-.@" else "_" for c in value)[:256]


def invoke_sender(function_name: str, payload: dict[str, Any]) -> None:
    """Hand a contact outside a running timeline to the sender Lambda (asynchronous: retried by Lambda)."""
    client("lambda").invoke(FunctionName=function_name, InvocationType="Event", Payload=json.dumps(payload).encode())
