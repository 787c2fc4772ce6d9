"""Fast path 120: what the fast paths compile per shape or operation model is kept from one run to the next.

Given runs in one process (fast path 118 hands each the same models), then the second run compiles nothing the first
compiled, both answer what plain moto answers, every kept check and converter answers what one compiled afresh
answers over random parameters, the kept plans of an operation model are what a fresh look at it makes, and past
``MAX_KEPT`` the kept checks and converters are forgotten.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.simulator import happy_orders
from outreach.simulator import (
    call_events,
    client_classes,
    direct_calls,
    moto_runtime,
    param_checks,
    request_params,
    runner,
)
from outreach.simulator.scenario import parse
from tests.simulation.test_json_answers import _same
from tests.simulation.test_param_checks import _value


def _report(result: Any) -> Any:
    out = result.to_json()
    out["stats"].pop("wallSeconds", None)
    return out


@pytest.fixture(scope="module")
def kept_after_two_runs() -> dict[str, Any]:
    scenario = parse(happy_orders(2))
    first = _report(runner.run(scenario))
    compiled: list[Any] = []
    original = param_checks._compile

    def spy(shape: Any) -> Any:
        compiled.append(shape)
        return original(shape)

    param_checks._compile = spy  # type: ignore[assignment]
    try:
        second = _report(runner.run(scenario))
    finally:
        param_checks._compile = original  # type: ignore[assignment]
    plain = _report(runner.run(scenario, fast=False))
    return {
        "reports": (first, second, plain),
        "compiled again": compiled,
        "checks": list(param_checks._checks.values()),
        "converters": list(request_params._converters.values()),
        "shapes": _kept_shapes(),
    }


def test_given_two_runs_then_the_second_compiles_nothing_and_both_answer_as_plain_moto(
    kept_after_two_runs: dict[str, Any],
) -> None:
    first, second, plain = kept_after_two_runs["reports"]
    assert first == second == plain
    assert kept_after_two_runs["compiled again"] == []
    assert kept_after_two_runs["checks"] and kept_after_two_runs["converters"]


def _kept_shapes() -> list[Any]:
    shapes = {id(shape): shape for shape, _ in param_checks._checks.values()}
    shapes.update({id(shape): shape for shape, _ in request_params._converters.values()})
    return [shape for shape in shapes.values() if shape.type_name == "structure" and shape.members]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_given_a_kept_check_or_converter_then_it_answers_as_one_compiled_afresh(
    kept_after_two_runs: dict[str, Any], data: Any
) -> None:
    shape = data.draw(st.sampled_from(kept_after_two_runs["shapes"]))
    params = _value(data.draw, shape, 0)
    assert param_checks.check_of(shape)(params) == param_checks._compile(shape)(params)
    kept = request_params._converters.get(id(shape))
    if kept is not None:
        fresh = request_params._compile(shape)(params)
        got = kept[1](params)
        assert (got is request_params.FAIL) == (fresh is request_params.FAIL)
        if got is not request_params.FAIL:
            assert _same(got, fresh)


def test_given_a_kept_operation_model_then_its_plans_are_a_fresh_looks(kept_after_two_runs: dict[str, Any]) -> None:
    models = [model for _, model in client_classes._models.values()]
    assert models
    for service_model in models:
        for name in service_model.operation_names:
            operation = service_model.operation_model(name)
            assert call_events.call_names(operation) == call_events.call_names.__wrapped__(operation)
            assert moto_runtime._call_plan(operation) == moto_runtime._call_plan.__wrapped__(operation)
            assert direct_calls._operation_plan(operation) == direct_calls._operation_plan.__wrapped__(operation)


def test_given_more_than_max_kept_then_the_checks_and_converters_are_forgotten(monkeypatch: Any) -> None:
    monkeypatch.setattr(param_checks, "MAX_KEPT", 1)
    param_checks._checks.update({-1: (None, None), -2: (None, None)})
    request_params._converters.update({-1: (None, None), -2: (None, None)})
    param_checks.bound()
    request_params.bound()
    assert not param_checks._checks and not request_params._converters
