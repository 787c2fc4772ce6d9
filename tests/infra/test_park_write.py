"""The waits' park: the state machine's "Waiting for ..." states store their task token with the very request the
orders adapter describes (``OrdersRepository.park`` / ``park_request``): same table, key, update, condition,
names and values. The item's key and attribute names are written once, in the adapter; this test is what keeps
the definition's copy from drifting apart silently (the definition stays readable as it is in the console).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.adapters.orders import park_request
from outreach_lambda.wiring import DEFINITION_RESOURCES, STATE_MACHINE_ACCESS, Access, Env

ASL_FILE = Path(__file__).resolve().parents[2] / "statemachines" / "order_timeline.asl.json"
PARK_TASK = "arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken"
FORMAT = re.compile(r"^States\.Format\('([^']*)', *\$\.(\w+)\)$")
#: What the failed condition is called in Step Functions' AWS SDK integration (service and error in PascalCase,
#: https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html).
CONDITION_FAILED = "DynamoDb.ConditionalCheckFailedException"


def resolve(value: Any, data: dict[str, Any], token: str) -> Any:
    """A task's Parameters as Step Functions evaluates them, for the forms the definition uses."""
    if isinstance(value, list):
        return [resolve(v, data, token) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, v in value.items():
        if not key.endswith(".$"):
            out[key] = resolve(v, data, token)
            continue
        if v == "$$.Task.Token":
            out[key[:-2]] = token
        elif (found := FORMAT.match(v)) is not None:
            out[key[:-2]] = found.group(1).replace("{}", str(data[found.group(2)]), 1)
        elif re.fullmatch(r"\$\.\w+", v):
            out[key[:-2]] = data[v[2:]]
        else:
            raise AssertionError(f"{key}: {v!r} is a path form this test does not evaluate")
    return out


@pytest.fixture(scope="module")
def waits() -> dict[str, dict[str, Any]]:
    states = json.loads(ASL_FILE.read_text(encoding="utf-8"))["States"]
    found = {name: state for name, state in states.items() if state.get("Resource") == PARK_TASK}
    assert len(found) == 5, sorted(found)
    return found


def test_given_each_wait_then_its_write_is_exactly_the_adapters_park(waits: dict[str, dict[str, Any]]) -> None:
    table = "${OrdersTableName}"
    assert DEFINITION_RESOURCES["OrdersTableName"] == Env.ORDERS_TABLE
    for phase in ("production", "closing"):
        data = {"orderId": "SO-1", "phase": phase, "wakeAt": None, "waitSeconds": 3600}
        for name, state in waits.items():
            assert resolve(state["Parameters"], data, "token-1") == park_request(table, "SO-1", "token-1", phase), name


def test_given_each_wait_when_it_cannot_park_or_times_out_then_the_order_is_advanced_at_once(
    waits: dict[str, dict[str, Any]],
) -> None:
    states = json.loads(ASL_FILE.read_text(encoding="utf-8"))["States"]
    for name, state in waits.items():
        catches = {tuple(c["ErrorEquals"]): c["Next"] for c in state["Catch"]}
        advance = states[catches[(CONDITION_FAILED,)]]
        assert catches[("States.Timeout",)] == catches[(CONDITION_FAILED,)], name
        assert advance["Resource"] == "arn:aws:states:::lambda:invoke", name
        assert advance["Next"] == "Where does the order stand?", name
        # A refused park is never retried as a failure: only throttling, internal errors and a failed hand-over.
        retried = {error for retrier in state["Retry"] for error in retrier["ErrorEquals"]}
        assert CONDITION_FAILED not in retried and not retried & {"States.ALL", "States.TaskFailed"}, name


def test_given_the_state_machine_then_it_may_only_update_items_of_the_orders_table() -> None:
    assert STATE_MACHINE_ACCESS[Env.ORDERS_TABLE] == Access.PARK
    assert set(STATE_MACHINE_ACCESS) == set(DEFINITION_RESOURCES.values())
