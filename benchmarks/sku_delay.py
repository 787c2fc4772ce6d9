"""Issue #4 benchmark: one sku's production delay breaking the promise of N open orders.

    .venv/bin/python benchmarks/sku_delay.py [--orders 500] [--rate 14]

Checks what a user would: every affected order got exactly one delay notice per channel it chose, no
second of the run carried more e-mails than the SES rate, and ops got one batch alert with the count.
Prints one JSON object with the wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from outreach.simulator import runner
from outreach.simulator.scenario import parse


def scenario(orders: int, rate: float) -> dict:
    events = []
    for n in range(orders):
        customer = {"name": f"Customer {n}", "email": f"c{n}@example.com", "timezone": "Europe/Berlin"}
        if n % 5 == 0:  # every fifth also wants SMS
            customer.update(phone=f"+49151{n:08d}", channels=["email", "sms"])
        events.append(
            {
                "at": f"PT{n * 60}S",
                "detailType": "Order Placed",
                "detail": {
                    "orderId": f"SO-{n:04d}",
                    "placedAt": "2026-11-02T10:00:00+01:00",
                    "customer": customer,
                    "items": [{"sku": "VELVET-GREEN", "description": "Oslo sofa, green velvet", "quantity": 1}],
                    "productionDays": 14,
                    "transitDays": 7,
                    "shippingAddress": {
                        "line1": "1 Main St",
                        "city": "Hamburg",
                        "postalCode": "20457",
                        "country": "DE",
                    },
                },
            }
        )
    events.append(
        {
            "at": "P6D",
            "detailType": "Production Delayed",
            "detail": {"sku": "VELVET-GREEN", "estimatedCompletion": "2026-11-28", "reason": "mill strike"},
        }
    )
    return {
        "name": f"{orders}-order sku delay",
        "start": "2026-11-02T09:00:00Z",
        "until": "P7D",
        "config": {"sesSendRate": rate},
        "events": events,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500)
    parser.add_argument("--rate", type=float, default=14.0)
    args = parser.parse_args()
    started = time.perf_counter()
    result = runner.run(parse(scenario(args.orders, args.rate)))
    wall = time.perf_counter() - started
    assert not result.errors, result.errors

    notices = [c for c in result.contacts if c["kind"] == "delay_notice"]
    per_order_channel = Counter((c["orderId"], c["channel"]) for c in notices)
    expected = {(f"SO-{n:04d}", "email") for n in range(args.orders)}
    expected |= {(f"SO-{n:04d}", "sms") for n in range(0, args.orders, 5)}
    emails_per_second = Counter(c["at"] for c in result.contacts if c["channel"] == "email")
    batch = [a for a in result.alerts if a["kind"] == "batch_delay"]
    email_notices = sorted(c["at"] for c in notices if c["channel"] == "email")
    figures = {
        "orders": args.orders,
        "sesSendRate": args.rate,
        "wallSeconds": round(wall, 2),
        "delayNotices": len(notices),
        "everyOrderExactlyOncePerChannel": set(per_order_channel) == expected
        and set(per_order_channel.values()) == {1},
        "maxEmailsInOneSecond": max(emails_per_second.values()),
        "firstNotice": email_notices[0],
        "lastNotice": email_notices[-1],
        "batchAlert": batch[0]["details"] if batch else None,
        "stateTransitions": result.stats["stateTransitions"],
        "lambdaInvocations": result.stats["lambdaInvocations"],
    }
    print(json.dumps(figures, indent=2))
    ok = figures["everyOrderExactlyOncePerChannel"] and figures["maxEmailsInOneSecond"] <= args.rate and batch
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
