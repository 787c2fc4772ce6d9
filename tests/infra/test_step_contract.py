"""The state machine definition and the typed step contract agree: a rename on either side fails here.

Walks the ASL from StartAt, tracking which model the state data is at each state (the execution input, then
the timeline's result, plus what a Catch adds), and checks every ``$.x`` path, every ``$.Payload.x``
selection, every Lambda payload, every Choice value and every ``${...}`` substitution against
``outreach_lambda.step_contract`` and ``outreach_lambda.wiring``.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.domain.stages import Phase
from outreach_lambda.step_contract import STATE_DATA, TASK_REQUESTS, TASK_RESULT, ExecutionInput, StepModel
from outreach_lambda.wiring import DEFINITION_RESOURCES, DEFINITION_SUBSTITUTIONS

ASL_FILE = Path(__file__).resolve().parents[2] / "statemachines" / "order_timeline.asl.json"
SUBSTITUTION = re.compile(r"^\$\{(\w+)\}$")
PLAIN_TASK = "arn:aws:states:::lambda:invoke"
CALLBACK_TASK = "arn:aws:states:::lambda:invoke.waitForTaskToken"
#: A "Waiting for ..." state: stores its task token on the order (tests/infra/test_park_write.py checks the write).
PARK_TASK = "arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken"

# The state data at a state: a model plus the fields a Catch put there (its ResultPath).
Data = tuple[type[StepModel], frozenset[str]]


def aliases(model: type[StepModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def required(model: type[StepModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items() if field.is_required()}


def top_field(path: str, prefix: str = "$.") -> str:
    assert path.startswith(prefix), f"{path!r} is not a {prefix}... path"
    return re.split(r"[.\[]", path[len(prefix) :], maxsplit=1)[0]


def request_model(keys: set[str]) -> type[StepModel]:
    """The request a task's payload is: the one whose required fields it carries and whose fields it has."""
    matches = [m for m in TASK_REQUESTS if required(m) <= keys <= aliases(m)]
    assert len(matches) == 1, f"payload {sorted(keys)} matches {matches} of {TASK_REQUESTS}"
    return matches[0]


class Walk:
    """Every state reached from StartAt, with the state data it receives."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.states: dict[str, dict[str, Any]] = definition["States"]
        self.reached: list[tuple[str, Data]] = []
        pending: list[tuple[str, Data]] = [(definition["StartAt"], (ExecutionInput, frozenset()))]
        seen: set[tuple[str, Data]] = set()
        while pending:
            name, data = pending.pop()
            if (name, data) in seen:
                continue
            seen.add((name, data))
            self.reached.append((name, data))
            state = self.states[name]
            for target in self.successors(state):
                pending.append((target, self.output(state, data)))
            for catch in state.get("Catch", []):
                pending.append((catch["Next"], (data[0], data[1] | {top_field(catch["ResultPath"])})))

    @staticmethod
    def successors(state: dict[str, Any]) -> Iterator[str]:
        if "Next" in state:
            yield state["Next"]
        for choice in state.get("Choices", []):
            yield choice["Next"]
        if "Default" in state:
            yield state["Default"]

    @staticmethod
    def output(state: dict[str, Any], data: Data) -> Data:
        if state["Type"] == "Pass" and "Result" in state:
            return (data[0], data[1] | {top_field(state["ResultPath"])})
        if state.get("ResultPath", "$") is None or state["Type"] in ("Choice", "Succeed", "Fail"):
            return data
        if state.get("Resource") in (CALLBACK_TASK, PARK_TASK):
            return (STATE_DATA, frozenset())  # the completed token's output is the state data itself
        if state.get("Resource") == PLAIN_TASK and "ResultSelector" in state:
            selected = {key.removesuffix(".$") for key in state["ResultSelector"]}
            assert selected == aliases(STATE_DATA), (
                f"a ResultSelector must produce exactly the state data {STATE_DATA.__name__}: "
                f"{sorted(selected)} != {sorted(aliases(STATE_DATA))}"
            )
            return (STATE_DATA, frozenset())
        raise AssertionError(f"state {state} changes the state data in a way the contract does not describe")


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(ASL_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def walk(definition: dict[str, Any]) -> Walk:
    return Walk(definition)


def lambda_tasks(states: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in states.items():
        if state.get("Resource") in (PLAIN_TASK, CALLBACK_TASK):
            match = SUBSTITUTION.match(state["Parameters"]["FunctionName"])
            assert match and match.group(1) in DEFINITION_SUBSTITUTIONS, f"{name}: FunctionName {match}"
            yield name, state


def paths_read(state: dict[str, Any]) -> list[str]:
    """Every ``$.x`` path a state reads from its input."""
    found: list[str] = []

    def scan(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                scan(v, k)
        elif isinstance(value, str) and key.endswith(".$") and value.startswith("$."):
            found.append(value)

    scan(state.get("Parameters", {}))
    found += [state[k] for k in ("ItemsPath", "InputPath", "TimeoutSecondsPath", "HeartbeatSecondsPath") if k in state]
    found += [choice["Variable"] for choice in state.get("Choices", [])]
    return found


def test_given_the_definition_then_its_substitutions_are_exactly_the_wiring_tables() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", ASL_FILE.read_text(encoding="utf-8")))

    assert used == set(DEFINITION_SUBSTITUTIONS) | set(DEFINITION_RESOURCES)


def test_given_every_state_reached_then_each_dollar_path_it_reads_is_a_field_of_the_state_data(walk: Walk) -> None:
    for name, (model, caught) in walk.reached:
        for path in paths_read(walk.states[name]):
            field = top_field(path)
            assert field in aliases(model) | caught, f"{name}: {path} is not a field of {model.__name__} {caught}"


def test_given_every_lambda_task_then_its_payload_is_exactly_one_request_of_the_contract(definition) -> None:
    seen = set()
    for name, state in lambda_tasks(definition["States"]):
        keys = {k.removesuffix(".$") for k in state["Parameters"]["Payload"]}
        model = request_model(keys)
        assert (state["Resource"] == CALLBACK_TASK) == ("taskToken" in keys), f"{name}: token iff a callback"
        seen.add(model)
    assert seen == set(TASK_REQUESTS)


def test_given_every_result_selector_then_each_payload_path_is_a_field_of_the_timelines_result(definition) -> None:
    for name, state in lambda_tasks(definition["States"]):
        for key, path in state.get("ResultSelector", {}).items():
            assert key.endswith(".$") and path.startswith("$.Payload."), f"{name}: {key}: {path}"
            assert top_field(path, "$.Payload.") in aliases(TASK_RESULT), f"{name}: {path} not in {TASK_RESULT}"


def test_given_the_choice_then_every_phase_has_exactly_one_branch(walk: Walk) -> None:
    phases = set(typing.get_args(Phase))
    choices = [(name, walk.states[name]) for name, _ in walk.reached if walk.states[name]["Type"] == "Choice"]
    assert choices
    for name, state in choices:
        values = [choice["StringEquals"] for choice in state["Choices"]]
        assert sorted(values) == sorted(phases), f"{name}: branches {sorted(values)} for phases {sorted(phases)}"
        assert {choice["Variable"] for choice in state["Choices"]} == {"$.phase"}


def test_given_every_wait_then_it_has_a_timeout_past_its_wake_time_and_ops_hear_of_any_failure(definition) -> None:
    states = definition["States"]
    tasks = dict(lambda_tasks(states))
    waits = {name: state for name, state in states.items() if state.get("Resource") == PARK_TASK}
    assert waits
    for name, state in [*tasks.items(), *waits.items()]:
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in state["Catch"]}
        assert catches[("States.ALL",)] == "Tell ops the timeline failed", name
    for name, state in waits.items():
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in state["Catch"]}
        assert state["TimeoutSecondsPath"] == "$.waitSeconds", name
        # The time came (the timer was lost): the order is advanced at once, then routed by its new phase.
        assert catches[("States.Timeout",)] in tasks, name
        assert states[catches[("States.Timeout",)]]["Next"] == "Where does the order stand?", name


def test_given_the_definition_then_it_sets_no_timeout_for_the_whole_execution(definition) -> None:
    # An order's execution lives as long as its timeline (weeks; each wait has its own timeout past its wake time).
    # The simulator's virtual clock models the waits' timeouts, not a top-level one: moto would time one out in
    # real seconds, and the simulator's fast path ignores it (docs/simulator.md, fast path 70).
    assert "TimeoutSeconds" not in definition and "TimeoutSecondsPath" not in definition
