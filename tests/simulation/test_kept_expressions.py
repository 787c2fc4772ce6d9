"""Fast path 121: what the DynamoDB fast paths learnt per expression is kept from one run to the next.

Given runs in one process, then the second run lexes, parses and plans no expression the first did, both answer
what plain moto answers, every condition kept from them is moto's parse of its text, names and values (its
structure, its value on items, the names and placeholders found), and past the bound each collection is forgotten.
"""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.comparisons import ConditionExpressionParser
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from benchmarks.simulator import happy_orders
from outreach.simulator import fast_calls, runner
from outreach.simulator.scenario import parse


def _report(result: Any) -> Any:
    out = result.to_json()
    out["stats"].pop("wallSeconds", None)
    return out


@pytest.fixture(scope="module")
def two_runs() -> dict[str, Any]:
    scenario = parse(happy_orders(2))
    first = _report(runner.run(scenario))
    learnt = {
        "lexed": len(fast_calls._lexed),
        "plans": len(fast_calls._plans),
        "conditions": len(fast_calls._conditions),
    }
    counted = {"lex": 0, "plan": 0}
    original_lex, original_plan = fast_calls._original_lex, fast_calls._make_plan

    def lex(self: Any) -> Any:
        counted["lex"] += 1
        return original_lex(self)

    def plan(*args: Any) -> Any:
        counted["plan"] += 1
        return original_plan(*args)

    fast_calls._original_lex, fast_calls._make_plan = lex, plan  # type: ignore[assignment]
    try:
        second = _report(runner.run(scenario))
    finally:
        fast_calls._original_lex, fast_calls._make_plan = original_lex, original_plan  # type: ignore[assignment]
    plain = _report(runner.run(scenario, fast=False))
    return {
        "reports": (first, second, plain),
        "learnt": learnt,
        "counted": counted,
        "conditions": dict(fast_calls._conditions),
        "placeholders": dict(fast_calls._placeholders),
    }


def test_given_two_runs_then_the_second_learns_nothing_again_and_both_answer_as_plain_moto(
    two_runs: dict[str, Any],
) -> None:
    first, second, plain = two_runs["reports"]
    assert first == second == plain
    assert all(two_runs["learnt"].values())  # the first run learnt texts, plans and conditions ...
    assert two_runs["counted"] == {"lex": 0, "plan": 0}  # ... which the second found kept


def _thawed(frozen: Any) -> Any:
    """A value ``fast_calls._frozen`` froze, as it was."""
    kind, content = frozen
    if kind is dict:
        return {key: _thawed(value) for key, value in content}
    if kind is list:
        return [_thawed(value) for value in content]
    return content


_ITEMS = [
    {"pk": {"S": "P"}},
    {"pk": {"S": "P"}, "version": {"N": "1"}, "runStatus": {"S": "running"}, "status": {"S": "claimed"}},
    {"pk": {"S": "P"}, "version": {"N": "7"}, "claimedAt": {"S": "2026-01-01T00:00:00Z"}, "tokens": {"N": "0"}},
]


def _described(op: Any, names_found: list[str], values_found: list[str]) -> Any:
    evaluated = []
    for attrs in _ITEMS:
        try:
            evaluated.append(op.expr(Item(DynamoType({"S": "P"}), None, attrs)))
        except Exception as exc:  # an item a condition cannot be evaluated on: moto's error
            evaluated.append(type(exc).__name__)
    return repr(op), evaluated, list(names_found), list(values_found)


def test_given_the_kept_conditions_then_each_is_moto_s_parse_of_its_text_names_and_values(
    two_runs: dict[str, Any],
) -> None:
    kept = two_runs["conditions"]
    assert kept
    for ((text, frozen_names), frozen_values), (op, names_found, values_found) in kept.items():
        names = _thawed(frozen_names)
        used = two_runs["placeholders"][text, frozen_names]
        values = dict(zip(used, (_thawed(value) for value in frozen_values), strict=True))
        parser = ConditionExpressionParser(text, names, values)
        expected = _described(parser.parse(), parser.expr_attr_names_found, parser.expr_attr_values_found)
        assert _described(op, names_found, values_found) == expected, text


def test_given_more_than_the_bound_then_each_collection_is_forgotten(monkeypatch: Any) -> None:
    monkeypatch.setattr(fast_calls, "_CONDITIONS_KEPT", 0)
    kept = (fast_calls._lexed, fast_calls._plans, fast_calls._conditions, fast_calls._skeletons)
    for collection in kept:
        collection[("x",)] = None  # type: ignore[index]
    fast_calls._passed.add(("x",))
    fast_calls._placeholders[("x",)] = ()
    fast_calls.forget_run()
    assert not any(kept) and not fast_calls._passed and not fast_calls._placeholders
