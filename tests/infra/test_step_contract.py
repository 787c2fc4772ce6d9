"""The state machine definition and the typed step contract agree: a rename on either side fails here.

Walks the ASL from StartAt, tracking which model the state data is at each state (the execution input,
then the timeline's result), and checks every ``$.x`` path, every ``$.Payload.x`` selection, every
Lambda payload, every Choice value and every ``${...}`` substitution against ``outreach_lambda.step_contract``
and ``outreach_lambda.wiring``.
"""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.step_contract import STATE_DATA, STEPS, ExecutionInput, StepModel
from outreach_lambda.wiring import DEFINITION_SUBSTITUTIONS, FunctionName

ASL_FILE = Path(__file__).resolve().parents[2] / "statemachines" / "order_timeline.asl.json"
SUBSTITUTION = re.compile(r"^\$\{(\w+)\}$")
LAMBDA_TASKS = ("arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken")


def aliases(model: type[StepModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def required(model: type[StepModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items() if field.is_required()}


def field_of(model: type[StepModel], alias: str) -> Any:
    return next(f for n, f in model.model_fields.items() if (f.alias or n) == alias)


def top_field(path: str, prefix: str = "$.") -> str:
    assert path.startswith(prefix), f"{path!r} is not a {prefix}... path"
    return re.split(r"[.\[]", path[len(prefix) :], maxsplit=1)[0]


class Walk:
    """Every state reached from StartAt, with the model of the state data it receives."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.states: dict[str, dict[str, Any]] = definition["States"]
        self.reached: list[tuple[str, type[StepModel]]] = []
        pending: list[tuple[str, type[StepModel]]] = [(definition["StartAt"], ExecutionInput)]
        seen: set[tuple[str, type[StepModel]]] = set()
        while pending:
            name, model = pending.pop()
            if (name, model) in seen:
                continue
            seen.add((name, model))
            self.reached.append((name, model))
            state = self.states[name]
            out = self.output_model(state, model)
            for target in self.successors(state):
                pending.append((target, out))

    @staticmethod
    def successors(state: dict[str, Any]) -> Iterator[str]:
        if "Next" in state:
            yield state["Next"]
        for choice in state.get("Choices", []):
            yield choice["Next"]
        if "Default" in state:
            yield state["Default"]

    @staticmethod
    def output_model(state: dict[str, Any], model: type[StepModel]) -> type[StepModel]:
        if state.get("ResultPath", "$") is None or state["Type"] in ("Choice", "Succeed", "Pass"):
            return model
        if state["Type"] == "Task" and "ResultSelector" in state:
            selected = {key.removesuffix(".$") for key in state["ResultSelector"]}
            assert selected == aliases(STATE_DATA), (
                f"the ResultSelector of a task must produce exactly the state data {STATE_DATA.__name__}: "
                f"{sorted(selected)} != {sorted(aliases(STATE_DATA))}"
            )
            return STATE_DATA
        raise AssertionError(f"state {state} changes the state data in a way the contract does not describe")


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(ASL_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def walk(definition: dict[str, Any]) -> Walk:
    return Walk(definition)


def lambda_tasks(states: dict[str, dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any], FunctionName]]:
    """Every Lambda task, also inside a Map's item processor, with the function it invokes."""
    for name, state in states.items():
        if state["Type"] == "Map":
            yield from lambda_tasks(state["ItemProcessor"]["States"])
        if state.get("Resource") in LAMBDA_TASKS:
            match = SUBSTITUTION.match(state["Parameters"]["FunctionName"])
            assert match, f"{name}: FunctionName must be a ${{...}} substitution"
            yield name, state, DEFINITION_SUBSTITUTIONS[match.group(1)]


def test_given_the_definition_then_its_substitutions_are_exactly_the_wiring_tables(definition) -> None:
    used = set(re.findall(r"\$\{(\w+)\}", ASL_FILE.read_text(encoding="utf-8")))

    assert used == set(DEFINITION_SUBSTITUTIONS)


def test_given_every_lambda_task_then_it_invokes_a_function_of_the_contract(definition) -> None:
    invoked = {function for _, _, function in lambda_tasks(definition["States"])}

    assert invoked == set(STEPS)


def test_given_every_state_reached_then_each_dollar_path_it_reads_is_a_field_of_the_state_data(walk: Walk) -> None:
    for name, model in walk.reached:
        state = walk.states[name]
        paths = [v for k, v in _payload_items(state) if k.endswith(".$") and v.startswith("$.")]
        paths += [state[k] for k in ("ItemsPath", "InputPath") if k in state]
        paths += [choice["Variable"] for choice in state.get("Choices", [])]
        paths += [v for k, v in state.get("ItemSelector", {}).items() if k.endswith(".$") and v.startswith("$.")]
        for path in paths:
            assert top_field(path) in aliases(model), f"{name}: {path} is not a field of {model.__name__}"


def test_given_every_lambda_task_then_its_payload_is_exactly_the_functions_request(
    walk: Walk, definition: dict[str, Any]
) -> None:
    for name, state, function in lambda_tasks(definition["States"]):
        request, _ = STEPS[function]
        parameters = state["Parameters"]
        if "Payload.$" in parameters:
            # The whole state input is the payload: in a Map item, the ItemSelector builds it.
            assert parameters["Payload.$"] == "$", f"{name}: payload must be the item as selected"
            keys = {k.removesuffix(".$") for k in _map_of(definition, name)["ItemSelector"]}
        else:
            keys = {k.removesuffix(".$") for k in parameters["Payload"]}
        assert keys <= aliases(request), f"{name}: {sorted(keys - aliases(request))} not in {request.__name__}"
        assert required(request) <= keys, f"{name}: {sorted(required(request) - keys)} missing for {request.__name__}"


def test_given_every_result_selector_then_each_payload_path_is_a_field_of_the_functions_result(definition) -> None:
    for name, state, function in lambda_tasks(definition["States"]):
        _, result = STEPS[function]
        for key, path in state.get("ResultSelector", {}).items():
            assert key.endswith(".$") and path.startswith("$.Payload."), f"{name}: {key}: {path}"
            assert top_field(path, "$.Payload.") in aliases(result), f"{name}: {path} not in {result.__name__}"
        if state.get("OutputPath") == "$.Payload":
            continue  # the whole result; nothing selected by name


def test_given_the_choice_then_every_value_is_a_run_status_and_every_final_status_has_a_branch(walk: Walk) -> None:
    for name, model in walk.reached:
        state = walk.states[name]
        if state["Type"] != "Choice":
            continue
        branched: set[str] = set()
        for choice in state["Choices"]:
            allowed = set(typing.get_args(field_of(model, top_field(choice["Variable"])).annotation))
            assert choice["StringEquals"] in allowed, f"{name}: {choice['StringEquals']!r} not in {sorted(allowed)}"
            branched.add(choice["StringEquals"])
        status = set(typing.get_args(field_of(model, "status").annotation))
        assert branched == status - {"running"}, f"{name}: branches {sorted(branched)} for statuses {sorted(status)}"


def _payload_items(state: dict[str, Any]) -> list[tuple[str, Any]]:
    payload = state.get("Parameters", {}).get("Payload", {})
    return list(payload.items()) if isinstance(payload, dict) else []


def _map_of(definition: dict[str, Any], task: str) -> dict[str, Any]:
    for state in definition["States"].values():
        if state["Type"] == "Map" and task in state["ItemProcessor"]["States"]:
            return state
    raise AssertionError(f"{task} is not inside a Map")
