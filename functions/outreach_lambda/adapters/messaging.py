"""Outbound messages: customer e-mail through SES v2 and SMS through SNS, ops alerts through SNS, and the
hand-over of work to another function (a contact to the sender, a claimed order to the timeline)."""

from __future__ import annotations

import json
from typing import Any

from outreach_lambda.adapters.aws import client, error_code
from outreach_lambda.domain.rendering import Message


class CustomerChannels:
    """E-mail from the verified sender identity; SMS straight to the customer's phone number."""

    def __init__(self, sender_email: str, configuration_set: str, reply_to: str) -> None:
        self._sender = sender_email
        # Every e-mail goes with the configuration set (bounces, complaints, deliveries reach CloudWatch).
        self._configuration_set = configuration_set
        # The stage's reply-to (deployment config), unless the shop's branding names its own.
        self._reply_to = reply_to

    def send_email(self, to: str, message: Message, tags: dict[str, str]) -> str:
        # A Raw message carries its own headers: Reply-To is written into it, not passed as ReplyToAddresses.
        raw = mime(self._sender, to, message, default_reply_to=self._reply_to)
        response = client("sesv2").send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": raw}},
            EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
            ConfigurationSetName=self._configuration_set,
        )
        return str(response["MessageId"])

    def send_sms(self, phone: str, text: str) -> str:
        response = client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(response["MessageId"])


class SesSuppressionList:
    """The SES account-level suppression list: ``GetSuppressedDestination``; NotFoundException = not on it.

    One extra SES call per e-mail send. SES itself drops mail to a suppressed address (it accepts the request
    and reports a bounce), so asking first only makes the ledger true (SKIPPED, ``suppressed``) instead of SENT.
    """

    def suppressed(self, email: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            client("sesv2").get_suppressed_destination(EmailAddress=email)
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                return False
            raise
        return True


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


def mime(sender: str, to: str, message: Message, default_reply_to: str | None = None) -> bytes:
    """The e-mail as the customer's mail client receives it: multipart/alternative (plain text, then HTML),
    the shop's name on the sender, Reply-To, Content-Language, and on non-transactional messages
    List-Unsubscribe (plus RFC 8058 one-click List-Unsubscribe-Post when an https link is among them).

    Sent as SES v2 ``Raw`` content. ``Content.Simple.Headers`` exists in botocore 1.44's model, but moto 5.2.5
    drops headers of Simple messages and keeps only the HTML body, so a simulation could not show what a
    customer gets; a Raw message is kept whole, headers and both parts. The standard library's ``email`` package does
    the encoding (RFC 2047 subjects, quoted-printable bodies, 78-character header folding).
    """
    from email.headerregistry import Address
    from email.message import EmailMessage
    from email.policy import SMTP

    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = message.subject
    mail["From"] = Address(display_name=message.from_name or "", addr_spec=sender)
    mail["To"] = to
    if message.reply_to or default_reply_to:
        mail["Reply-To"] = message.reply_to or default_reply_to
    if message.non_transactional:
        links = message.list_unsubscribe or (f"mailto:{sender}?subject=unsubscribe",)
        mail["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links)
        if message.one_click:
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    mail["Content-Language"] = message.locale  # after the body: set_content() clears Content-* headers
    return mail.as_bytes()


def _tag_value(value: str) -> str:
    # SES tag values allow letters, digits, '_', '-', '.', '@' only.
    return "".join(c if c.isalnum() or c in "_-.@" else "_" for c in value)[:256]
