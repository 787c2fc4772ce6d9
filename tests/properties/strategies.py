"""Hypothesis strategies: realistic, messy order-event streams for 1-4 made-to-order purchases.

A generated ``Stream`` is what the shop's systems would put on the bus over a few weeks: each order's story
(placed -> production news -> completed -> shipped -> delivered -> feedback, or silence, or a cancellation at
any point) plus the noise real producers add: redeliveries (the same event id again, later), events that
arrive late and out of stage order (Delivered before Shipped, Completed after Shipped, with ``completedAt`` /
``deliveredAt`` in the past), sku-wide delays, and a few hostile events (an unknown order, malformed details,
an unknown detail-type) that must be rejected with a reason, never crash anything.

Times are whole minutes after ``start``; every non-hostile detail is valid for today's event models
(``functions/outreach_lambda/domain/events.py``). Hypothesis shrinks toward fewer orders, fewer events, no
lags, UTC and e-mail only, so a counterexample reads like a short story (``Stream.__repr__``).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

MINUTE = 1
HOUR = 60 * MINUTE
DAY = 24 * HOUR

# The first of each list is what hypothesis shrinks to.
ZONES = ("UTC", "Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland")
SKUS = ("SOFA-OSLO-3", "SOFA-BERGEN-2")
FATES = ("silent", "completed", "shipped", "delivered", "delivered", "delivered")
# Starts around the year's DST changes (Europe: 29 Mar / 25 Oct, US: 8 Mar / 1 Nov, NZ: 5 Apr / 27 Sep 2026).
STARTS = (
    datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 20, 12, 0, tzinfo=UTC),
    datetime(2026, 9, 20, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 20, 18, 30, tzinfo=UTC),
)
TAIL = 21 * DAY  # how long the run goes on after the last event: satisfaction checks, silence timers
PHONE = "+4915112345678"
UNKNOWN_ORDER = "SO-404"
UNKNOWN_SKU = "SOFA-NOBODY-ORDERED"


@dataclass(frozen=True)
class OrderFacts:
    """What the stream says about one order's customer: enough to judge times in the customer's zone."""

    order_id: str
    timezone: str
    channels: tuple[str, ...]
    sku: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class StreamEvent:
    """One delivery of an event on the bus. ``hostile`` says why it must be rejected (None: it is valid)."""

    minute: int
    detail_type: str
    detail: dict[str, Any]
    event_id: str
    order_id: str | None
    hostile: str | None = None
    redelivery: bool = False
    late_by: int = 0  # minutes the event arrives after the fact it reports (a late fact)

    def at(self, start: datetime) -> datetime:
        return start + timedelta(minutes=self.minute)


@dataclass(frozen=True)
class Stream:
    start: datetime
    events: tuple[StreamEvent, ...]  # in delivery order (time, then generation order)
    orders: dict[str, OrderFacts] = field(default_factory=dict)

    @property
    def until(self) -> datetime:
        last = max((e.minute for e in self.events), default=0)
        return self.start + timedelta(minutes=last + TAIL)

    def at(self, event: StreamEvent) -> datetime:
        return event.at(self.start)

    def to_scenario(self, name: str = "property") -> dict[str, Any]:
        """The stream as an ``outreach simulate`` scenario (absolute instants, explicit event ids)."""
        return {
            "name": name,
            "start": _z(self.start),
            "until": _z(self.until),
            "config": {},
            "events": [
                {"at": _z(self.at(e)), "id": e.event_id, "detailType": e.detail_type, "detail": e.detail}
                for e in self.events
            ],
        }

    def key(self) -> str:
        """A stable identity of the stream (for caching outcomes between tests of different invariants)."""
        return json.dumps(self.to_scenario(), sort_keys=True)

    def only(self, order_ids: set[str]) -> Stream:
        """The stream as seen by these orders: their events, plus those about no order of the stream (sku
        delays, hostile events). For reading a counterexample, not for replaying it."""
        keep = tuple(e for e in self.events if e.order_id in order_ids or e.order_id not in self.orders)
        return Stream(self.start, keep, {oid: o for oid, o in self.orders.items() if oid in order_ids})

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a falsifying example: the readable story below."""
        printer.text(repr(self))

    def __repr__(self) -> str:
        lines = [f"Stream(start={_z(self.start)}, until=+{_offset((self.until - self.start) // timedelta(minutes=1))})"]
        for o in self.orders.values():
            lines.append(f"  order {o.order_id}: zone {o.timezone}, channels {'+'.join(o.channels)}, sku {o.sku}")
        for e in self.events:
            lines.append("  " + describe(e, self.start, self.orders))
        return "\n".join(lines)


def describe(e: StreamEvent, start: datetime, orders: dict[str, OrderFacts] | None = None) -> str:
    """One event as a line: offset, UTC instant, customer-local time, type, id and the interesting fields."""
    at = e.at(start)
    facts = (orders or {}).get(e.order_id or "")
    local = f" ({at.astimezone(facts.zone):%a %d %b %H:%M} local)" if facts and facts.timezone != "UTC" else ""
    detail = {k: v for k, v in e.detail.items() if k not in ("customer", "items", "shippingAddress", "orderId")}
    tags = []
    if e.redelivery:
        tags.append("REDELIVERY")
    if e.late_by:
        tags.append(f"late by {_offset(e.late_by)}")
    if e.hostile:
        tags.append(f"HOSTILE: {e.hostile}")
    tag = f"  [{'; '.join(tags)}]" if tags else ""
    return (
        f"+{_offset(e.minute):>10} {_z(at)}{local}  {e.detail_type:<20} {e.order_id or '-':<6} "
        f"id={e.event_id}  {json.dumps(detail, separators=(',', ':'))}{tag}"
    )


def _offset(minutes: int) -> str:
    days, rest = divmod(minutes, DAY)
    return f"{days}d{rest // HOUR:02d}:{rest % HOUR:02d}"


def _z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _local_iso(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).isoformat()


# -- strategies ------------------------------------------------------------------------------------------
# Strategies are built once (module constants, or cached by their bounds): hypothesis validates each new
# strategy object, which costs more than drawing from it.
_BOOLS = st.booleans()
# How late an event arrives after the fact it reports: usually on time, sometimes hours to 10 days.
_LAG = st.one_of(st.just(0), st.integers(HOUR, 10 * DAY))
# None: delivered once; else minutes until EventBridge delivers the same event (same id) again.
_REDELIVERY = st.one_of(st.none(), st.integers(1, 7 * DAY))
_ZONES = st.sampled_from(ZONES)
_SKUS = st.sampled_from(SKUS)
_FATES = st.sampled_from(FATES)
_STARTS = st.sampled_from(STARTS)


@dataclass
class _Builder:
    start: datetime
    events: list[StreamEvent] = field(default_factory=list)

    def add(self, event: StreamEvent, again: int | None = None) -> None:
        """The event, and its redelivery ``again`` minutes later (same id, same detail) unless None."""
        self.events.append(event)
        if again is not None:
            self.events.append(replace(event, minute=event.minute + again, redelivery=True))

    def instant(self, minute: int) -> datetime:
        return self.start + timedelta(minutes=minute)


def _estimate(instant: datetime, zone: ZoneInfo, as_date: bool) -> str:
    """An estimate as producers send it: a bare local date, or an instant with the customer's offset."""
    return instant.astimezone(zone).date().isoformat() if as_date else _local_iso(instant, zone)


# Each part of a story is drawn as one value (a span hypothesis can delete whole while shrinking).
@functools.cache
def _delay(production_days: int, first: bool) -> st.SearchStrategy[tuple[Any, ...]]:
    """(minutes after the sale or the previous delay, estimated completion: days and minute after the sale, as
    a date?, with a reason?, redelivery). A second delay comes hours (a correction) to days after the first."""
    return st.tuples(
        st.integers(HOUR, (production_days + 10) * DAY if first else 10 * DAY),
        st.integers(max(production_days - 3, 0), production_days + 30),
        st.integers(0, DAY - 1),
        _BOOLS,
        _BOOLS,
        _REDELIVERY,
    )


@functools.cache
def _completion(production_days: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """(minutes after the sale, reported by a Production Completed?, lag, with completedAt?, redelivery)."""
    done = st.integers(max(production_days - 5, 0) * DAY, (production_days + 30) * DAY)
    return st.tuples(done, _BOOLS, _LAG, _BOOLS, _REDELIVERY)


@functools.cache
def _shipment(transit_days: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """(minutes after completion, carrier's estimate in minutes after shipping or None, as a date?, lag, redelivery)."""
    eta = st.one_of(st.none(), st.integers(0, (transit_days + 14) * DAY))
    return st.tuples(st.integers(30, 5 * DAY), eta, _BOOLS, _LAG, _REDELIVERY)


@functools.cache
def _delivery(transit_days: int) -> st.SearchStrategy[tuple[Any, ...]]:
    """(minutes after shipping, with deliveredAt?, lag, redelivery)."""
    return st.tuples(st.integers(HOUR, (transit_days + 7) * DAY + 12 * HOUR), _BOOLS, _LAG, _REDELIVERY)


_DELAY_COUNT = st.integers(0, 2)
_FEEDBACK = st.one_of(st.none(), st.tuples(st.integers(1, 5), st.integers(HOUR, 20 * DAY), _REDELIVERY))
_CANCEL = st.one_of(st.none(), st.tuples(st.integers(1, 50 * DAY), _REDELIVERY))
_CUSTOMER = st.tuples(
    _ZONES, _BOOLS, _SKUS, st.integers(1, 40), st.integers(0, 14), st.integers(0, 3 * DAY), _REDELIVERY
)


def order_story(draw: Callable[[st.SearchStrategy[Any]], Any], b: _Builder, index: int) -> OrderFacts:
    """One order's events, added to the builder; returns the order's customer facts."""
    oid = f"SO-{index}"
    timezone, sms, sku, production_days, transit_days, p0, again = draw(_CUSTOMER)
    zone = ZoneInfo(timezone)
    channels = ("email", "sms") if sms else ("email",)
    customer: dict[str, Any] = {"name": f"Customer {index}", "email": f"customer{index}@example.com"}
    customer["timezone"] = timezone
    if sms:
        customer["phone"] = PHONE
        customer["channels"] = ["email", "sms"]
    placed = {
        "orderId": oid,
        "placedAt": _local_iso(b.instant(p0), zone),
        "customer": customer,
        "items": [{"sku": sku, "description": f"{sku} sofa", "quantity": 1}],
        "productionDays": production_days,
        "transitDays": transit_days,
        "shippingAddress": {"line1": "12 Harbour Street", "city": "Hamburg", "postalCode": "20457", "country": "DE"},
    }
    b.add(StreamEvent(p0, "Order Placed", placed, f"{oid}-placed", oid), again)

    # Production news: up to two delays (later, or a little earlier than planned).
    said = p0
    delays = [draw(_delay(production_days, first=n == 0)) for n in range(draw(_DELAY_COUNT))]
    for n, (after, days, minute, as_date, reason, again) in enumerate(delays):
        said += after
        estimate = b.instant(p0 + days * DAY + minute)
        detail: dict[str, Any] = {"orderId": oid, "estimatedCompletion": _estimate(estimate, zone, as_date)}
        if reason:
            detail["reason"] = "fabric delivery late"
        b.add(StreamEvent(said, "Production Delayed", detail, f"{oid}-delayed-{n + 1}", oid), again)

    # How far the story gets: most orders are delivered; some stay silent after the sale (production never
    # reports), some stop at completion or shipment. "silent" first: the fewest events, what shrinking prefers.
    fate = draw(_FATES)
    delivered = None
    if fate != "silent":
        after, reported, lag, with_time, again = draw(_completion(production_days))
        completed = p0 + after
        if reported:  # else the shop never sends Production Completed: shipping implies it
            detail = {"orderId": oid}
            if with_time:
                detail["completedAt"] = _local_iso(b.instant(completed), zone)
            b.add(
                StreamEvent(completed + lag, "Production Completed", detail, f"{oid}-completed", oid, late_by=lag),
                again,
            )
        if fate in ("shipped", "delivered"):
            after, eta, as_date, lag, again = draw(_shipment(transit_days))
            shipped = completed + after
            detail = {"orderId": oid, "carrier": "DHL Freight", "trackingNumber": f"JJD{index:04d}"}
            if eta is not None:
                detail["estimatedDelivery"] = _estimate(b.instant(shipped + eta), zone, as_date)
            b.add(StreamEvent(shipped + lag, "Order Shipped", detail, f"{oid}-shipped", oid), again)
            if fate == "delivered":
                after, with_time, lag, again = draw(_delivery(transit_days))
                delivered = shipped + after
                detail = {"orderId": oid}
                if with_time:
                    detail["deliveredAt"] = _local_iso(b.instant(delivered), zone)
                event = StreamEvent(delivered + lag, "Order Delivered", detail, f"{oid}-delivered", oid, late_by=lag)
                b.add(event, again)

    feedback = draw(_FEEDBACK) if delivered is not None else None
    if delivered is not None and feedback is not None:
        rating, after, again = feedback
        detail = {"orderId": oid, "rating": rating}
        b.add(StreamEvent(delivered + after, "Feedback Received", detail, f"{oid}-feedback", oid), again)

    cancel = draw(_CANCEL)
    if cancel is not None:
        after, again = cancel
        detail = {"orderId": oid, "reason": "changed my mind"}
        b.add(StreamEvent(p0 + after, "Order Cancelled", detail, f"{oid}-cancelled", oid), again)
    return OrderFacts(oid, timezone, channels, sku)


_SKU_DELAYS = st.lists(
    st.tuples(st.integers(HOUR, 40 * DAY), _SKUS, st.integers(1 * DAY, 30 * DAY), _REDELIVERY), max_size=2
)


def sku_delays(draw: st.DrawFn, b: _Builder) -> None:
    """Production Delayed by sku: hits every open order of that sku."""
    for n, (minute, sku, ahead, again) in enumerate(draw(_SKU_DELAYS)):
        estimate = b.instant(minute + ahead)
        detail = {"sku": sku, "estimatedCompletion": estimate.date().isoformat(), "reason": "mill strike"}
        b.add(StreamEvent(minute, "Production Delayed", detail, f"sku-delayed-{n + 1}", None), again)


def _hostile_events(oid: str) -> list[tuple[str, str, dict[str, Any], str | None]]:
    """(why, detail-type, detail, order id): events that must be rejected with a reason naming a field."""
    return [
        (
            "unknown order",
            "Order Shipped",
            {"orderId": UNKNOWN_ORDER, "carrier": "DHL", "trackingNumber": "X1"},
            UNKNOWN_ORDER,
        ),
        ("unknown order", "Order Delivered", {"orderId": UNKNOWN_ORDER}, UNKNOWN_ORDER),
        ("unknown order", "Feedback Received", {"orderId": UNKNOWN_ORDER, "rating": 5}, UNKNOWN_ORDER),
        (
            "no order has this sku",
            "Production Delayed",
            {"sku": UNKNOWN_SKU, "estimatedCompletion": "2026-12-24"},
            None,
        ),
        ("rating out of range", "Feedback Received", {"orderId": oid, "rating": 9}, oid),
        ("estimate is not a date", "Production Delayed", {"orderId": oid, "estimatedCompletion": "soon"}, oid),
        ("neither orderId nor sku", "Production Delayed", {"estimatedCompletion": "2026-12-01"}, None),
        ("trackingNumber missing", "Order Shipped", {"orderId": oid, "carrier": "DHL"}, oid),
        ("deliveredAt is not a time", "Order Delivered", {"orderId": oid, "deliveredAt": "yesterday"}, oid),
        ("unknown detail-type", "Order Teleported", {"orderId": oid}, oid),
        (
            "productionDays out of range, bad e-mail",
            "Order Placed",
            {
                "orderId": "SO-BAD",
                "placedAt": "2026-11-02T10:00:00+01:00",
                "customer": {"name": "Mallory", "email": "not-an-address", "timezone": "Mars/Olympus_Mons"},
                "items": [{"sku": SKUS[0], "description": "sofa", "quantity": 1}],
                "productionDays": 400,
                "shippingAddress": {"line1": "1 Nowhere", "city": "Void", "postalCode": "0", "country": "XX"},
            },
            "SO-BAD",
        ),
    ]


HOSTILE_KINDS = len(_hostile_events(UNKNOWN_ORDER))
_HOSTILES = st.lists(
    st.tuples(st.integers(0, 40 * DAY), st.integers(1, 4), st.integers(0, HOSTILE_KINDS - 1)), max_size=2
)


def hostile(draw: st.DrawFn, b: _Builder, n_orders: int) -> None:
    """Up to two events that must be rejected: about an unknown order, malformed, of an unknown type."""
    for n, (minute, target, which) in enumerate(draw(_HOSTILES)):
        choices = _hostile_events(f"SO-{min(target, n_orders)}")
        why, detail_type, detail, oid = choices[which]
        b.add(StreamEvent(minute, detail_type, detail, f"hostile-{n + 1}", oid, hostile=why))


@st.composite
def _order_tape(draw: st.DrawFn) -> tuple[Any, ...]:
    """One order's story as the tape of values ``order_story`` draws. What it draws never depends on the
    order's position or the stream's start, so the tape is played later with both; and a list of tapes
    shrinks by dropping whole orders."""
    tape: list[Any] = []

    def record(strategy: st.SearchStrategy[Any]) -> Any:
        tape.append(draw(strategy))
        return tape[-1]

    order_story(record, _Builder(STARTS[0]), 1)
    return tuple(tape)


def _replay(tape: tuple[Any, ...]) -> Callable[[st.SearchStrategy[Any]], Any]:
    values = iter(tape)
    return lambda _strategy: next(values)


@functools.cache
def _tapes(max_orders: int) -> st.SearchStrategy[list[tuple[Any, ...]]]:
    return st.lists(_order_tape(), min_size=1, max_size=max_orders)


@st.composite
def streams(draw: st.DrawFn, max_orders: int = 4) -> Stream:
    """1-``max_orders`` orders' event streams, merged in delivery order, with sku delays and hostile events."""
    start = draw(_STARTS)
    tapes = draw(_tapes(max_orders))
    b = _Builder(start)
    orders = {}
    for index, tape in enumerate(tapes, start=1):
        facts = order_story(_replay(tape), b, index)
        orders[facts.order_id] = facts
    sku_delays(draw, b)
    hostile(draw, b, len(tapes))
    # Delivery order: by time; at the same minute, in generation order (each order's own story order).
    events = tuple(sorted(b.events, key=lambda e: e.minute))
    return Stream(start=start, events=events, orders=orders)
