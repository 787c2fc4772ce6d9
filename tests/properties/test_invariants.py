"""The judges judged: each invariant flags the complaint it is named after, and accepts the right behaviour.

Hand-written streams and outcomes (no implementation involved), so these tests say what the invariants
mean and keep passing whatever the timeline does.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.properties.invariants import (
    LedgerQuote,
    Outcome,
    Rejection,
    SentContact,
    dates_are_ledger_dates,
    decent_hours_and_event_instants,
    no_production_replanning_after_shipment,
    no_production_update_after_shipment,
    nothing_contradicted_by_delivery,
    once_per_order_kind_and_channel,
    rejections_listed_with_reason,
    silence_notifies_once,
    silent_after_cancellation,
)
from tests.properties.strategies import HOUR, OrderFacts, Stream, StreamEvent

START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
DAY = 24 * HOUR


def at(minute: int) -> datetime:
    return START + timedelta(minutes=minute)


def ev(minute: int, detail_type: str, hostile: str | None = None, order_id: str = "SO-1", **detail: object):
    return StreamEvent(
        minute, detail_type, {"orderId": order_id, **detail}, f"{detail_type}@{minute}", order_id, hostile
    )


def stream(*events: StreamEvent, zone: str = "Europe/Berlin") -> Stream:
    placed = ev(0, "Order Placed")
    return Stream(START, (placed, *events), {"SO-1": OrderFacts("SO-1", zone, ("email", "sms"), "SOFA-OSLO-3")})


def sent(minute: int, kind: str, channel: str = "email", promised: str | None = None, order: str = "SO-1"):
    return SentContact(at(minute), order, kind, channel, date.fromisoformat(promised) if promised else None)


def outcome(*contacts: SentContact, quotes: tuple[tuple[int, str], ...] = ((0, "2026-11-30"),), rejected=()):
    ledger = [LedgerQuote(at(m), date.fromisoformat(d), "test") for m, d in quotes]
    return Outcome(
        contacts=[sent(0, "order_confirmation", promised="2026-11-30"), *contacts],
        quotes={"SO-1": ledger},
        rejected=list(rejected),
    )


SHIPPED = ev(10 * DAY, "Order Shipped", carrier="DHL", trackingNumber="J1")
DELIVERED = ev(14 * DAY, "Order Delivered")
CASES = [
    # (invariant, stream, outcome, flagged?)
    (
        once_per_order_kind_and_channel,
        stream(SHIPPED),
        outcome(sent(10 * DAY, "shipped"), sent(11 * DAY, "shipped")),
        True,
    ),
    (
        once_per_order_kind_and_channel,
        stream(),
        outcome(sent(DAY, "delay_notice", "sms", "2026-12-07"), sent(DAY, "delay_notice", "sms", "2026-12-07")),
        True,
    ),
    (
        once_per_order_kind_and_channel,
        stream(),
        outcome(sent(DAY, "delay_notice", promised="2026-12-07"), sent(2 * DAY, "delay_notice", promised="2026-12-14")),
        False,
    ),
    (silent_after_cancellation, stream(ev(DAY, "Order Cancelled")), outcome(sent(2 * DAY, "production_update")), True),
    (
        silent_after_cancellation,
        stream(ev(DAY - 3 * HOUR, "Order Cancelled")),  # 07:00 in Berlin: the SMS waits for 09:00
        outcome(
            sent(DAY - 3 * HOUR, "cancellation_confirmation"), sent(DAY - HOUR, "cancellation_confirmation", "sms")
        ),
        False,
    ),
    (silent_after_cancellation, stream(), outcome(sent(DAY, "shipped", order="SO-404")), True),
    (nothing_contradicted_by_delivery, stream(SHIPPED, DELIVERED), outcome(sent(14 * DAY + 1, "shipped", "sms")), True),
    (
        nothing_contradicted_by_delivery,
        stream(DELIVERED, ev(15 * DAY, "Order Shipped", carrier="DHL", trackingNumber="J1")),
        outcome(quotes=((0, "2026-11-30"), (15 * DAY, "2026-12-07"))),
        True,
    ),
    (
        nothing_contradicted_by_delivery,
        stream(SHIPPED, DELIVERED),
        outcome(sent(17 * DAY, "satisfaction_check")),
        False,
    ),
    (no_production_update_after_shipment, stream(SHIPPED), outcome(sent(10 * DAY + 1, "production_update")), True),
    (no_production_update_after_shipment, stream(SHIPPED), outcome(sent(7 * DAY, "production_update")), False),
    (
        no_production_replanning_after_shipment,
        stream(SHIPPED, ev(12 * DAY, "Production Completed")),
        outcome(
            sent(12 * DAY, "delay_notice", promised="2026-12-07"), quotes=((0, "2026-11-30"), (12 * DAY, "2026-12-07"))
        ),
        True,
    ),
    (
        no_production_replanning_after_shipment,  # the carrier's estimate, at the shipment; its SMS in the morning
        stream(SHIPPED),
        outcome(
            sent(10 * DAY, "delay_notice", promised="2026-12-07"),
            sent(10 * DAY + 23 * HOUR, "delay_notice", "sms", "2026-12-07"),
            quotes=((0, "2026-11-30"), (10 * DAY, "2026-12-07")),
        ),
        False,
    ),
    (
        silence_notifies_once,
        stream(),
        outcome(
            sent(20 * DAY, "delay_notice", promised="2026-12-07"), sent(28 * DAY, "delay_notice", promised="2026-12-14")
        ),
        True,
    ),
    (
        silence_notifies_once,  # silence, then real news, then silence again: once per silence
        stream(ev(21 * DAY, "Production Delayed", estimatedCompletion="2026-12-01")),
        outcome(
            sent(20 * DAY, "delay_notice", promised="2026-12-07"), sent(35 * DAY, "delay_notice", promised="2026-12-14")
        ),
        False,
    ),
    (
        dates_are_ledger_dates,
        stream(SHIPPED),
        outcome(sent(10 * DAY, "shipped", promised="2026-11-30"), quotes=((0, "2026-11-30"), (DAY, "2026-12-07"))),
        True,
    ),
    (
        dates_are_ledger_dates,  # re-quoted at the same instant: either date of that instant
        stream(ev(DAY, "Production Delayed", estimatedCompletion="2026-12-01")),
        outcome(sent(DAY, "delay_notice", promised="2026-12-07"), quotes=((0, "2026-11-30"), (DAY, "2026-12-07"))),
        False,
    ),
    (
        decent_hours_and_event_instants,
        stream(SHIPPED, DELIVERED),
        outcome(sent(17 * DAY + 12 * HOUR, "satisfaction_check")),
        True,
    ),
    (decent_hours_and_event_instants, stream(SHIPPED), outcome(sent(10 * DAY + 5, "shipped")), True),
    (decent_hours_and_event_instants, stream(), outcome(sent(12 * HOUR, "order_confirmation", "sms")), True),
    (decent_hours_and_event_instants, stream(), outcome(sent(23 * HOUR, "order_confirmation", "sms")), False),
    (
        rejections_listed_with_reason,
        stream(ev(DAY, "Feedback Received", hostile="rating out of range", rating=9)),
        outcome(),
        True,
    ),
    (
        rejections_listed_with_reason,
        stream(ev(DAY, "Feedback Received", hostile="rating out of range", rating=9)),
        outcome(rejected=[Rejection(at(DAY), "Feedback Received", "SO-1", "rejected")]),
        True,
    ),
    (
        rejections_listed_with_reason,
        stream(SHIPPED),
        outcome(rejected=[Rejection(at(10 * DAY), "Order Shipped", "SO-1", "detail.orderId: unknown order")]),
        True,
    ),
    (
        rejections_listed_with_reason,
        stream(ev(DAY, "Feedback Received", hostile="rating out of range", rating=9)),
        outcome(rejected=[Rejection(at(DAY), "Feedback Received", "SO-1", "detail.rating: Input should be <= 5")]),
        False,
    ),
]


@pytest.mark.parametrize(
    ("invariant", "given", "seen", "flagged"),
    CASES,
    ids=[f"{case[0].__name__}-{i}-{'flags' if case[3] else 'accepts'}" for i, case in enumerate(CASES)],
)
def test_each_invariant_flags_its_complaint_and_accepts_the_right_behaviour(invariant, given, seen, flagged):
    found = invariant(given, seen)
    assert bool(found) == flagged, found
