"""Send one contact on one channel, at most once, and record it in the contact ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from botocore.exceptions import BotoCoreError, ClientError

from outreach_lambda.adapters.aws import error_code
from outreach_lambda.adapters.conversations import message_pk
from outreach_lambda.adapters.orders import catalog_pk, order_pk
from outreach_lambda.adapters.send_errors import Classified, MessageRefused, SendFault, classify
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import contact_key, retry_at
from outreach_lambda.domain.events import CustomerMessageReceived, FeedbackReceived
from outreach_lambda.domain.links import ActionLinks
from outreach_lambda.domain.model import Channel, ContactKind, ContactOrder, OrderState
from outreach_lambda.domain.opt_outs import opt_out_applies
from outreach_lambda.domain.rendering import (
    Message,
    render,
    render_catalog_contact,
    render_message_acknowledgement,
)
from outreach_lambda.domain.rules import record_feedback
from outreach_lambda.domain.stages import may_send, stage
from outreach_lambda.observability import count_by, logger, mask, metrics
from outreach_lambda.ports import (
    Alerts,
    ContactLedger,
    Conversations,
    LedgerStatus,
    Messenger,
    OptOuts,
    OrdersStore,
    SuppressionList,
)
from outreach_lambda.services.reconciler import runbook
from outreach_lambda.step_contract import FeedbackNote, SendResult


class NotFound(RuntimeError):
    pass


@dataclass(frozen=True)
class _Owner:
    """Whose contact it is: an order's, a catalog request's, or a customer message's (a ledger partition)."""

    pk: str
    order_id: str | None = None
    request_id: str | None = None
    conversation_id: str | None = None

    @property
    def ids(self) -> dict[str, str]:
        if self.order_id:
            return {"orderId": self.order_id}
        if self.request_id:
            return {"requestId": self.request_id}
        return {"conversationId": self.conversation_id or ""}


@dataclass(frozen=True)
class Sender:
    orders: OrdersStore
    ledger: ContactLedger
    messenger: Messenger
    alerts: Alerts
    config: OutreachConfig
    #: The shop's opt-out list (``optedOutStillGet`` says which kinds an opted-out customer still gets).
    opt_outs: OptOuts
    suppression: SuppressionList
    #: Signs the one-click links a message carries (None: messages carry no links).
    links: ActionLinks | None = None
    #: Customer messages and who has ordered.
    conversations: Conversations | None = None

    def send(
        self,
        order_id: str,
        contact: ContactOrder,
        now: datetime,
        redrive: bool = False,
        feedback: FeedbackNote | None = None,
    ) -> SendResult:
        """An order's contact outside its timeline's step (late feedback, a redrive), from its recorded state."""
        record = self.orders.get(order_id)
        if record is None or record.state is None:
            raise NotFound(f"orderId: no recorded state for order {order_id!r}")
        state = record.state
        answers: dict[str, Any] = {}
        if feedback is not None:
            state = state.model_copy(deep=True)
            received = FeedbackReceived.model_validate(
                {"orderId": order_id, "rating": feedback.rating, "comment": feedback.comment}
            )
            record_feedback(state, received, self.config)
            # Kept with the contact, so a redrive or resend answers the same feedback (not a generic "thanks").
            answers = {
                "feedbackRating": feedback.rating,
                **({"feedbackComment": feedback.comment} if feedback.comment else {}),
            }
        return self.deliver(state, contact, now, redrive, answers)

    def deliver(
        self,
        state: OrderState,
        contact: ContactOrder,
        now: datetime,
        redrive: bool = False,
        recorded: dict[str, Any] | None = None,
    ) -> SendResult:
        """An order's contact, rendered from the order's state and promise ledger as they are now."""
        order_id = state.order_id
        result = SendResult(
            order_id=order_id, key=contact.key, kind=contact.kind, channel=contact.channel, status="sent"
        )
        if not may_send(contact.kind, state):
            # Cancelled, or moved past where this contact makes sense (a late retry or redrive).
            logger.warning("contact suppressed: the order's stage contradicts it", extra=result.to_payload())
            return result.model_copy(update={"status": "suppressed", "reason": f"order is {stage(state)}"})
        customer = state.order.customer
        to = customer.email if contact.channel == "email" else customer.phone
        if to is None:
            return result.model_copy(update={"status": "skipped", "reason": "no phone number"})
        links = (
            self.links.for_message(contact.kind, order_id, now, lang=customer.locale)
            if self.links is not None and contact.channel == "email"
            else None
        )
        owner = _Owner(pk=order_pk(order_id), order_id=order_id)
        # A delay notice cites the promise the customer really heard last (the ledger's SENT contacts), never one
        # of a notice that was superseded, skipped, parked or failed before it went out.
        told = self.ledger.sent_promises(owner.pk) if contact.kind == "delay_notice" else None
        message = render(state, contact, self.config, links, told)
        fields = {"dueAt": contact.due_at.isoformat(), **(recorded or {})}
        return self._deliver(owner, result, to, message, now, redrive, fields)

    def send_catalog_follow_up(
        self,
        request_id: str,
        now: datetime,
        redrive: bool = False,
        kind: Literal["catalog_follow_up", "design_advice_offer"] = "catalog_follow_up",
    ) -> SendResult:
        """A catalog request's follow-up, or its one design-advice offer (not to a customer who has ordered
        meanwhile; one who opted out is skipped by ``_unwanted``, like every marketing-type contact)."""
        request = self.orders.get_catalog_request(request_id)
        if request is None:
            raise NotFound(f"requestId: no recorded catalog request {request_id!r}")
        channel: Channel = "email"
        email = request.customer.email
        links = (
            self.links.for_message(kind, request_id, now, scope="catalog", lang=request.customer.locale)
            if self.links is not None
            else None
        )
        result = SendResult(
            request_id=request_id, key=contact_key(kind, channel), kind=kind, channel=channel, status="sent"
        )
        if kind == "design_advice_offer" and self.conversations is not None and self.conversations.has_ordered(email):
            logger.info("no design advice offer: the customer has ordered", extra={"requestId": request_id})
            return result.model_copy(update={"status": "skipped", "reason": "ordered"})
        message = render_catalog_contact(request, self.config, links, kind)
        owner = _Owner(pk=catalog_pk(request_id), request_id=request_id)
        return self._deliver(owner, result, request.customer.email, message, now, redrive)

    def send_message_acknowledgement(self, message_id: str, now: datetime, redrive: bool = False) -> SendResult:
        """ "We have your message, a person answers by ...": once per customer message, by e-mail."""
        if self.conversations is None:
            raise NotFound("messageId: this sender keeps no conversations")
        recorded = self.conversations.get(message_id)
        if recorded is None:
            raise NotFound(f"messageId: no recorded customer message {message_id!r}")
        kind: ContactKind = "message_acknowledgement"
        channel: Channel = "email"
        result = SendResult(
            conversation_id=message_id, key=contact_key(kind, channel), kind=kind, channel=channel, status="sent"
        )
        to = recorded.get("to")
        if not to:
            return result.model_copy(update={"status": "skipped", "reason": "no e-mail address"})
        message: CustomerMessageReceived = recorded["message"]
        if message.order_id is not None:
            order = self.orders.get(message.order_id)
            if order is not None and order.state is not None and not may_send(kind, order.state):
                # Cancelled meanwhile (a late or retried invocation, a redrive): ops answer by hand.
                logger.info("no acknowledgement: the order's stage rules it out", extra={"messageId": message_id})
                return result.model_copy(update={"status": "suppressed", "reason": f"order is {stage(order.state)}"})
        zone = ZoneInfo(str(recorded.get("timezone") or self.config.business_hours.timezone))
        text = render_message_acknowledgement(
            str(recorded.get("name") or "customer").split()[0],
            message,
            datetime.fromisoformat(str(recorded["answerBy"])),
            zone,
            self.config,
            str(recorded.get("locale") or "") or None,
        )
        owner = _Owner(pk=message_pk(message_id), order_id=message.order_id, conversation_id=message_id)
        if message.order_id is None and message.request_id is not None:
            owner = _Owner(pk=message_pk(message_id), request_id=message.request_id, conversation_id=message_id)
        return self._deliver(owner, result, str(to), text, now, redrive, {"conversationId": message_id})

    def _deliver(
        self,
        owner: _Owner,
        result: SendResult,
        to: str,
        message: Message,
        now: datetime,
        redrive: bool,
        recorded: dict[str, Any] | None = None,
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
        # A retry may be claimed again; a parked contact only when redriven, once its cause is fixed.
        again = frozenset({LedgerStatus.RETRY.value, *([LedgerStatus.PARKED.value] if redrive else [])})
        attempt = self.ledger.claim(owner.pk, result.key, fields, again, now)
        if attempt is None:
            logger.info("contact already sent, not sending again", extra=log)
            return result.model_copy(update={"status": "duplicate"})
        try:
            skip = self._unwanted(result.kind, result.channel, to)
        except (ClientError, BotoCoreError) as exc:
            # The opt-out list could not be read: nothing has gone out, so the contact is retried like a
            # throttled send (never left SENDING for the reconciler to call "unconfirmed").
            code = (error_code(exc) if isinstance(exc, ClientError) else None) or type(exc).__name__
            unread = Classified(SendFault.TRANSIENT, code, f"opt-out list not readable: {code}")
            return self._not_sent(owner, result, unread, attempt, now, {**log, "to": mask(to)})
        if skip is not None:
            self.ledger.finish(
                owner.pk, result.key, LedgerStatus.SKIPPED, {"reason": skip, "skippedAt": now.isoformat()}
            )
            metrics.add_metric(name="ContactsSkipped", unit="Count", value=1)
            logger.info("contact skipped", extra={**log, "reason": skip})  # never the address
            return result.model_copy(update={"status": "skipped", "reason": skip})
        try:
            message_id = self._send(result, owner, to, message)
        except (ClientError, BotoCoreError, MessageRefused) as exc:  # MessageRefused: built before any request
            return self._not_sent(owner, result, classify(exc), attempt, now, {**log, "to": mask(to)})
        self.ledger.finish(
            owner.pk, result.key, LedgerStatus.SENT, {"messageId": message_id, "sentAt": now.isoformat()}
        )
        metrics.add_metric(name="ContactsSent", unit="Count", value=1)
        count_by("ContactsSentByKind", kind=result.kind, channel=result.channel)
        logger.info("contact sent", extra={**log, "to": mask(to), "attempt": attempt})
        return result.model_copy(update={"message_id": message_id})

    def _unwanted(self, kind: ContactKind, channel: Channel, to: str) -> str | None:
        """Why the recipient must not get this contact (``opted_out``, ``suppressed``), or None.

        The own opt-out list spares a customer every kind but those the configuration says they cannot do
        without (``optedOutStillGet``), on both channels. The SES account suppression list holds e-mail
        addresses that bounced or complained: SES would drop the mail anyway, so when the list cannot be read
        the e-mail goes (fail open) and SES still keeps it from the address."""
        if opt_out_applies(kind, self.config) and self.opt_outs.contains(to):
            return "opted_out"
        if channel != "email":
            return None
        try:
            return "suppressed" if self.suppression.suppressed(to) else None
        except (ClientError, BotoCoreError) as exc:
            logger.warning("SES suppression list not readable, sending", extra={"error": type(exc).__name__})
            return None

    def _not_sent(
        self, owner: _Owner, result: SendResult, fault: Classified, attempt: int, now: datetime, log: dict[str, Any]
    ) -> SendResult:
        """What a failed send becomes (see adapters/send_errors.py): retried, failed, parked or unconfirmed."""
        error = mask(fault.reason)[:1000]
        recorded = {"error": error, "errorCode": fault.code, "failedAt": now.isoformat()}
        if fault.fault is SendFault.TRANSIENT:
            again_at = retry_at(result.key, attempt, now)
            if again_at is not None:
                self.ledger.finish(
                    owner.pk, result.key, LedgerStatus.RETRY, {**recorded, "retryAt": again_at.isoformat()}
                )
                metrics.add_metric(name="ContactsRetried", unit="Count", value=1)
                logger.warning("contact not accepted, retried later", extra={**log, **recorded, "attempt": attempt})
                return result.model_copy(update={"status": "retry", "retry_at": again_at, "reason": fault.code})
            cause = f"{fault.code}, still after {attempt} attempts"
            return self._park(owner, result, cause, recorded, now, log)
        if fault.fault is SendFault.ACCOUNT:
            return self._park(owner, result, fault.code, recorded, now, log)
        status, kind, outcome = (
            (LedgerStatus.FAILED, "contact_failed", "failed")
            if fault.fault is SendFault.RECIPIENT
            else (LedgerStatus.UNCONFIRMED, "contact_unconfirmed", "unconfirmed")
        )
        self.ledger.finish(owner.pk, result.key, status, recorded)
        details = {**log, "errorCode": fault.code, "error": error}
        if status is LedgerStatus.UNCONFIRMED:
            details["action"] = runbook(
                {**owner.ids, "sk": result.key, "channel": result.channel, "at": now.isoformat()}
            )
        self._alert(kind, owner, now, details)
        metrics.add_metric(
            name="ContactsFailed" if outcome == "failed" else "ContactsUnconfirmed", unit="Count", value=1
        )
        logger.error(f"contact {outcome}", extra={**log, **recorded})
        return result.model_copy(update={"status": outcome, "reason": fault.code})

    def _park(
        self,
        owner: _Owner,
        result: SendResult,
        cause: str,
        recorded: dict[str, str],
        now: datetime,
        log: dict[str, Any],
    ) -> SendResult:
        """Nothing can be sent until the cause is fixed: keep the contact for a redrive; ops hear once per cause."""
        self.ledger.finish(owner.pk, result.key, LedgerStatus.PARKED, {**recorded, "parkedCause": cause})
        if self.ledger.first_parked(cause, now):
            self._alert("contact_parked", owner, now, {**log, "cause": cause, "error": recorded["error"]})
        metrics.add_metric(name="ContactsParked", unit="Count", value=1)
        logger.error("contact parked", extra={**log, **recorded, "cause": cause})
        return result.model_copy(update={"status": "parked", "reason": cause})

    def _alert(self, kind: str, owner: _Owner, now: datetime, details: dict[str, Any]) -> None:
        alert: dict[str, Any] = {"kind": kind, "at": now.isoformat(), "details": details}
        if owner.order_id:
            alert["orderId"] = owner.order_id
        self.alerts.publish(alert)

    def _send(self, result: SendResult, owner: _Owner, to: str, message: Message) -> str:
        if result.channel == "email":
            tags = {"kind": result.kind, "owner": owner.order_id or owner.request_id or owner.conversation_id or ""}
            return self.messenger.send_email(to, message, tags)
        return self.messenger.send_sms(to, message.sms)
