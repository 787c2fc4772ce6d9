"""Suppression and opt-out through the real state machine: who receives what (scenario keys ``optOuts`` and
``suppressed``)."""

from __future__ import annotations

from typing import Any

import pytest

from outreach.simulator import runner
from outreach.simulator.scenario import ScenarioError, parse
from tests.simulation.conftest import START, timeline

SMS = {"phone": "+4915112345678", "channels": ["email", "sms"]}


def run(events: list[dict[str, Any]], **extra: Any) -> runner.SimulationResult:
    scenario = parse({"name": "opt-outs", "start": START, "until": "P40D", "events": events, **extra})
    result = runner.run(scenario)
    assert result.errors == []
    return result


def test_given_an_opted_out_customer_then_only_the_confirmation_and_the_delay_notice_reach_them(
    happy_events: list[dict[str, Any]],
) -> None:
    delayed = {
        "at": "P5D",
        "detailType": "Production Delayed",
        "detail": {"orderId": "SO-1", "estimatedCompletion": "2026-11-30T12:00:00Z"},
    }
    events = [*happy_events[:1], delayed]

    result = run(events, optOuts=["Ada@Example.com"])

    assert [kind for _, _, kind, _ in timeline(result)] == ["order_confirmation", "delay_notice"]
    assert result.alerts and {a["kind"] for a in result.alerts} <= {"promise_at_risk", "production_overdue"}


def test_given_a_happy_order_of_an_opted_out_customer_then_nothing_but_the_confirmation_goes(
    happy_events: list[dict[str, Any]],
) -> None:
    result = run(happy_events, optOuts=["ada@example.com"])

    assert [kind for _, _, kind, _ in timeline(result)] == ["order_confirmation"]
    assert result.orders[0]["status"] == "SUCCEEDED"  # the timeline still ran to its end


def test_given_an_email_address_on_the_ses_suppression_list_then_the_customer_is_reached_by_sms_only(
    happy_events: list[dict[str, Any]],
) -> None:
    events = [
        dict(
            happy_events[0],
            detail={**happy_events[0]["detail"], "customer": {**happy_events[0]["detail"]["customer"], **SMS}},
        )
    ]

    result = run(events, suppressed=["ada@example.com"], until="P2D")

    assert [(kind, channel) for _, _, kind, channel in timeline(result)] == [("order_confirmation", "sms")]


def test_given_an_invalid_opt_out_address_then_the_scenario_error_names_it() -> None:
    with pytest.raises(ScenarioError, match=r"optOuts\[1\]: neither an e-mail address"):
        parse({"name": "x", "start": START, "optOuts": ["ada@example.com", "ada"]})
