"""Send one contact on one channel, at most once, and record it in the contact ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from outreach_lambda.adapters import messaging
from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.adapters.orders import OrdersRepository, order_pk
from outreach_lambda.domain.rendering import render
from outreach_lambda.domain.timeline import ContactOrder
from outreach_lambda.observability import logger, mask, metrics
from outreach_lambda.settings import Settings


class OrderNotFound(RuntimeError):
    pass


def send(order_id: str, contact: ContactOrder, now: datetime, settings: Settings) -> dict[str, Any]:
    record = OrdersRepository(settings.orders_table).get(order_id)
    if record is None or record.state is None:
        raise OrderNotFound(f"orderId: no recorded state for order {order_id!r}")
    state = record.state
    result = {"orderId": order_id, "key": contact.key, "kind": contact.kind, "channel": contact.channel}
    if state.status == "cancelled" and contact.kind != "cancellation_confirmation":
        logger.warning("contact suppressed: order is cancelled", extra=result)
        return {**result, "status": "suppressed"}

    customer = state.order.customer
    message = render(state, contact, settings.config)
    to = customer.email if contact.channel == "email" else customer.phone
    if to is None:
        return {**result, "status": "skipped", "reason": "no phone number"}
    ledger = ContactLedger(settings.contacts_table)
    pk = order_pk(order_id)
    fields = {
        "orderId": order_id,
        "kind": contact.kind,
        "channel": contact.channel,
        "to": to,
        "subject": message.subject,
        "dueAt": contact.due_at.isoformat(),
        "at": now.isoformat(),
    }
    if message.promised_date is not None:
        fields["promisedDate"] = message.promised_date.isoformat()
    if not ledger.claim(pk, contact.key, fields):
        logger.info("contact already sent, not sending again", extra=result)
        return {**result, "status": "duplicate"}
    try:
        if contact.channel == "email":
            message_id = messaging.send_email(
                settings.sender_email,
                to,
                message.subject,
                message.text,
                tags={"kind": contact.kind, "orderId": order_id},
            )
        else:
            message_id = messaging.send_sms(to, message.sms)
    except (ClientError, BotoCoreError) as exc:
        # Not retried: the provider may have accepted it, and a contact is sent at most once.
        error = str(exc)
        ledger.finish(pk, contact.key, "FAILED", {"error": error[:1000]})
        messaging.publish_alert(
            settings.ops_topic_arn,
            {
                "kind": "contact_failed",
                "orderId": order_id,
                "at": now.isoformat(),
                "details": {**result, "error": error},
            },
        )
        metrics.add_metric(name="ContactsFailed", unit="Count", value=1)
        logger.error("contact failed", extra={**result, "to": mask(to), "error": mask(error)})
        return {**result, "status": "failed"}
    ledger.finish(pk, contact.key, "SENT", {"messageId": message_id, "sentAt": now.isoformat()})
    metrics.add_metric(name="ContactsSent", unit="Count", value=1)
    logger.info("contact sent", extra={**result, "to": mask(to)})
    return {**result, "status": "sent", "messageId": message_id}
