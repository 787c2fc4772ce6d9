"""The order timeline state machine: start one execution per order, complete its wait token."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import client, error_code
from outreach_lambda.step_contract import ExecutionInput

_NAME_OK = re.compile(r"^[A-Za-z0-9_-]{1,80}$")
#: SendTaskSuccess for a task that is gone: the execution ended, or the token was completed before.
TASK_GONE = frozenset({"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"})


def execution_name(order_id: str) -> str:
    """The orderId itself when it is a valid execution name, else a readable, unique derivative."""
    if _NAME_OK.match(order_id):
        return order_id
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", order_id)[:60]
    return f"{safe}-{hashlib.sha256(order_id.encode()).hexdigest()[:12]}"


class Executions:
    """Starts the execution of an order's timeline."""

    def __init__(self, state_machine_arn: str) -> None:
        self._arn = state_machine_arn

    def start(self, order_id: str) -> bool:
        """Start the order's execution; False when it already exists (a redelivered Order Placed)."""
        try:
            client("stepfunctions").start_execution(
                stateMachineArn=self._arn,
                name=execution_name(order_id),
                input=ExecutionInput(order_id=order_id).model_dump_json(by_alias=True),
            )
        except ClientError as exc:
            if error_code(exc) == "ExecutionAlreadyExists":
                return False
            raise
        return True


class TaskTokens:
    """Completes or fails the task token an execution is parked on."""

    def complete(self, token: str, output: dict[str, Any]) -> bool:
        """Let the execution go on with ``output``. False when the task is gone (ended, timed out, done)."""
        return self._answer(lambda sfn: sfn.send_task_success(taskToken=token, output=json.dumps(output)))

    def fail(self, token: str, error: str, cause: str) -> bool:
        return self._answer(lambda sfn: sfn.send_task_failure(taskToken=token, error=error, cause=cause))

    @staticmethod
    def _answer(call: Callable[[Any], object]) -> bool:
        try:
            call(client("stepfunctions"))
        except ClientError as exc:
            if error_code(exc) in TASK_GONE:
                return False
            raise
        return True
