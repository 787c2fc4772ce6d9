"""Fast paths 29 and 70: Task states and an execution's program run in the execution's own thread (``inline_states``).

Executions of a small state machine (a Lambda task, a Choice, a Pass in a Map of one item, a task waiting on its
token, a failing task caught and one not caught) are run with and without the fast paths: the same status, output,
error and cause, and the same history events (their types, ids and details).
"""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from moto import mock_aws

from outreach.simulator import moto_runtime
from outreach.simulator.inline_states import InlineThread

REGION = "us-east-1"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:step"
DEFINITION = {
    "StartAt": "Step",
    "States": {
        "Step": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": ARN, "Payload.$": "$"},
            "ResultSelector": {"answer.$": "$.Payload"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}],
            "Next": "Which",
        },
        "Which": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.answer.wait", "BooleanEquals": True, "Next": "Wait"}],
            "Default": "Each",
        },
        "Wait": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": ARN, "Payload": {"token.$": "$$.Task.Token"}},
            "Next": "Each",
        },
        "Each": {
            "Type": "Map",
            "ItemsPath": "$.answer.items",
            "ItemProcessor": {"StartAt": "One", "States": {"One": {"Type": "Pass", "End": True}}},
            "Next": "Last",
        },
        "Last": {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": ARN, "Payload": {"last": True, "items.$": "$"}},
            "End": True,
        },
        "Caught": {"Type": "Fail", "Error": "Caught", "Cause": "the first step failed"},
    },
}
INPUTS = [
    {"items": [1], "wait": False, "fail": False},
    {"items": [], "wait": True, "fail": False},
    {"items": [3], "wait": False, "fail": True},
    {"broken": True},
]
VOLATILE = {"timestamp", "taskToken", "executionArn", "roleArn", "resource", "parameters"}  # (a token in parameters)


def _stable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _run(fast: bool) -> list[Any]:
    tokens: list[str] = []

    def step(event: Any, context: Any) -> Any:
        if "token" in event:
            tokens.append(event["token"])
            return None
        if event.get("broken"):
            raise ValueError("no such order")
        if event.get("last"):
            if any(item["fail"] for item in event["items"]):
                raise RuntimeError("the last step failed")
            return {"done": True}
        return {"wait": event["wait"], "items": [{"fail": event["fail"]} for _ in event["items"]] or [{"fail": False}]}

    with (
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        moto_runtime.patched({"step": step}, fast=fast) as runtime,
    ):
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        boto3.client("lambda", region_name=REGION).create_function(
            FunctionName="step", Runtime="python3.12", Role=role, Handler="h.h", Code={"ZipFile": b"PK"}
        )
        sfn = boto3.client("stepfunctions", region_name=REGION)
        machine = sfn.create_state_machine(name="m", definition=json.dumps(DEFINITION), roleArn=role)
        arns = []
        for i, data in enumerate(INPUTS):
            arns.append(
                sfn.start_execution(stateMachineArn=machine["stateMachineArn"], name=f"e{i}", input=json.dumps(data))[
                    "executionArn"
                ]
            )
            runtime.quiescence.wait_idle(30)
        for token in tokens:
            sfn.send_task_success(taskToken=token, output=json.dumps({"answer": {"items": [{"fail": False}]}}))
            runtime.quiescence.wait_idle(30)
        out = []
        for arn in arns:
            described = sfn.describe_execution(executionArn=arn)
            history = sfn.get_execution_history(executionArn=arn, maxResults=1000)["events"]
            out.append(
                (
                    {k: described.get(k) for k in ("status", "output", "error", "cause")},
                    _stable(history),
                )
            )
        return out


def test_given_executions_when_run_in_their_own_threads_then_status_output_and_history_are_plain_motos():
    fast = _run(fast=True)
    plain = _run(fast=False)

    assert fast == plain
    statuses = [described["status"] for described, _ in fast]
    assert statuses == ["SUCCEEDED", "SUCCEEDED", "FAILED", "FAILED"]
    assert fast[3][0]["error"] == "Caught"


def test_given_a_target_when_started_inline_then_it_runs_at_once_with_its_arguments_and_is_forgotten():
    seen: list[Any] = []
    thread = InlineThread(
        target=lambda a, b=None: seen.append((a, b, threading.current_thread())), args=(1,), kwargs={"b": 2}
    )
    thread.start()
    thread.start()  # a second start runs nothing (the target was forgotten)
    thread.join(timeout=5)

    assert seen == [(1, 2, threading.current_thread())]
    assert not thread.is_alive()


def test_given_a_target_that_raises_when_started_inline_then_it_is_reported_as_a_thread_end_and_the_caller_goes_on(
    monkeypatch: pytest.MonkeyPatch,
):
    reported: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", reported.append)

    def boom() -> None:
        raise KeyboardInterrupt("stop")

    InlineThread(target=boom).start()
    InlineThread(target=lambda: (_ for _ in ()).throw(SystemExit(1))).start()  # ends a thread silently

    assert [type(args.exc_value) for args in reported] == [KeyboardInterrupt]
