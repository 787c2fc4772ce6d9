"""A sku delay larger than one intake invocation can reach: the real handlers on moto, with the simulated Lambda
context's time running out after every group of orders (a short function timeout and small groups stand in for
thousands of orders), so the delay goes on in continuations of intake (``Sku Delay Continued``)."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from outreach_lambda.services import intake
from outreach_lambda.wiring import FunctionName

from outreach.simulator import moto_runtime, world
from tests.simulation.conftest import BASE_ORDER, event, simulate

ORDERS = 8
GROUP = 3


def _velvet_order(n: int) -> dict[str, Any]:
    detail = copy.deepcopy(BASE_ORDER)
    detail.update(orderId=f"SO-{n:03d}", items=[{"sku": "VELVET", "description": "sofa", "quantity": 1}])
    detail["customer"] = {**detail["customer"], "email": f"c{n}@example.com"}
    return {"at": f"PT{n}M", "detailType": "Order Placed", "detail": detail}


def _scenario() -> list[dict[str, Any]]:
    delay = {"sku": "VELVET", "estimatedCompletion": "2026-11-28", "reason": "mill strike"}
    return [
        *(_velvet_order(n) for n in range(ORDERS)),
        event("P1D", "Order Cancelled", orderId="SO-004"),
        {"at": "P3D", "detailType": "Production Delayed", "detail": delay},
    ]


@pytest.fixture
def one_group_per_invocation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each intake invocation has time for one group of orders: the timeout is 100 ms (10 AWS calls) above the
    margin, and a group of three takes about 11 calls."""
    monkeypatch.setattr(intake, "SKU_DELAY_GROUP", GROUP)
    monkeypatch.setattr(moto_runtime, "FUNCTION_TIMEOUT", timedelta(milliseconds=intake.CONTINUE_BELOW_MS + 100))


def test_given_a_sku_delay_longer_than_an_invocation_then_every_open_order_is_told_once_and_ops_once(
    one_group_per_invocation: None,
) -> None:
    result = simulate(_scenario(), until="P4D")

    told = Counter(c["orderId"] for c in result.contacts if c["kind"] == "delay_notice")
    open_orders = {f"SO-{n:03d}" for n in range(ORDERS)} - {"SO-004"}
    assert told == dict.fromkeys(open_orders, 1)
    assert {c["at"] for c in result.contacts if c["kind"] == "delay_notice"} == {"2026-11-05T09:00:00Z"}
    [batch] = [a for a in result.alerts if a["kind"] == "batch_delay"]
    assert batch["details"] == {
        "sku": "VELVET",
        "reason": "mill strike",
        "orders": 7,
        "customersTold": 7,
        "absorbedByPadding": 0,
    }
    assert result.rejected == []
    # The order events (8 placed, 1 cancelled) and the delay, then one continuation per group after the first
    # (8 orders, the cancelled one among them, in groups of 3: three invocations for the delay).
    intake_name = world.function_name(FunctionName.INTAKE)
    assert result.meter.invocations[intake_name] == ORDERS + 1 + 3
    assert result.meter.events == ORDERS + 1 + 3


def test_given_the_full_timeout_then_the_same_delay_takes_one_invocation_and_tells_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(intake, "SKU_DELAY_GROUP", GROUP)
    result = simulate(_scenario(), until="P4D")

    told = Counter(c["orderId"] for c in result.contacts if c["kind"] == "delay_notice")
    assert sorted(told) == sorted(f"SO-{n:03d}" for n in range(ORDERS) if n != 4)
    assert set(told.values()) == {1}
    assert result.meter.invocations[world.function_name(FunctionName.INTAKE)] == ORDERS + 1 + 1


@pytest.mark.slow
def test_given_a_sliced_sku_delay_then_the_fast_path_and_plain_moto_report_the_same(
    one_group_per_invocation: None,
) -> None:
    """The context's time counts AWS calls, not CPU time: where the slices fall is the same on every run."""
    from outreach.simulator import runner
    from outreach.simulator.scenario import parse

    raw = {"name": "sliced", "start": "2026-11-02T09:00:00Z", "until": "P4D", "config": {}, "events": _scenario()}
    runs = [runner.run(parse(raw), fast=fast) for fast in (True, False)]
    outputs = [r.to_json() for r in runs]
    for output in outputs:
        output["stats"].pop("wallSeconds")

    assert outputs[0] == outputs[1]
    assert runs[0].meter.invocations == runs[1].meter.invocations
