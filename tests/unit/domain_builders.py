"""Builders for the pure domain tests: camelCase event details as on the wire, and a tiny order driver.

The driver plays the part of the state machine: it feeds events to ``advance``, keeps the returned state,
and (in ``run_until``) wakes the timeline at the ``wakeAt`` instants it asks for. No AWS, no clock, no sleep.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import Alert, ContactOrder, Decision, InboundEvent, OrderState
from outreach_lambda.domain.timeline import advance


def at(iso: str) -> datetime:
    """An aware instant from ISO 8601 text ('Z' or an offset)."""
    value = datetime.fromisoformat(iso)
    assert value.tzinfo is not None, f"test instants must be aware: {iso}"
    return value


def placed_detail(
    *,
    order_id: str = "SO-1",
    placed_at: str = "2026-11-02T09:00:00Z",
    timezone: str | None = "UTC",
    production_days: int = 14,
    transit_days: int | None = 7,
    channels: list[str] | None = None,
    phone: str | None = None,
    name: str = "Ada Lovelace",
    line2: str | None = None,
) -> dict[str, Any]:
    customer: dict[str, Any] = {"name": name, "email": "ada@example.com", "locale": "en-GB"}
    if timezone is not None:
        customer["timezone"] = timezone
    if channels is not None:
        customer["channels"] = channels
    if phone is not None:
        customer["phone"] = phone
    address: dict[str, Any] = {"line1": "Hauptstrasse 1", "city": "Berlin", "postalCode": "10115", "country": "DE"}
    if line2 is not None:
        address["line2"] = line2
    detail: dict[str, Any] = {
        "orderId": order_id,
        "placedAt": placed_at,
        "customer": customer,
        "items": [{"sku": "SOFA-3S-VELVET", "description": "Three-seat sofa, green velvet", "quantity": 1}],
        "productionDays": production_days,
        "shippingAddress": address,
    }
    if transit_days is not None:
        detail["transitDays"] = transit_days
    return detail


_ids = itertools.count(1)


def inbound(detail_type: str, detail: dict[str, Any], when: datetime) -> InboundEvent:
    return InboundEvent.model_validate(
        {
            "eventId": f"evt-{next(_ids)}",
            "detailType": detail_type,
            "detail": detail,
            "time": when.isoformat(),
            "receivedAt": when.isoformat(),
        }
    )


class OrderRun:
    """One order's timeline, stepped by hand. ``sent`` records (instant, contact) for every issued contact."""

    def __init__(self, config: OutreachConfig) -> None:
        self.config = config
        self.state: OrderState | None = None
        self.last: Decision | None = None
        self.sent: list[tuple[datetime, ContactOrder]] = []
        self.alerts: list[Alert] = []

    def step(self, events: list[InboundEvent], now: datetime) -> Decision:
        decision = advance(self.state, events, now, self.config)
        self.state = decision.state
        self.last = decision
        self.sent.extend((now, contact) for contact in decision.contacts)
        self.alerts.extend(decision.alerts)
        return decision

    def feed(self, detail_type: str, detail: dict[str, Any], when: datetime) -> Decision:
        """An event that happened at ``when`` and is processed at that same instant.

        Like the state machine, the order first wakes at every timer it asked for before ``when``.
        """
        self.run_until(when)
        return self.step([inbound(detail_type, detail, when)], when)

    def place(self, **kwargs: Any) -> Decision:
        detail = placed_detail(**kwargs)
        return self.feed("Order Placed", detail, at(detail["placedAt"]))

    def tick(self, now: datetime) -> Decision:
        return self.step([], now)

    def run_until(self, until: datetime) -> None:
        """Wake the timeline at every instant it asks for, up to and including ``until``."""
        for _ in range(100):
            wake = self.last.wake_at if self.last else None
            if wake is None or wake > until:
                return
            self.tick(wake)
        raise AssertionError("the timeline kept asking to be woken up (more than 100 wake-ups)")

    def kinds_sent(self) -> list[str]:
        return [contact.kind for _, contact in self.sent]

    def sent_at(self, kind: str, channel: str = "email") -> list[datetime]:
        return [now for now, c in self.sent if c.kind == kind and c.channel == channel]


def shipped(estimated_delivery: str | None = None) -> dict:
    detail = {
        "orderId": "SO-1",
        "carrier": "DHL Freight",
        "trackingNumber": "JJD0099887766",
        "trackingUrl": "https://track.example/JJD0099887766",
    }
    if estimated_delivery:
        detail["estimatedDelivery"] = estimated_delivery
    return detail
