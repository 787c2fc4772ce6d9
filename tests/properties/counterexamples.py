"""Pinned counterexamples: one short story per class of failure the soak found on today's code (issue 8).

Each is a hand-tidied version of the stream hypothesis shrank a failure to, run as an explicit example
(``@pinned``) by every property test at both levels: today they make the known failures fail on every run
(whatever else the generated examples hit), and once the order-stage rules land they are regression tests.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import example

from tests.properties.strategies import DAY, HOUR, PHONE, OrderFacts, Stream, StreamEvent

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _stream(
    *events: tuple[int, str, dict[str, Any]],
    zone: str = "UTC",
    sms: bool = False,
    production_days: int = 1,
    transit_days: int = 0,
) -> Stream:
    """Order SO-1, placed at ``START``, then ``events`` as (minutes after START, detail-type, detail)."""
    customer: dict[str, Any] = {"name": "Ada Lovelace", "email": "ada@example.com", "timezone": zone}
    if sms:
        customer |= {"phone": PHONE, "channels": ["email", "sms"]}
    placed = {
        "orderId": "SO-1",
        "placedAt": START.astimezone(ZoneInfo(zone)).isoformat(),
        "customer": customer,
        "items": [{"sku": "SOFA-OSLO-3", "description": "Oslo sofa", "quantity": 1}],
        "productionDays": production_days,
        "transitDays": transit_days,
        "shippingAddress": {"line1": "12 Harbour Street", "city": "Hamburg", "postalCode": "20457", "country": "DE"},
    }
    stream = [StreamEvent(0, "Order Placed", placed, "SO-1-placed", "SO-1")]
    for n, (minute, detail_type, detail) in enumerate(events, start=1):
        stream.append(StreamEvent(minute, detail_type, {"orderId": "SO-1", **detail}, f"SO-1-{n}", "SO-1"))
    channels = ("email", "sms") if sms else ("email",)
    return Stream(START, tuple(stream), {"SO-1": OrderFacts("SO-1", zone, channels, "SOFA-OSLO-3")})


SHIP = {"carrier": "DHL Freight", "trackingNumber": "JJD0001"}
LOS_ANGELES = "America/Los_Angeles"  # START is 01:00 there: whatever is timer-driven waits for 09:00

PINNED: dict[str, Stream] = {
    # Promise 14 days; no news; silence breaks it on day 8 (new date: day 22), and again on day 16.
    "silence_notifies_once": _stream(transit_days=7),
    # Shipped at 21:00 (the SMS waits for 09:00), delivered at 22:00: "on its way" the morning after.
    "nothing_contradicted_by_delivery": _stream(
        (12 * HOUR, "Order Shipped", SHIP), (13 * HOUR, "Order Delivered", {}), sms=True
    ),
    # Completed at 01:00 local (the production_update waits for 09:00), shipped at 01:30.
    "no_production_update_after_shipment": _stream(
        (0, "Production Completed", {}), (30, "Order Shipped", SHIP), zone=LOS_ANGELES
    ),
    # Shipped at once; the Production Completed arrives a week later, without completedAt.
    "no_production_replanning_after_shipment": _stream(
        (30, "Order Shipped", SHIP), (7 * DAY + 15 * HOUR, "Production Completed", {})
    ),
    # Two delays at 02:00 and 03:00 local, both breaking the promise: both SMS at 09:00, same date.
    "once_per_order_kind_and_channel": _stream(
        (HOUR, "Production Delayed", {"estimatedCompletion": (START + timedelta(days=6)).isoformat()}),
        (2 * HOUR, "Production Delayed", {"estimatedCompletion": (START + timedelta(days=13)).isoformat()}),
        zone=LOS_ANGELES,
        sms=True,
        transit_days=2,
    ),
}

Test = Callable[..., Any]


def pinned(test: Test) -> Test:
    """Every pinned counterexample as an explicit example of a property test (place it under ``@given``)."""
    for stream in PINNED.values():
        test = example(stream=stream)(test)
    return test
