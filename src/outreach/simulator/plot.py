"""`outreach simulate SCENARIO --plot timeline.png`: each order's timeline as a picture.

One row per order (or catalog request) on a day axis: the order events the scenario delivered (grey
triangles), every contact the customer got (a dot per e-mail, a square per SMS, coloured by kind), each promise
(a diamond at the promised date: the current one filled, superseded ones hollow, a thin line from the instant
it was quoted), and the customer's quiet hours (shaded, in the customer's own time zone). Readable for 1 to
about 20 rows. matplotlib is imported only here, only when a picture is asked for.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from outreach_lambda.domain.config import QuietHours

from outreach.simulator.runner import SimulationResult
from outreach.simulator.scenario import Scenario

#: One colour per contact kind (colour-blind-safe Okabe-Ito palette); kinds not listed are grey.
KIND_COLOURS = {
    "order_confirmation": "#0072B2",
    "production_update": "#56B4E9",
    "delay_notice": "#D55E00",
    "shipped": "#009E73",
    "satisfaction_check": "#CC79A7",
    "cancellation_confirmation": "#E69F00",
    "catalog_follow_up": "#F0E442",
}
EVENT_COLOUR = "#555555"
QUIET_COLOUR = "#d9d9e8"
MAX_ROWS_WITH_LABELS = 3  # with more rows, the legend names the kinds instead of labels on each mark


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _owner(detail: Any) -> str | None:
    if isinstance(detail, dict):
        for key in ("orderId", "requestId"):
            if isinstance(detail.get(key), str):
                return str(detail[key])
    return None


def _rows(scenario: Scenario, result: SimulationResult) -> tuple[list[str], dict[str, ZoneInfo]]:
    """Orders and catalog requests in order of first appearance, with their customers' time zones."""
    rows: list[str] = []
    zones: dict[str, ZoneInfo] = {}
    for _, _, event in scenario.timed_events():
        owner = _owner(event.detail)
        if owner is None:
            continue
        if owner not in rows:
            rows.append(owner)
        customer = event.detail.get("customer") if isinstance(event.detail, dict) else None
        if isinstance(customer, dict) and isinstance(customer.get("timezone"), str) and owner not in zones:
            with suppress(ValueError, KeyError):  # an unknown zone: no quiet hours drawn for it
                zones[owner] = ZoneInfo(customer["timezone"])
    for contact in result.contacts:
        owner = contact.get("orderId") or contact.get("requestId")
        if owner and owner not in rows:
            rows.append(owner)
    return rows, zones


def _quiet_spans(zone: ZoneInfo, quiet: QuietHours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    spans = []
    day = first - timedelta(days=1)
    while day <= last:
        start = datetime.combine(day, quiet.start, tzinfo=zone)
        end_day = day + timedelta(days=1) if quiet.start > quiet.end else day
        end = datetime.combine(end_day, quiet.end, tzinfo=zone)
        spans.append((start.astimezone(UTC), end.astimezone(UTC)))
        day += timedelta(days=1)
    return spans


def draw(scenario: Scenario, result: SimulationResult, quiet: QuietHours, path: Path) -> None:
    """Write the picture of ``result`` to ``path`` (PNG, or any format matplotlib knows by the suffix)."""
    import matplotlib

    matplotlib.use("Agg")  # files only, no display
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    def num(instant: datetime) -> float:
        return float(mdates.date2num(instant))

    rows, zones = _rows(scenario, result)
    if not rows:
        rows = ["(no orders)"]
    labels = len(rows) <= MAX_ROWS_WITH_LABELS
    pitch = 2.4 if labels else 1.0  # labelled rows need room for their staggered labels
    y = {owner: pitch * (len(rows) - i) for i, owner in enumerate(rows)}  # first order on top

    instants = [scenario.start] + [at for at, _, _ in scenario.timed_events()]
    instants += [_when(c["at"]) for c in result.contacts]
    for order in result.orders:
        for quote in order["quotes"]:
            instants.append(datetime.combine(date.fromisoformat(quote["promisedDate"]), datetime.min.time(), UTC))
    first, last = min(instants) - timedelta(days=1), max(instants) + timedelta(days=2)

    height = 1.6 + (2.6 if labels else 0.5) * len(rows)
    fig, ax = plt.subplots(figsize=(13, height))
    for owner, row in y.items():
        zone = zones.get(owner)
        if zone is not None:
            for start, end in _quiet_spans(zone, quiet, first.date(), last.date()):
                ax.fill_between([num(start), num(end)], row - 0.35, row + 0.35, color=QUIET_COLOUR, lw=0, zorder=0)
        ax.axhline(row, color="#bbbbbb", lw=0.6, zorder=1)

    pending: list[tuple[str, str, float, str, str]] = []  # labels, placed once all are known

    def label(owner: str, side: str, at: datetime, text: str, colour: str) -> None:
        pending.append((owner, side, mdates.date2num(at), text, colour))

    def place_labels() -> None:
        """Each label on the nearest level (above or below its row) where it overlaps no earlier one."""
        days_per_char = 0.075 * (mdates.date2num(last) - mdates.date2num(first)) / 10.0  # ~10 inches of axis
        ends: dict[tuple[str, str, int], float] = {}
        for owner, side, x, text, colour in sorted(pending, key=lambda p: p[2]):
            n = 0
            while ends.get((owner, side, n), -1e9) > x and n < 4:
                n += 1
            ends[(owner, side, n)] = x + len(text) * days_per_char
            offset = 0.42 + 0.2 * n
            row = y[owner] + (offset if side == "above" else -offset)
            ax.plot([x, x], [y[owner], row], color=colour, lw=0.5, alpha=0.6, zorder=2)
            ax.annotate(text, (x, row), fontsize=8, ha="left", va="center", color=colour, zorder=6)

    for at, _, event in scenario.timed_events():
        about = _owner(event.detail)
        if about is None and isinstance(event.detail, dict) and event.detail.get("sku"):
            # an event about a sku reaches every open order of it: a line across all rows
            ax.axvline(num(at), color=EVENT_COLOUR, lw=0.8, ls="--", zorder=1)
            ax.annotate(
                f" {event.detail_type} (sku {event.detail['sku']})",
                (mdates.date2num(at), 1.0),
                xycoords=("data", "axes fraction"),
                fontsize=8,
                color=EVENT_COLOUR,
                ha="left",
                va="bottom",
            )
            continue
        if about is None or about not in y:
            continue
        owner = about
        ax.plot(num(at), y[owner] + 0.22, marker="v", color=EVENT_COLOUR, ms=7, zorder=3)
        if labels:
            label(owner, "above", at, f" {event.detail_type}", EVENT_COLOUR)

    for order in result.orders:
        owner = order["orderId"]
        if owner not in y:
            continue
        quotes = order["quotes"]
        for n, quote in enumerate(quotes):
            promised = datetime.combine(date.fromisoformat(quote["promisedDate"]), datetime.min.time(), UTC)
            promised += timedelta(hours=12)  # the middle of the promised day
            current = n == len(quotes) - 1
            row = y[owner] - (0.12 if labels else 0.22)
            ax.plot([num(_when(quote["at"])), num(promised)], [row, row], color="#999999", lw=0.8, ls=":", zorder=2)
            ax.plot(
                num(promised),
                row,
                marker="D",
                ms=8,
                zorder=4,
                color="#222222",
                markerfacecolor="#222222" if current else "white",
            )
            if labels:
                text = f" promised {quote['promisedDate']}" + ("" if current else " (superseded)")
                label(owner, "below", promised, text, "#222222")

    for contact in result.contacts:
        whose = contact.get("orderId") or contact.get("requestId")
        if whose is None or whose not in y:
            continue
        owner, at = str(whose), _when(contact["at"])
        colour = KIND_COLOURS.get(contact["kind"], "#999999")
        sms = contact["channel"] == "sms"  # drawn a little higher: an e-mail at the same instant stays visible
        row = y[owner] + (0.16 if sms else 0.0)
        ax.plot(
            num(at), row, marker="s" if sms else "o", ms=8, color=colour, markeredgecolor="black", mew=0.6, zorder=5
        )
        if labels:
            local = ""
            zone = zones.get(owner)
            if zone is not None:
                local = " " + at.astimezone(zone).strftime("%H:%M local")
            label(owner, "below", at, f" {contact['kind'].replace('_', ' ')} ({contact['channel']}){local}", colour)

    place_labels()
    ax.set_yticks(list(y.values()), list(y.keys()), fontsize=9)
    ax.set_ylim(pitch - (1.35 if labels else 0.7), pitch * len(rows) + (1.35 if labels else 0.7))
    ax.set_xlim(num(first), num(last))
    span_days = (last - first).days
    ax.xaxis.set_major_locator(mdates.DayLocator(interval=max(1, round(span_days / 12))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %d"))
    ax.tick_params(axis="x", labelsize=8, rotation=0)
    ax.grid(axis="x", color="#eeeeee", zorder=0)
    ax.set_xlabel("day (UTC)")
    ax.set_title(f"{scenario.name}: contacts, events and promises per order", fontsize=11, pad=16)

    kinds = sorted(
        {c["kind"] for c in result.contacts}, key=lambda k: list(KIND_COLOURS).index(k) if k in KIND_COLOURS else 99
    )
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            color=KIND_COLOURS.get(k, "#999999"),
            markeredgecolor="black",
            label=k.replace("_", " "),
        )
        for k in kinds
    ]
    handles += [
        Line2D([], [], marker="o", ls="", color="white", markeredgecolor="black", label="e-mail (dot) / SMS (square)"),
        Line2D([], [], marker="v", ls="", color=EVENT_COLOUR, label="order event"),
        Line2D([], [], marker="D", ls="", color="#222222", label="promised date (hollow: superseded)"),
        Line2D([], [], lw=8, color=QUIET_COLOUR, label="quiet hours (customer's time)"),
    ]  # fmt: skip
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
