"""The order timeline state machine: start one execution per order, complete its wait token."""

from __future__ import annotations

import hashlib
import json
import re

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import client

_NAME_OK = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


def execution_name(order_id: str) -> str:
    """The orderId itself when it is a valid execution name, else a readable, unique derivative."""
    if _NAME_OK.match(order_id):
        return order_id
    safe = re.sub(r"[^A-Za-z0-9_-]", "_", order_id)[:60]
    return f"{safe}-{hashlib.sha256(order_id.encode()).hexdigest()[:12]}"


def start(state_machine_arn: str, order_id: str) -> bool:
    """Start the order's execution; False when it already exists (a redelivered Order Placed)."""
    try:
        client("stepfunctions").start_execution(
            stateMachineArn=state_machine_arn, name=execution_name(order_id), input=json.dumps({"orderId": order_id})
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return False
        raise
    return True


def wake(token: str, reason: str) -> bool:
    """Complete a wait token. False when the task is gone (the execution ended or timed out)."""
    try:
        client("stepfunctions").send_task_success(taskToken=token, output=json.dumps({"wokenBy": reason}))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("TaskDoesNotExist", "TaskTimedOut", "InvalidToken"):
            return False
        raise
    return True
