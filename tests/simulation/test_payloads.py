"""The checked-in payload fixtures (``tests/fixtures/payloads/``) have exactly the shape of what each function
really receives from the state machine, EventBridge, Scheduler and intake: captured from a simulation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.handlers import intake, sender, timeline

from tests.simulation.conftest import simulate

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"


def shape(value: Any) -> Any:
    """Keys and JSON types, recursively; lists by the shape of their first element."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch, happy_events) -> dict[str, list[dict[str, Any]]]:
    """Every payload each function received in a happy path plus a catalog request and late feedback."""
    seen: dict[str, list[dict[str, Any]]] = {}
    for module in (intake, timeline, sender):
        real = module.handler

        def recording(event: Any, context: Any, real: Any = real, name: str = module.__name__) -> Any:
            seen.setdefault(name.rsplit(".", 1)[-1], []).append(json.loads(json.dumps(event)))
            return real(event, context)

        monkeypatch.setattr(module, "handler", recording)
    catalog = {
        "at": "PT1H",
        "detailType": "Catalog Requested",
        "detail": {"requestId": "CAT-1", "customer": {"name": "Grace Hopper", "email": "grace@example.com"}},
    }
    late_feedback = {"at": "P30D", "detailType": "Feedback Received", "detail": {"orderId": "SO-1", "rating": 5}}
    simulate([*happy_events, catalog, late_feedback])
    return seen


def fixture(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


def test_given_a_simulated_order_then_every_fixture_has_the_shape_its_function_really_receives(received) -> None:
    shapes = {name: [shape(p) for p in payloads] for name, payloads in received.items()}

    assert shape(fixture("timeline")) in shapes["timeline"]
    # timeline_wait is what a wait of the older definition sends (lambda:invoke.waitForTaskToken); the current
    # definition's waits park with their own DynamoDB write and send the timeline function nothing.
    assert shape(fixture("timeline_wait")) not in shapes["timeline"]
    assert shape(fixture("timeline_wake")) in shapes["timeline"]
    assert shape(fixture("sender_catalog")) in shapes["sender"]
    assert shape(fixture("sender")) in shapes["sender"]
    # EventBridge envelopes: the same envelope fields; an order's detail is checked by its model elsewhere.
    placed = next(p for p in received["intake"] if p["detail-type"] == "Order Placed")
    timer = next(p for p in received["intake"] if p["detail-type"] == "Timer Due")
    assert shape(fixture("intake")).keys() == shape(placed).keys()
    assert shape(fixture("intake_timer")) == shape(timer)
