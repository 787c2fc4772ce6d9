"""The metrics ops' dashboard and alarms read, as the functions publish them (CloudWatch EMF records in the
handlers' log), for what happened in a simulated order's life."""

from __future__ import annotations

import io
import json
from typing import Any

from outreach.simulator import runner
from outreach.simulator.scenario import parse
from tests.simulation.conftest import START, placed


def emitted(
    events: list[dict[str, Any]], faults: list[dict[str, Any]] | None = None, until: str = "P12D"
) -> list[dict[str, Any]]:
    """Every EMF metric record the handlers wrote during the run."""
    log = io.StringIO()
    scenario = parse({"name": "metrics", "start": START, "until": until, "events": events, "faults": faults or []})
    runner.run(scenario, log=log)
    records = []
    for line in log.getvalue().splitlines():
        if line.startswith("{") and '"_aws"' in line:
            records.append(json.loads(line))
    return records


def metric(records: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    found = []
    for record in records:
        for directive in record["_aws"]["CloudWatchMetrics"]:
            if any(m["Name"] == name for m in directive["Metrics"]):
                assert directive["Namespace"] == "Outreach"
                dimensions = {key: record[key] for keys in directive["Dimensions"] for key in keys}
                found.append(dimensions)
    return found


def test_given_an_order_then_each_contact_sent_is_counted_per_kind_and_channel() -> None:
    records = emitted([placed(customer={"phone": "+4915112345678", "channels": ["email", "sms"]})])

    by_kind = metric(records, "ContactsSentByKind")
    assert {"service": "outreach", "kind": "order_confirmation", "channel": "email"} in by_kind
    assert {"service": "outreach", "kind": "order_confirmation", "channel": "sms"} in by_kind
    assert {"service": "outreach", "kind": "production_update", "channel": "email"} in by_kind


def test_given_a_lost_timer_then_the_late_wake_up_is_counted_as_a_timer_overdue_once() -> None:
    # The production update's timer (13 Nov 09:00Z) is never delivered: the wait's safety net wakes it an hour late.
    lost = emitted([placed()], [{"from": "P11D", "until": "P11DT1M", "target": "timers"}])
    on_time = emitted([placed()])

    assert metric(lost, "TimersOverdue") == [{"service": "outreach"}]
    assert metric(on_time, "TimersOverdue") == []
