"""The order timeline state machine: start one execution per order, complete its wait token."""

from __future__ import annotations

import hashlib
import json
import re

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import client, error_code
from outreach_lambda.step_contract import ExecutionInput, WakeUp

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
    """Completes the task token an execution is parked on."""

    def wake(self, token: str, reason: str) -> bool:
        """Complete a wait token. False when the task is gone (the execution ended or timed out)."""
        try:
            client("stepfunctions").send_task_success(
                taskToken=token, output=json.dumps(WakeUp(woken_by=reason).to_payload())
            )
        except ClientError as exc:
            if error_code(exc) in TASK_GONE:
                return False
            raise
        return True
