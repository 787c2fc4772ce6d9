"""One step of an order's timeline: apply the inbox, persist atomically, return what to send now."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_lambda.adapters import messaging
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.adapters.send_rate import SendRateLimiter
from outreach_lambda.domain.timeline import advance
from outreach_lambda.observability import logger, metrics
from outreach_lambda.settings import Settings


class OrderNotRegistered(RuntimeError):
    pass


def step(order_id: str, now: datetime, settings: Settings) -> dict[str, Any]:
    orders = OrdersRepository(settings.orders_table)
    record = orders.get(order_id)
    if record is None:
        raise OrderNotRegistered(f"orderId: order {order_id!r} has no STATE item")
    inbox = orders.inbox(order_id)
    limiter = SendRateLimiter(settings.orders_table, settings.config.ses_send_rate)
    decision = advance(
        record.state, [event for _, event in inbox], now, settings.config, lambda _: limiter.reserve(now)
    )
    orders.save_step(record, decision.state, decision.run_status, decision.new_quotes, [sk for sk, _ in inbox])
    for event_id, told in decision.batch_outcomes.items():
        _count_batch_outcome(orders, settings, event_id, told, now)
    if decision.first_slip:
        metrics.add_metric(name="OrdersSlipped", unit="Count", value=1)

    for note in decision.notes:
        logger.info(note, extra={"orderId": order_id})
    for alert in decision.alerts:
        messaging.publish_alert(settings.ops_topic_arn, alert.model_dump(mode="json", by_alias=True))
        metrics.add_metric(name=f"Alert_{alert.kind}", unit="Count", value=1)
    if decision.new_quotes and record.state is not None:
        metrics.add_metric(name="PromisesBroken", unit="Count", value=len(decision.new_quotes))
    if decision.run_status != "running" and decision.state is not None:
        orders.release_skus(order_id, [i.sku for i in decision.state.order.items])
    logger.info(
        "timeline step",
        extra={
            "orderId": order_id,
            "events": [e.detail_type for _, e in inbox],
            "contacts": [c.key for c in decision.contacts],
            "wakeAt": decision.wake_at.isoformat() if decision.wake_at else None,
            "runStatus": decision.run_status,
        },
    )
    return {
        "orderId": order_id,
        "status": decision.run_status,
        "contacts": [c.model_dump(mode="json", by_alias=True) for c in decision.contacts],
        "wakeAt": decision.wake_at.isoformat() if decision.wake_at else None,
    }


def _count_batch_outcome(
    orders: OrdersRepository, settings: Settings, event_id: str, told: bool, now: datetime
) -> None:
    """Count one order's outcome of a sku batch delay; the last one reports the batch to ops, once."""
    summary = orders.count_batch_outcome(event_id, told)
    if summary is None:
        return
    messaging.publish_alert(settings.ops_topic_arn, {"kind": "batch_delay", "at": now.isoformat(), "details": summary})
    metrics.add_metric(name="Alert_batch_delay", unit="Count", value=1)
