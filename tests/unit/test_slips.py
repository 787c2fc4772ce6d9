"""Slip rules at their boundary: a new forecast against the promise, straight on an order state.

Default order (see domain_builders.placed_detail): promised Monday 30 November 2026, forecast 23 November.
"""

from __future__ import annotations

from datetime import date

import pytest
from domain_builders import OrderRun, at
from outreach_lambda.domain.model import Alert, OrderState
from outreach_lambda.domain.slips import check_forecast

NOW = at("2026-11-12T10:00:00Z")


@pytest.fixture
def state(order: OrderRun) -> OrderState:
    """SO-1 placed on 2 Nov, promised for 30 Nov."""
    order.place()
    assert order.state is not None
    return order.state


def test_given_forecast_inside_the_promise_when_checked_then_ops_alerted_and_nothing_for_the_customer(
    order: OrderRun, state: OrderState
) -> None:
    alerts: list[Alert] = []
    notes: list[str] = []

    check_forecast(
        state, "production_delay", date(2026, 11, 28), "fabric late", "test", NOW, order.config, alerts, notes
    )

    assert len(state.quotes) == 1
    assert state.delay_notices == 0
    assert state.slipped is True
    assert [a.kind for a in alerts] == ["promise_at_risk"]
    assert alerts[0].details["customerTold"] is False
    assert alerts[0].details["absorbedByPadding"] is True
    assert notes == ["test: forecast 2026-11-28 is inside the promise 2026-11-30, absorbed by padding"]


def test_given_forecast_past_the_promise_when_checked_then_requoted_and_delay_notice_triggered_now(
    order: OrderRun, state: OrderState
) -> None:
    alerts: list[Alert] = []

    check_forecast(state, "production_delay", date(2026, 12, 3), "fabric late", "test", NOW, order.config, alerts, [])

    assert state.promised == date(2026, 12, 10)
    assert state.quotes[-1].cause == "test"
    assert state.delay_notices == 1
    assert state.triggers["delay_notice#1"] == NOW
    assert alerts[0].details["customerTold"] is True
    assert alerts[0].details["newPromisedDate"] == "2026-12-10"
