"""Event intake: validate an order event, hand it to its order's timeline, or dead-letter it with a reason.

An event is first stored in the order's inbox, then the execution's wait token (if it is parked) is
claimed and completed. An execution that is busy finds the event itself before it parks again
(services/waiter.py), so no event is lost between two waits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from outreach_lambda.domain.events import (
    CatalogRequested,
    FeedbackReceived,
    OrderPlaced,
    ProductionDelayed,
    TimerDue,
    UnknownDetailType,
    parse_detail,
)
from outreach_lambda.domain.model import InboundEvent, OrderState
from outreach_lambda.domain.rules import late_feedback
from outreach_lambda.observability import logger, metrics
from outreach_lambda.ports import Alerts, AsyncFunction, DeadLetters, Executions, OrdersStore
from outreach_lambda.services.timeline import timer_key
from outreach_lambda.settings import format_validation_error
from outreach_lambda.step_contract import CatalogSendRequest, IntakeResult, SendRequest, WakeRequest

FINISHED = ("cancelled", "complete")


@dataclass(frozen=True)
class Intake:
    orders: OrdersStore
    executions: Executions
    timeline: AsyncFunction
    dead_letters: DeadLetters
    sender: AsyncFunction
    alerts: Alerts

    def handle(self, raw: dict[str, Any], now: datetime) -> IntakeResult:
        try:
            detail_type = _field(raw, "detail-type")
            event_id = _field(raw, "id")
            event_time = datetime.fromisoformat(str(raw.get("time") or now.isoformat()).replace("Z", "+00:00"))
            detail = parse_detail(detail_type, raw.get("detail"))
        except UnknownDetailType as exc:
            return self._reject(raw, "UNKNOWN_DETAIL_TYPE", str(exc))
        except ValidationError as exc:
            return self._reject(raw, "INVALID_EVENT", f"detail.{format_validation_error(exc)}")
        except (KeyError, ValueError) as exc:
            return self._reject(raw, "INVALID_EVENT", str(exc).strip("'\""))

        inbound = InboundEvent(
            event_id=event_id, detail_type=detail_type, detail=raw["detail"], time=event_time, received_at=now
        )
        if isinstance(detail, CatalogRequested):
            return self._catalog(detail, inbound, now)
        if isinstance(detail, OrderPlaced):
            return self._place(detail, inbound, now)

        batch = isinstance(detail, ProductionDelayed) and not detail.order_id  # one sku, every open order of it
        if batch:
            assert isinstance(detail, ProductionDelayed) and detail.sku is not None
            order_ids = self.orders.orders_with_sku(detail.sku)
            if not order_ids:
                return self._reject(raw, "UNKNOWN_ORDER", f"detail.sku: no open order has sku {detail.sku!r}")
        else:
            order_ids = [detail.order_id]  # type: ignore[attr-defined]

        records = [(order_id, self.orders.get(order_id)) for order_id in order_ids]
        if batch:
            assert isinstance(detail, ProductionDelayed)
            # Known before any execution reports back, so the last one can report the batch to ops.
            open_orders = sum(1 for _, r in records if r is not None and r.run_status not in FINISHED)
            self.orders.open_batch(event_id, detail.sku or "", detail.reason, open_orders, now)
        delivered: list[str] = []
        for order_id, record in records:
            if record is None:
                return self._reject(raw, "UNKNOWN_ORDER", f"detail.orderId: unknown order {order_id!r}")
            if record.run_status in FINISHED:
                if isinstance(detail, FeedbackReceived) and record.state is not None:
                    self._late_feedback(record.state, detail, now)
                    delivered.append(order_id)
                    continue
                logger.info("event for a finished order ignored", extra=_ctx(inbound, order_id, record.run_status))
                metrics.add_metric(name="EventsIgnored", unit="Count", value=1)
                continue
            if isinstance(detail, TimerDue):
                self.orders.forget_fired_timer(order_id, timer_key(detail.due_at))
            if self.orders.put_inbox(order_id, inbound):
                self._wake(order_id, detail_type)
                delivered.append(order_id)
            else:
                logger.info("redelivered event ignored", extra=_ctx(inbound, order_id))
        metrics.add_metric(name="EventsAccepted", unit="Count", value=len(delivered))
        return IntakeResult(outcome="accepted" if delivered else "ignored", order_ids=delivered)

    def _place(self, placed: OrderPlaced, inbound: InboundEvent, now: datetime) -> IntakeResult:
        order_id = placed.order_id
        if not self.orders.register(order_id, inbound.event_id, [i.sku for i in placed.items], now):
            record = self.orders.get(order_id)
            if record is None or record.placed_event_id != inbound.event_id:
                logger.warning("duplicate Order Placed ignored", extra=_ctx(inbound, order_id))
                metrics.add_metric(name="DuplicateOrders", unit="Count", value=1)
                return IntakeResult(outcome="duplicate", order_ids=[order_id])
        # Stored before the execution starts: the execution records the order from its inbox, so no
        # customer data travels through Step Functions input or history.
        self.orders.put_inbox(order_id, inbound)
        self.executions.start(order_id)
        metrics.add_metric(name="OrdersPlaced", unit="Count", value=1)
        logger.info("order timeline started", extra=_ctx(inbound, order_id))
        return IntakeResult(outcome="accepted", order_ids=[order_id])

    def _catalog(self, request: CatalogRequested, inbound: InboundEvent, now: datetime) -> IntakeResult:
        if not self.orders.put_catalog_request(request, inbound.event_id, now):
            logger.info("duplicate catalog request ignored", extra={"requestId": request.request_id})
            return IntakeResult(outcome="duplicate")
        self.sender.invoke(CatalogSendRequest(request_id=request.request_id).to_payload())
        metrics.add_metric(name="CatalogRequests", unit="Count", value=1)
        return IntakeResult(outcome="accepted")

    def _late_feedback(self, state: OrderState, feedback: FeedbackReceived, now: datetime) -> None:
        contact, alerts = late_feedback(state, feedback, now)
        for alert in alerts:
            self.alerts.publish(alert.model_dump(mode="json", by_alias=True))
        if contact is not None:
            self.sender.invoke(SendRequest(order_id=state.order_id, contact=contact).to_payload())
        logger.info("feedback after the timeline served", extra={"orderId": state.order_id, "rating": feedback.rating})

    def _wake(self, order_id: str, reason: str) -> None:
        """Hand a parked execution's token to the timeline function, which advances the order and lets it go
        on. An execution that is busy has no stored token: it finds the event itself before it parks again."""
        token = self.orders.claim_token(order_id)
        if token is not None:
            self.timeline.invoke(WakeRequest(order_id=order_id, task_token=token, woken_by=reason).to_payload())

    def _reject(self, raw: Any, code: str, reason: str) -> IntakeResult:
        self.dead_letters.reject(raw, code, reason)
        logger.warning("event rejected", extra={"errorCode": code, "reason": reason, "eventId": _safe_id(raw)})
        metrics.add_metric(name="EventsRejected", unit="Count", value=1)
        return IntakeResult(outcome="rejected", reason=reason)


def _field(raw: dict[str, Any], name: str) -> str:
    value = raw.get(name)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name}: missing from the EventBridge event")
    return value


def _safe_id(raw: Any) -> Any:
    return raw.get("id") if isinstance(raw, dict) else None


def _ctx(event: InboundEvent, order_id: str, status: str | None = None) -> dict[str, Any]:
    ctx = {"orderId": order_id, "detailType": event.detail_type, "eventId": event.event_id}
    if status:
        ctx["runStatus"] = status
    return ctx
