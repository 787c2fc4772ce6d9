"""One step of an order's timeline: apply the inbox, persist atomically, return what to send now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.timeline import advance
from outreach_lambda.observability import logger, metrics
from outreach_lambda.ports import Alerts, OrdersStore, SendSlots
from outreach_lambda.step_contract import TimelineResult


class OrderNotRegistered(RuntimeError):
    pass


@dataclass(frozen=True)
class Timeline:
    orders: OrdersStore
    alerts: Alerts
    slots: SendSlots
    config: OutreachConfig

    def step(self, order_id: str, now: datetime) -> TimelineResult:
        record = self.orders.get(order_id)
        if record is None:
            raise OrderNotRegistered(f"orderId: order {order_id!r} has no STATE item")
        inbox = self.orders.inbox(order_id)
        decision = advance(
            record.state, [event for _, event in inbox], now, self.config, lambda _: self.slots.reserve(now)
        )
        self.orders.save_step(record, decision, [sk for sk, _ in inbox])
        for event_id, told in decision.batch_outcomes.items():
            self._count_batch_outcome(event_id, told, now)
        if decision.first_slip:
            metrics.add_metric(name="OrdersSlipped", unit="Count", value=1)

        for note in decision.notes:
            logger.info(note, extra={"orderId": order_id})
        for alert in decision.alerts:
            self.alerts.publish(alert.model_dump(mode="json", by_alias=True))
            metrics.add_metric(name=f"Alert_{alert.kind}", unit="Count", value=1)
        if decision.new_quotes and record.state is not None:
            metrics.add_metric(name="PromisesBroken", unit="Count", value=len(decision.new_quotes))
        if decision.run_status != "running" and decision.state is not None:
            self.orders.release_skus(order_id, [i.sku for i in decision.state.order.items])
        result = TimelineResult(
            order_id=order_id, status=decision.run_status, contacts=decision.contacts, wake_at=decision.wake_at
        )
        logger.info(
            "timeline step",
            extra={
                "orderId": order_id,
                "events": [e.detail_type for _, e in inbox],
                "contacts": [c.key for c in result.contacts],
                "wakeAt": result.wake_at.isoformat() if result.wake_at else None,
                "runStatus": result.status,
            },
        )
        return result

    def _count_batch_outcome(self, event_id: str, told: bool, now: datetime) -> None:
        """Count one order's outcome of a sku batch delay; the last one reports the batch to ops, once."""
        summary = self.orders.count_batch_outcome(event_id, told)
        if summary is None:
            return
        self.alerts.publish({"kind": "batch_delay", "at": now.isoformat(), "details": summary})
        metrics.add_metric(name="Alert_batch_delay", unit="Count", value=1)
