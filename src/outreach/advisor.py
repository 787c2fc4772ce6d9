"""The padding advisor behind ``outreach advise-padding``: which padding factor would have kept past promises?

It replays a shop's order history through the project's real padding rule (``quoted_days`` and
``promised_date`` from ``outreach_lambda.domain.promise``) for a set of candidate factors and reports, per
factor, how many promises would have broken and how much padding customers would have seen. The
recommendation is the smallest factor whose broken-promise rate is at or below the target.

Everything here is pure (no printing, no exit codes) apart from reading the CSV and writing the optional
plot; the command wiring lives in ``outreach.cli``. Rates and means are exact fractions internally, so a
rate exactly at the target counts as meeting it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from outreach_lambda.domain.config import PaddingPolicy, parse_factor
from outreach_lambda.domain.promise import local_date, promised_date, quoted_days

Rounding = Literal["weeks", "days"]

REQUIRED_COLUMNS = ("orderId", "placedAt", "productionDays", "transitDays", "deliveredAt")
TIMEZONE_COLUMN = "timezone"
DEFAULT_TARGET = Fraction(1, 20)
PLOT_EXTRA_HINT = "pip install 'outreach[plot]'"


class HistoryError(ValueError):
    """The history CSV cannot be used; the message names the row (header = row 1) and the column."""


class PlotUnavailableError(RuntimeError):
    """``--plot`` was asked for but matplotlib (the ``plot`` extra) is not installed."""


# --- the history -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastOrder:
    """One row of the history. ``delivered_at`` is None for an order not delivered (yet)."""

    row: int
    order_id: str
    placed_at: datetime
    production_days: int
    transit_days: int
    delivered_at: datetime | None
    zone: ZoneInfo

    @property
    def internal_days(self) -> int:
        return self.production_days + self.transit_days

    @property
    def delivered_local_date(self) -> date:
        if self.delivered_at is None:  # pragma: no cover - callers only ask delivered orders
            raise ValueError(f"order {self.order_id} has not been delivered")
        return local_date(self.delivered_at, self.zone)


@dataclass(frozen=True)
class History:
    source: str
    orders: tuple[PastOrder, ...]

    @property
    def delivered(self) -> tuple[PastOrder, ...]:
        return tuple(o for o in self.orders if o.delivered_at is not None)

    @property
    def skipped_undelivered(self) -> int:
        return sum(1 for o in self.orders if o.delivered_at is None)


def load_history(path: Path) -> History:
    """Read a history CSV (UTF-8, a spreadsheet's byte-order mark is fine)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return parse_history(handle, source=str(path))
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise HistoryError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def parse_history(lines: Iterable[str], source: str = "history") -> History:
    """Parse CSV text. Columns: orderId, placedAt, productionDays, transitDays, deliveredAt [, timezone].

    Extra columns are ignored. An empty deliveredAt means "not delivered": the order is kept but skipped by
    the advisor. Row numbers count the header as row 1, as a spreadsheet does.
    """
    reader = csv.DictReader(lines)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise HistoryError(f"{source} row 1: not valid CSV: {exc}") from exc
    if not header:
        raise HistoryError(f"{source}: the file is empty (expected a header row: {', '.join(REQUIRED_COLUMNS)})")
    reader.fieldnames = [name.strip() for name in header]
    missing = [name for name in REQUIRED_COLUMNS if name not in reader.fieldnames]
    if missing:
        names = ", ".join(f'"{name}"' for name in missing)
        raise HistoryError(
            f"{source} row 1: missing column{'s' if len(missing) > 1 else ''} {names} "
            f"(header has: {', '.join(reader.fieldnames)})"
        )
    has_zone = TIMEZONE_COLUMN in reader.fieldnames
    orders: list[PastOrder] = []
    first_row_of: dict[str, int] = {}
    try:
        for record in reader:
            row = reader.line_num
            if not any((value or "").strip() for value in record.values() if isinstance(value, str)):
                continue  # a blank line, e.g. at the end of a hand-edited file
            order = _parse_row(record, row, source, has_zone)
            if order.order_id in first_row_of:
                raise HistoryError(
                    f'{source} row {row}, column "orderId": duplicate order {order.order_id!r} '
                    f"(first seen in row {first_row_of[order.order_id]})"
                )
            first_row_of[order.order_id] = row
            orders.append(order)
    except csv.Error as exc:
        raise HistoryError(f"{source} row {reader.line_num}: not valid CSV: {exc}") from exc
    return History(source=source, orders=tuple(orders))


def _parse_row(record: dict[str, Any], row: int, source: str, has_zone: bool) -> PastOrder:
    def field(column: str) -> str:
        value = record.get(column)
        return value.strip() if isinstance(value, str) else ""

    def fail(column: str, problem: str) -> HistoryError:
        return HistoryError(f'{source} row {row}, column "{column}": {problem}')

    order_id = field("orderId")
    if not order_id:
        raise fail("orderId", "empty (every order needs an id)")
    zone = ZoneInfo("UTC")
    if has_zone and field(TIMEZONE_COLUMN):
        name = field(TIMEZONE_COLUMN)
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise fail(TIMEZONE_COLUMN, f"unknown IANA time zone {name!r} (e.g. 'Europe/Berlin')") from exc
    placed_at = _instant(field("placedAt"), lambda problem: fail("placedAt", problem), required=True)
    production_days = _whole_days(field("productionDays"), lambda problem: fail("productionDays", problem))
    transit_days = _whole_days(field("transitDays"), lambda problem: fail("transitDays", problem))
    delivered_at = _instant(field("deliveredAt"), lambda problem: fail("deliveredAt", problem), required=False)
    if placed_at is None:  # pragma: no cover - required=True never returns None
        raise fail("placedAt", "empty")
    if delivered_at is not None and delivered_at < placed_at:
        raise fail("deliveredAt", f"{field('deliveredAt')!r} is before placedAt {field('placedAt')!r}")
    return PastOrder(row, order_id, placed_at, production_days, transit_days, delivered_at, zone)


def _instant(text: str, fail: Any, *, required: bool) -> datetime | None:
    if not text:
        if required:
            raise fail("empty (expected an ISO 8601 timestamp with offset, e.g. 2026-03-02T10:15:00+01:00)")
        return None
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"cannot parse {text!r} as an ISO 8601 timestamp (e.g. 2026-03-02T10:15:00+01:00)") from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise fail(f"{text!r} has no UTC offset (write e.g. {text}Z or {text}+01:00)")
    return parsed.astimezone(UTC)


def _whole_days(text: str, fail: Any) -> int:
    if not text:
        raise fail("empty (expected a whole number of days)")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise fail(f"cannot parse {text!r} as a number of days") from exc
    if not number.is_finite():
        raise fail(f"cannot parse {text!r} as a number of days")
    if number < 0:
        raise fail(f"{text!r} is negative (days must be 0 or more)")
    if number != number.to_integral_value():
        raise fail(f"{text!r} is not a whole number of days")
    return int(number)


# --- the math ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FactorResult:
    """What one padding factor would have done to the delivered orders of the history."""

    factor: Fraction
    delivered: int
    broken: int
    padding_days_total: int  # sum over delivered orders of (promised date - local delivery date), in days
    quoted_days_total: int

    @property
    def broken_rate(self) -> Fraction:
        return Fraction(self.broken, self.delivered)

    @property
    def avg_padding_days(self) -> Fraction:
        """Mean days between delivery and the promised date; negative contributions are late orders."""
        return Fraction(self.padding_days_total, self.delivered)

    @property
    def avg_quoted_days(self) -> Fraction:
        return Fraction(self.quoted_days_total, self.delivered)


def evaluate(orders: Sequence[PastOrder], factor: Fraction, rounding: Rounding) -> FactorResult:
    """Promise every delivered order with ``factor`` (the real rule) and compare with when it arrived."""
    delivered = [o for o in orders if o.delivered_at is not None]
    if not delivered:
        raise HistoryError("no delivered orders to learn from (every deliveredAt is empty)")
    policy = PaddingPolicy(factor=_fraction_text(factor), rounding=rounding)
    broken = padding = quoted = 0
    for order in delivered:
        promised = promised_date(order.placed_at, order.internal_days, policy, order.zone)
        arrived = order.delivered_local_date
        broken += arrived > promised
        padding += (promised - arrived).days
        quoted += quoted_days(order.internal_days, policy)
    return FactorResult(factor, len(delivered), broken, padding, quoted)


def default_factors() -> list[Fraction]:
    """1 to 2 in steps of 1/12 (which includes 4/3, the project's default, exactly)."""
    return normalise_factors([Fraction(12 + step, 12) for step in range(13)] + [Fraction(4, 3)])


def normalise_factors(factors: Iterable[Fraction]) -> list[Fraction]:
    return sorted(set(factors))


def parse_factors(text: str) -> list[Fraction]:
    """``"1,1.1,5/4"`` -> the sorted distinct factors; each must be a number (or fraction) of at least 1."""
    factors: list[Fraction] = []
    for part in text.split(","):
        item = part.strip()
        if not item:
            continue
        factors.append(parse_factor(item))
    if not factors:
        raise ValueError("no factors given (e.g. --factors 1,1.25,4/3,1.5)")
    return normalise_factors(factors)


def parse_target(text: str) -> Fraction:
    """The acceptable broken-promise share, ``0.05`` or ``5%`` for 5%; 0 <= target < 1."""
    item = text.strip()
    percent = item.endswith("%")
    try:
        target = Fraction(item.removesuffix("%").strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"{text!r} is not a share like 0.05 (or 5%)") from exc
    if percent:
        target /= 100
    if not 0 <= target < 1:
        raise ValueError(f"{text!r} must be a share between 0 and 1, e.g. 0.05 for 5%")
    return target


@dataclass(frozen=True)
class Advice:
    source: str
    rounding: Rounding
    target: Fraction
    results: tuple[FactorResult, ...]
    recommended: FactorResult | None
    delivered: int
    skipped_undelivered: int


def advise(
    history: History,
    factors: Sequence[Fraction] | None = None,
    target: Fraction = DEFAULT_TARGET,
    rounding: Rounding = "weeks",
) -> Advice:
    """Evaluate each candidate factor; recommend the smallest one whose broken rate is <= ``target``."""
    candidates = normalise_factors(factors) if factors is not None else default_factors()
    if not candidates:
        raise ValueError("no candidate factors")
    results = tuple(evaluate(history.orders, factor, rounding) for factor in candidates)
    recommended = next((r for r in results if r.broken_rate <= target), None)
    return Advice(
        source=history.source,
        rounding=rounding,
        target=target,
        results=results,
        recommended=recommended,
        delivered=results[0].delivered,
        skipped_undelivered=history.skipped_undelivered,
    )


# --- rendering ---------------------------------------------------------------------------------------------


def _fraction_text(value: Fraction) -> str:
    return str(value)  # "4/3", "5/4", "1", "2": what PaddingPolicy.factor accepts


def factor_label(value: Fraction) -> str:
    decimal = f"{float(value):.3f}"
    return decimal if value.denominator == 1 or Fraction(decimal) == value else f"{decimal} ({value})"


def _percent(value: Fraction) -> str:
    return f"{float(value) * 100:.2f}%"


def _target_text(target: Fraction) -> str:
    return f"{float(target) * 100:g}%"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _days(value: Fraction) -> str:
    return f"{float(value):.1f}"


def unreachable_message(advice: Advice) -> str:
    best = advice.results[-1]
    return (
        f"no candidate factor keeps broken promises at or below {_target_text(advice.target)}: the largest, "
        f"{factor_label(best.factor)}, still breaks {_percent(best.broken_rate)} "
        f"({best.broken} of {best.delivered}). Try larger --factors or a higher --target."
    )


def render_table(advice: Advice) -> str:
    skipped = advice.skipped_undelivered
    lines = [
        f"Padding advisor: {advice.source}",
        f"{_count(advice.delivered, 'delivered order')}, {_count(skipped, 'undelivered order')} skipped "
        f"(empty deliveredAt); rounding up to whole {advice.rounding}; "
        f"target: at most {_target_text(advice.target)} broken promises",
        "",
        f"{'factor':<16}{'broken':>10}{'avg padding':>14}{'avg quoted':>13}",
        f"{'':<16}{'':>10}{'(days)':>14}{'(days)':>13}",
    ]
    for result in advice.results:
        mark = "  <- recommended" if result is advice.recommended else ""
        lines.append(
            f"{factor_label(result.factor):<16}{_percent(result.broken_rate):>10}"
            f"{_days(result.avg_padding_days):>14}{_days(result.avg_quoted_days):>13}{mark}"
        )
    lines.append("")
    chosen = advice.recommended
    if chosen is None:
        lines.append(f"No recommendation: {unreachable_message(advice)}")
    else:
        lines.append(
            f"Recommended: factor {chosen.factor} ({float(chosen.factor):.3f}), rounding {advice.rounding}: "
            f"{_percent(chosen.broken_rate)} of promises broken ({chosen.broken} of {chosen.delivered}), "
            f"delivered {_days(chosen.avg_padding_days)} days before the promised date on average, "
            f"quoting {_days(chosen.avg_quoted_days)} days on average."
        )
        lines.append(
            f'Configuration: "padding": {{"factor": "{chosen.factor}", "rounding": "{advice.rounding}"}} '
            "(the shop object of config/<stage>.json)"
        )
    return "\n".join(lines)


def _result_json(result: FactorResult, target: Fraction) -> dict[str, Any]:
    return {
        "factor": _fraction_text(result.factor),
        "factorDecimal": float(result.factor),
        "brokenOrders": result.broken,
        "brokenRate": float(result.broken_rate),
        "avgPaddingDays": float(result.avg_padding_days),
        "avgQuotedDays": float(result.avg_quoted_days),
        "meetsTarget": result.broken_rate <= target,
    }


def to_json(advice: Advice) -> dict[str, Any]:
    """One JSON object; factors are exact strings ("4/3") usable as ``padding.factor`` as they are."""
    return {
        "source": advice.source,
        "rounding": advice.rounding,
        "target": float(advice.target),
        "deliveredOrders": advice.delivered,
        "skippedUndelivered": advice.skipped_undelivered,
        "recommendation": (None if advice.recommended is None else _result_json(advice.recommended, advice.target)),
        "candidates": [_result_json(result, advice.target) for result in advice.results],
    }


# --- the plot (optional: the ``plot`` extra) ---------------------------------------------------------------


def require_matplotlib() -> None:
    """Fail early, before any work, when ``--plot`` cannot be honoured."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise PlotUnavailableError(f"--plot needs matplotlib, which is not installed: {PLOT_EXTRA_HINT}") from exc


def plot(advice: Advice, path: Path) -> None:
    """Broken-promise rate (%) and average padding (days) against the factor, as a PNG (Agg, no display)."""
    require_matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    factors = [float(r.factor) for r in advice.results]
    broken = [float(r.broken_rate) * 100 for r in advice.results]
    padding = [float(r.avg_padding_days) for r in advice.results]

    figure = Figure(figsize=(9, 5), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    left = figure.add_subplot()
    right = left.twinx()
    left.set_zorder(right.get_zorder() + 1)  # the broken-rate curve, target and marker draw above the padding
    left.patch.set_visible(False)
    broken_line = left.plot(factors, broken, "o-", color="tab:red", label="broken promises (%)")
    padding_line = right.plot(factors, padding, "s--", color="tab:blue", label="average padding (days)")
    target_line = left.axhline(
        float(advice.target) * 100, color="tab:red", linestyle=":", label=f"target ({_target_text(advice.target)})"
    )
    handles: list[Any] = [*broken_line, *padding_line, target_line]
    if advice.recommended is not None:
        chosen = advice.recommended
        x = float(chosen.factor)
        handles.append(
            left.axvline(x, color="tab:green", linewidth=2, alpha=0.6, label=f"recommended: {chosen.factor}")
        )
        left.plot([x], [float(chosen.broken_rate) * 100], "*", color="tab:green", markersize=16, zorder=5)
        left.annotate(
            f"{chosen.factor}: {_percent(chosen.broken_rate)} broken,\n{_days(chosen.avg_padding_days)} days padding",
            xy=(x, float(chosen.broken_rate) * 100),
            xytext=(24, 64),
            textcoords="offset points",
            color="tab:green",
            bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": "tab:green"},
            arrowprops={"arrowstyle": "->", "color": "tab:green"},
        )
    else:
        left.text(0.5, 0.95, "no factor reaches the target", transform=left.transAxes, ha="center", va="top")
    left.set_xlabel(f"padding factor (quoted = internal days x factor, rounded up to whole {advice.rounding})")
    left.set_ylabel("broken promises (%)", color="tab:red")
    right.set_ylabel("average padding (days early)", color="tab:blue")
    left.set_ylim(bottom=0)
    left.grid(True, alpha=0.3)
    left.set_title(f"{Path(advice.source).name}: {advice.delivered} delivered orders")
    left.legend(handles=handles, loc="center right")
    figure.savefig(path, format="png")
