"""Generate a realistic, deterministic order history for ``outreach advise-padding``.

    python examples/history/generate_history.py                       # rewrites orders_history.csv next to it
    python examples/history/generate_history.py --seed 7 --orders 500 --out /tmp/history.csv

A made-to-order sofa shop over six months (2026-01-05 to 2026-07-04), customers in five time zones.
Each order gets the internal plan the shop would have quoted from (productionDays 10-21, transitDays 3-10);
what really happened is drawn around that plan: most workshops finish a little early (lognormal noise around
~92% of the plan), one order in ten slips by an exponential few days, one in fifty hits a supplier problem
(+10-25 days); carriers mostly keep their estimate, a few are late. Nothing is delivered on Sundays. Orders
whose delivery falls after the export date (the last weeks' orders, slow ones first), plus ~1% lost or
stuck orders, have an empty deliveredAt, as in a real export.

The same seed always gives the same file (``random.Random(seed)``, no other randomness).
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "orders_history.csv"
DEFAULT_SEED = 20260705
DEFAULT_ORDERS = 2000
FIRST_DAY = date(2026, 1, 5)
DAYS = 181  # placements from 2026-01-05 to 2026-07-04
EXPORTED_AT = datetime(2026, 7, 5, 6, 0, tzinfo=UTC)
ZONES = (
    ("Europe/Berlin", 35),
    ("America/New_York", 25),
    ("Europe/London", 20),
    ("America/Los_Angeles", 15),
    ("Australia/Sydney", 5),
)
COLUMNS = ("orderId", "placedAt", "productionDays", "transitDays", "deliveredAt", "timezone")


@dataclass(frozen=True)
class Row:
    placed_at: datetime  # aware, in the customer's zone
    production_days: int
    transit_days: int
    delivered_at: datetime | None  # aware, in the customer's zone
    zone: str


def _actual_production_days(rng: random.Random, planned: int) -> float:
    days = planned * rng.lognormvariate(math.log(0.92), 0.12)
    if rng.random() < 0.10:  # the workshop slips: fabric late, a frame re-made
        days += rng.expovariate(1 / 6)
    if rng.random() < 0.02:  # a supplier problem
        days += rng.uniform(10, 25)
    return days


def _actual_transit_days(rng: random.Random, planned: int) -> float:
    days = planned * rng.lognormvariate(math.log(0.95), 0.18)
    if rng.random() < 0.06:  # the carrier is late
        days += rng.expovariate(1 / 3)
    return days


def _one_order(rng: random.Random) -> Row:
    names = [name for name, _ in ZONES]
    zone_name = rng.choices(names, weights=[weight for _, weight in ZONES])[0]
    zone = ZoneInfo(zone_name)
    day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
    minute_of_day = rng.randrange(7 * 60, 23 * 60)  # people order between 07:00 and 23:00 local time
    placed = datetime.combine(day, time(minute_of_day // 60, minute_of_day % 60, rng.randrange(60)), tzinfo=zone)
    production = rng.randint(10, 21)
    transit = rng.randint(3, 10)
    took = _actual_production_days(rng, production) + _actual_transit_days(rng, transit)
    arrival_day = (placed + timedelta(days=took)).date()
    if arrival_day.isoweekday() == 7:  # no deliveries on Sundays
        arrival_day += timedelta(days=1)
    minute_of_delivery = rng.randrange(8 * 60, 18 * 60)
    arrived = datetime.combine(
        arrival_day, time(minute_of_delivery // 60, minute_of_delivery % 60, rng.randrange(60)), tzinfo=zone
    )
    lost = rng.random() < 0.01  # lost in transit, stuck in a claim: never delivered
    delivered = None if lost or arrived > EXPORTED_AT else arrived
    return Row(placed, production, transit, delivered, zone_name)


def generate(seed: int = DEFAULT_SEED, orders: int = DEFAULT_ORDERS) -> list[Row]:
    rng = random.Random(seed)
    rows = [_one_order(rng) for _ in range(orders)]
    return sorted(rows, key=lambda row: row.placed_at)


def write_csv(rows: list[Row], out: Path) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number, row in enumerate(rows, start=100001):
            writer.writerow(
                (
                    f"SO-{number}",
                    row.placed_at.isoformat(),
                    row.production_days,
                    row.transit_days,
                    row.delivered_at.isoformat() if row.delivered_at else "",
                    row.zone,
                )
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a deterministic example order history CSV.")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--orders", type=int, default=DEFAULT_ORDERS, help=f"order count (default {DEFAULT_ORDERS})")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output CSV (default: orders_history.csv here)")
    args = parser.parse_args(argv)
    rows = generate(args.seed, args.orders)
    write_csv(rows, args.out)
    undelivered = sum(1 for row in rows if row.delivered_at is None)
    sys.stdout.write(f"wrote {len(rows)} orders ({undelivered} undelivered) to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
