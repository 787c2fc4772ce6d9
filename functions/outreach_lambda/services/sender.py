"""Send one contact on one channel, at most once, and record it in the contact ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from outreach_lambda.adapters.orders import catalog_pk, order_pk
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import contact_key
from outreach_lambda.domain.model import Channel, ContactKind, ContactOrder
from outreach_lambda.domain.rendering import Message, render, render_catalog_follow_up
from outreach_lambda.observability import logger, mask, metrics
from outreach_lambda.ports import Alerts, ContactLedger, Messenger, OrdersStore
from outreach_lambda.step_contract import SendResult


class NotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class _Owner:
    """Whose contact it is: an order's, or a catalog request's (a contact ledger partition)."""

    pk: str
    order_id: str | None = None
    request_id: str | None = None

    @property
    def ids(self) -> dict[str, str]:
        return {"orderId": self.order_id} if self.order_id else {"requestId": self.request_id or ""}


@dataclass(frozen=True)
class Sender:
    orders: OrdersStore
    ledger: ContactLedger
    messenger: Messenger
    alerts: Alerts
    config: OutreachConfig

    def send(self, order_id: str, contact: ContactOrder, now: datetime) -> SendResult:
        """An order's contact, rendered from the order's recorded state and promise ledger."""
        record = self.orders.get(order_id)
        if record is None or record.state is None:
            raise NotFound(f"orderId: no recorded state for order {order_id!r}")
        state = record.state
        result = SendResult(
            order_id=order_id, key=contact.key, kind=contact.kind, channel=contact.channel, status="sent"
        )
        if state.status == "cancelled" and contact.kind != "cancellation_confirmation":
            logger.warning("contact suppressed: order is cancelled", extra=result.to_payload())
            return result.model_copy(update={"status": "suppressed"})
        customer = state.order.customer
        to = customer.email if contact.channel == "email" else customer.phone
        if to is None:
            return result.model_copy(update={"status": "skipped", "reason": "no phone number"})
        message = render(state, contact, self.config)
        owner = _Owner(pk=order_pk(order_id), order_id=order_id)
        return self._deliver(owner, result, to, message, now, {"dueAt": contact.due_at.isoformat()})

    def send_catalog_follow_up(self, request_id: str, now: datetime) -> SendResult:
        request = self.orders.get_catalog_request(request_id)
        if request is None:
            raise NotFound(f"requestId: no recorded catalog request {request_id!r}")
        message = render_catalog_follow_up(request, self.config)
        kind: ContactKind = "catalog_follow_up"
        channel: Channel = "email"
        result = SendResult(
            request_id=request_id, key=contact_key(kind, channel), kind=kind, channel=channel, status="sent"
        )
        owner = _Owner(pk=catalog_pk(request_id), request_id=request_id)
        return self._deliver(owner, result, request.customer.email, message, now)

    def _deliver(
        self,
        owner: _Owner,
        result: SendResult,
        to: str,
        message: Message,
        now: datetime,
        recorded: dict[str, str] | None = None,
    ) -> SendResult:
        """Claim the ledger entry, send, record the outcome. A claimed contact is never sent again."""
        log = {**owner.ids, "key": result.key, "kind": result.kind, "channel": result.channel}
        fields: dict[str, Any] = {
            **owner.ids,
            **(recorded or {}),
            "kind": result.kind,
            "channel": result.channel,
            "to": to,
            "subject": message.subject,
            "at": now.isoformat(),
        }
        if message.promised_date is not None:
            fields["promisedDate"] = message.promised_date.isoformat()
        if not self.ledger.claim(owner.pk, result.key, fields):
            logger.info("contact already sent, not sending again", extra=log)
            return result.model_copy(update={"status": "duplicate"})
        try:
            message_id = self._send(result, owner, to, message)
        except (ClientError, BotoCoreError) as exc:
            # Not retried: the provider may have accepted it, and a contact is sent at most once.
            error = mask(str(exc))
            self.ledger.finish(owner.pk, result.key, "FAILED", {"error": error[:1000]})
            alert: dict[str, Any] = {
                "kind": "contact_failed",
                "at": now.isoformat(),
                "details": {**log, "error": error},
            }
            if owner.order_id:
                alert["orderId"] = owner.order_id
            self.alerts.publish(alert)
            metrics.add_metric(name="ContactsFailed", unit="Count", value=1)
            logger.error("contact failed", extra={**log, "to": mask(to), "error": error})
            return result.model_copy(update={"status": "failed"})
        self.ledger.finish(owner.pk, result.key, "SENT", {"messageId": message_id, "sentAt": now.isoformat()})
        metrics.add_metric(name="ContactsSent", unit="Count", value=1)
        logger.info("contact sent", extra={**log, "to": mask(to)})
        return result.model_copy(update={"message_id": message_id})

    def _send(self, result: SendResult, owner: _Owner, to: str, message: Message) -> str:
        if result.channel == "email":
            tags = {"kind": result.kind, "owner": owner.order_id or owner.request_id or ""}
            return self.messenger.send_email(to, message.subject, message.text, tags)
        return self.messenger.send_sms(to, message.sms)
