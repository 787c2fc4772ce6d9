"""What 1M orders cost in AWS infrastructure (e-mail and SMS excluded), per scenario and service, at list prices.

    .venv/bin/python benchmarks/cost.py            # table per scenario next to the daily-scan baseline
    .venv/bin/python benchmarks/cost.py --json
    .venv/bin/python benchmarks/cost.py --markdown # the tables of docs/cost.md

Usage per order is measured, not assumed: each example scenario (one order, or one catalog request) runs in
the simulator with ``metering`` on (``src/outreach/simulator/metering.py``): state transitions read from the
execution history, Lambda invocations and their estimated billed duration, DynamoDB request units per item
size, events on the bus, Scheduler invocations, ops-topic publishes, log bytes. Prices are us-east-1 list
prices (``PRICES``, each with its page and the date it was read); free tiers are left out (they do not
scale with orders).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "functions")]  # this checkout's code, not an install
os.environ["TZ"] = "UTC"
time.tzset()

from outreach.simulator import metering, runner  # noqa: E402
from outreach.simulator.scenario import load  # noqa: E402

TARGET_HAPPY_USD = 400.0  # per 1M happy orders, excluding e-mail and SMS
PRICES_READ_ON = "2026-11-23"


@dataclass(frozen=True)
class Price:
    usd: float
    per: str
    url: str


#: us-east-1 list prices (x86 Lambda), as read on PRICES_READ_ON from each page.
PRICES: dict[str, Price] = {
    "stepFunctionsTransition": Price(0.025 / 1000, "state transition (Standard)", "https://aws.amazon.com/step-functions/pricing/"),
    "lambdaRequest": Price(0.20 / 1e6, "request", "https://aws.amazon.com/lambda/pricing/"),
    "lambdaGbSecond": Price(0.0000166667, "GB-second (x86)", "https://aws.amazon.com/lambda/pricing/"),
    "dynamodbWriteUnit": Price(0.625 / 1e6, "write request unit (on-demand)", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "dynamodbReadUnit": Price(0.125 / 1e6, "read request unit (on-demand)", "https://aws.amazon.com/dynamodb/pricing/on-demand/"),
    "eventBridgeEvent": Price(1.00 / 1e6, "custom event put on a bus", "https://aws.amazon.com/eventbridge/pricing/"),
    "schedulerInvocation": Price(1.00 / 1e6, "EventBridge Scheduler invocation", "https://aws.amazon.com/eventbridge/pricing/"),
    "snsPublish": Price(0.50 / 1e6, "SNS publish (ops topic; 64 KB chunks)", "https://aws.amazon.com/sns/pricing/"),
    "logsIngestedGb": Price(0.50, "GB of CloudWatch Logs ingested (EMF metrics included)", "https://aws.amazon.com/cloudwatch/pricing/"),
    "xrayTrace": Price(5.00 / 1e6, "X-Ray trace recorded", "https://aws.amazon.com/xray/pricing/"),
}  # fmt: skip
#: X-Ray's default sampling rule records the first request each second and 5% of the rest.
XRAY_SAMPLED = 0.05

SCENARIOS = {
    "happy": "happy_path.json",
    "delayed": "production_delay.json",
    "cancelled": "cancellation.json",
    "catalog": "catalog_request.json",
}


def lambda_memory_mb() -> int:
    """The memory every function is configured with in the stack (infra/constructs/workflow.py)."""
    source = (ROOT / "infra" / "constructs" / "workflow.py").read_text()
    sizes = {int(m) for m in re.findall(r"memory_size=(\d+)", source)}
    if len(sizes) != 1:
        raise SystemExit(f"expected one memory_size in infra/constructs/workflow.py, found {sorted(sizes)}")
    return sizes.pop()


def usage(example: str) -> dict[str, Any]:
    """What one order of the example uses (the examples hold one order or one catalog request each)."""
    result = runner.run(load(ROOT / "examples" / example))
    assert not result.errors, result.errors
    counted = result.meter.summary()
    calls = counted["awsCallsByOperation"]
    return {
        "stateTransitions": result.stats["stateTransitions"],
        "executions": result.stats["executions"],
        **{k: counted[k] for k in ("awsCalls", "dynamodbWriteUnits", "dynamodbReadUnits", "lambdaInvocations")},
        "lambdaBilledMs": counted["lambdaBilledMs"],
        "eventBridgeEvents": counted["eventBridgeEvents"],
        "schedulerInvocations": counted["schedulerInvocations"],
        "opsPublishes": calls.get("sns:Publish", 0),  # the ops topic (SMS are counted apart)
        "emails": calls.get("sesv2:SendEmail", 0),
        "sms": calls.get(metering.SMS, 0),
        "logBytes": counted["logBytes"],
        "awsCallsByOperation": calls,
        "dynamodbWriteUnitsByOperation": counted["dynamodbWriteUnitsByOperation"],
    }


def cost_per_million(use: dict[str, Any], memory_mb: int) -> dict[str, float]:
    """USD per 1M orders by service."""
    p = PRICES
    gb_seconds = use["lambdaBilledMs"] / 1000 * memory_mb / 1024
    traces = use["executions"] + use["eventBridgeEvents"]  # each execution, each event the rule delivers
    per_order = {
        "Step Functions (transitions)": use["stateTransitions"] * p["stepFunctionsTransition"].usd,
        "Lambda (requests)": use["lambdaInvocations"] * p["lambdaRequest"].usd,
        "Lambda (GB-s)": gb_seconds * p["lambdaGbSecond"].usd,
        "DynamoDB (writes)": use["dynamodbWriteUnits"] * p["dynamodbWriteUnit"].usd,
        "DynamoDB (reads)": use["dynamodbReadUnits"] * p["dynamodbReadUnit"].usd,
        "EventBridge (events)": use["eventBridgeEvents"] * p["eventBridgeEvent"].usd,
        "EventBridge Scheduler": use["schedulerInvocations"] * p["schedulerInvocation"].usd,
        "SNS (ops alerts)": use["opsPublishes"] * p["snsPublish"].usd,
        "CloudWatch Logs": use["logBytes"] / 1e9 * p["logsIngestedGb"].usd,
        "X-Ray (5% sampled)": traces * XRAY_SAMPLED * p["xrayTrace"].usd,
    }
    out = {k: round(v * 1e6, 2) for k, v in per_order.items()}
    out["total"] = round(sum(per_order.values()) * 1e6, 2)
    return out


def daily_scan_baseline(happy: dict[str, Any]) -> dict[str, Any]:
    """A naive alternative, costed the same way: intake stores each order event on the order's item (one
    Lambda invocation and one write of a ~2 KB item each), and once a day a scheduled function scans every
    open order (eventually consistent Scan, ~2 KB per order) and sends what became due, recording each contact
    in a ledger (1 write). An order stays open ~40 days (sale to satisfaction check). Step Functions, timers and
    the inbox are gone; so is telling the customer within seconds: a slip is noticed at the next scan."""
    days_open, item_kb, events = 40, 2.0, 4
    contacts = happy["emails"] + happy["sms"]
    return {
        "stateTransitions": 0,
        "executions": 0,
        "lambdaInvocations": events + 30 / 1e6,  # the daily scan: 30 invocations a month, shared by all
        "lambdaBilledMs": events * 20 + days_open * 2 + contacts * 20,  # 2 ms per order and scan
        "dynamodbWriteUnits": events * 2 + contacts * 1,
        "dynamodbReadUnits": days_open * (item_kb / 4) * 0.5,
        "eventBridgeEvents": events,
        "schedulerInvocations": 30 / 1e6,
        "opsPublishes": 0,
        "logBytes": events * 1500 + contacts * 500,
        "emails": happy["emails"],
        "sms": happy["sms"],
    }


def measure() -> dict[str, Any]:
    memory = lambda_memory_mb()
    scenarios = {name: usage(example) for name, example in SCENARIOS.items()}
    costs = {name: cost_per_million(use, memory) for name, use in scenarios.items()}
    baseline = daily_scan_baseline(scenarios["happy"])
    return {
        "lambdaMemoryMb": memory,
        "callLatencyMsAssumed": metering.CALL_LATENCY_MS,
        "pricesReadOn": PRICES_READ_ON,
        "prices": {k: {"usd": v.usd, "per": v.per, "url": v.url} for k, v in PRICES.items()},
        "usagePerOrder": scenarios,
        "usdPerMillionOrders": costs,
        "dailyScanBaseline": {"usagePerOrder": baseline, "usdPerMillionOrders": cost_per_million(baseline, memory)},
        "targetHappyUsd": TARGET_HAPPY_USD,
        "happyMet": costs["happy"]["total"] <= TARGET_HAPPY_USD,
    }


def markdown(figures: dict[str, Any]) -> str:
    costs = figures["usdPerMillionOrders"]
    base = figures["dailyScanBaseline"]["usdPerMillionOrders"]
    names = list(costs)
    lines = [
        "| USD per 1M orders | " + " | ".join(names) + " | daily-scan baseline (happy) |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    for service in costs["happy"]:
        cells = [f"{costs[n][service]:,.2f}" for n in names] + [f"{base[service]:,.2f}"]
        label = f"**{service}**" if service == "total" else service
        lines.append(f"| {label} | " + " | ".join(f"**{c}**" if service == "total" else c for c in cells) + " |")
    use = figures["usagePerOrder"]
    lines += [
        "",
        "| per order (measured) | " + " | ".join(names) + " | baseline |",
        "|---|" + "---:|" * (len(names) + 1),
    ]
    baseline_use = figures["dailyScanBaseline"]["usagePerOrder"]
    for key in (
        "stateTransitions",
        "lambdaInvocations",
        "lambdaBilledMs",
        "awsCalls",
        "dynamodbWriteUnits",
        "dynamodbReadUnits",
        "eventBridgeEvents",
        "schedulerInvocations",
        "opsPublishes",
        "logBytes",
        "emails",
        "sms",
    ):
        value = baseline_use.get(key, "")
        lines.append(
            f"| {key} | "
            + " | ".join(f"{use[n][key]:g}" for n in names)
            + f" | {round(value, 2) if isinstance(value, float) else value} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args()
    figures = measure()
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        print(markdown(figures))
        if not args.markdown:
            met = "met" if figures["happyMet"] else "NOT met"
            total = figures["usdPerMillionOrders"]["happy"]["total"]
            print(f"\nhappy order: ${total:,.2f} per 1M (target <= $400: {met})")


if __name__ == "__main__":
    main()
