"""Park an order's execution until its next contact is due or an order event arrives.

The race between "an event arrives" and "the execution parks" is closed by ordering: intake stores the
event *then* claims the token; the waiter stores the token *then* looks at the inbox. Whichever side
claims the token (a conditional delete) completes it, so exactly one wakes the execution, and an event
stored while the execution was busy is always seen by one of the two.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from outreach_lambda.observability import logger
from outreach_lambda.ports import OrdersStore, TaskTokens, Timers


def timer_key(due_at: datetime) -> str:
    """How an armed timer's time is recorded on the order (and matched when it fires)."""
    return due_at.astimezone(UTC).isoformat()


@dataclass(frozen=True)
class Waiter:
    orders: OrdersStore
    timers: Timers
    tokens: TaskTokens

    def park(self, order_id: str, token: str, wake_at: datetime | None, now: datetime) -> Literal["woken", "parked"]:
        record = self.orders.get(order_id)
        due_now = wake_at is not None and wake_at <= now
        wanted = timer_key(wake_at) if wake_at is not None and not due_now else None
        if record is not None and record.timer_due_at != wanted:
            if record.timer_name:
                self.timers.disarm(record.timer_name)
            name = self.timers.arm(order_id, wake_at) if wake_at is not None and wanted is not None else None
            self.orders.set_timer(order_id, name, wanted)

        self.orders.store_token(order_id, token)
        something_to_do = due_now or bool(self.orders.inbox(order_id, limit=1))
        if something_to_do and self.orders.claim_token(order_id, expected=token) is not None:
            self.tokens.wake(token, "due now" if due_now else "events waiting")
            logger.info("woken at once", extra={"orderId": order_id, "dueNow": due_now})
            return "woken"
        logger.info("parked", extra={"orderId": order_id, "wakeAt": wanted})
        return "parked"
