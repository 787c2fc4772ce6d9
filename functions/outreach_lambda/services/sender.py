"""Send one contact on one channel, at most once, and record it in the contact ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from outreach_lambda.adapters import messaging
from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.adapters.orders import OrdersRepository, catalog_pk, order_pk
from outreach_lambda.domain.rendering import Message, render, render_catalog_follow_up
from outreach_lambda.domain.timeline import ContactOrder
from outreach_lambda.observability import logger, mask, metrics
from outreach_lambda.settings import Settings


class NotFound(RuntimeError):
    pass


def send(order_id: str, contact: ContactOrder, now: datetime, settings: Settings) -> dict[str, Any]:
    """An order's contact, rendered from the order's recorded state and promise ledger."""
    record = OrdersRepository(settings.orders_table).get(order_id)
    if record is None or record.state is None:
        raise NotFound(f"orderId: no recorded state for order {order_id!r}")
    state = record.state
    result = {"orderId": order_id, "key": contact.key, "kind": contact.kind, "channel": contact.channel}
    if state.status == "cancelled" and contact.kind != "cancellation_confirmation":
        logger.warning("contact suppressed: order is cancelled", extra=result)
        return {**result, "status": "suppressed"}
    customer = state.order.customer
    to = customer.email if contact.channel == "email" else customer.phone
    if to is None:
        return {**result, "status": "skipped", "reason": "no phone number"}
    message = render(state, contact, settings.config)
    fields = {"orderId": order_id, "dueAt": contact.due_at.isoformat()}
    return _deliver(order_pk(order_id), contact.key, contact.kind, contact.channel, to, message, fields, now, settings)


def send_catalog_follow_up(request_id: str, now: datetime, settings: Settings) -> dict[str, Any]:
    request = OrdersRepository(settings.orders_table).get_catalog_request(request_id)
    if request is None:
        raise NotFound(f"requestId: no recorded catalog request {request_id!r}")
    message = render_catalog_follow_up(request, settings.config)
    kind = "catalog_follow_up"
    fields = {"requestId": request_id}
    return _deliver(
        catalog_pk(request_id), f"{kind}#email", kind, "email", request.customer.email, message, fields, now, settings
    )


def _deliver(
    pk: str,
    key: str,
    kind: str,
    channel: str,
    to: str,
    message: Message,
    owner: dict[str, str],
    now: datetime,
    settings: Settings,
) -> dict[str, Any]:
    """Claim the ledger entry, send, record the outcome. A claimed contact is never sent again."""
    ledger = ContactLedger(settings.contacts_table)
    result: dict[str, Any] = {**owner, "key": key, "kind": kind, "channel": channel}
    result.pop("dueAt", None)
    fields: dict[str, Any] = {**owner, "kind": kind, "channel": channel, "to": to, "subject": message.subject}
    fields["at"] = now.isoformat()
    if message.promised_date is not None:
        fields["promisedDate"] = message.promised_date.isoformat()
    if not ledger.claim(pk, key, fields):
        logger.info("contact already sent, not sending again", extra=result)
        return {**result, "status": "duplicate"}
    owner_id = owner.get("orderId") or owner.get("requestId") or ""
    try:
        if channel == "email":
            tags = {"kind": kind, "owner": owner_id}
            message_id = messaging.send_email(settings.sender_email, to, message.subject, message.text, tags)
        else:
            message_id = messaging.send_sms(to, message.sms)
    except (ClientError, BotoCoreError) as exc:
        # Not retried: the provider may have accepted it, and a contact is sent at most once.
        error = mask(str(exc))
        ledger.finish(pk, key, "FAILED", {"error": error[:1000]})
        alert = {"kind": "contact_failed", "at": now.isoformat(), "details": {**result, "error": error}}
        if "orderId" in owner:
            alert["orderId"] = owner["orderId"]
        messaging.publish_alert(settings.ops_topic_arn, alert)
        metrics.add_metric(name="ContactsFailed", unit="Count", value=1)
        logger.error("contact failed", extra={**result, "to": mask(to), "error": error})
        return {**result, "status": "failed"}
    ledger.finish(pk, key, "SENT", {"messageId": message_id, "sentAt": now.isoformat()})
    metrics.add_metric(name="ContactsSent", unit="Count", value=1)
    logger.info("contact sent", extra={**result, "to": mask(to)})
    return {**result, "status": "sent", "messageId": message_id}
