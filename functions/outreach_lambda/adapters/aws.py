"""boto3 clients, created once per cold start on first use (never at import time), and AWS error codes.

boto3 itself is imported on first use too: importing it costs ~150 ms that a handler's import need not pay.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.cold_start import once

#: A conditional write found the condition false (a plain write, or one item of a transaction).
CONDITION_FAILED = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})


@once
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)  # type: ignore[call-overload]


@once
def table(name: str) -> Any:
    import boto3

    return boto3.resource("dynamodb").Table(name)


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (e.g. 'ThrottlingException'); None for anything else."""
    if not isinstance(exc, ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code")
    return str(code) if code else None


def put_if_absent(table_name: str, item: dict[str, Any]) -> bool:
    """Put ``item`` unless an item with its key exists. False when it existed (nothing written)."""
    return put_if(table_name, item, "attribute_not_exists(pk)")


def put_if(table_name: str, item: dict[str, Any], condition: str, values: dict[str, Any] | None = None) -> bool:
    """``PutItem`` with a condition (``values`` its ``:placeholders``). False when the condition was false
    (nothing written)."""
    extra = {"ExpressionAttributeValues": values} if values else {}
    try:
        table(table_name).put_item(Item=item, ConditionExpression=condition, **extra)
    except ClientError as exc:
        if error_code(exc) in CONDITION_FAILED:
            return False
        raise
    return True


def update_if(table_name: str, **update: Any) -> dict[str, Any] | None:
    """``UpdateItem`` with a condition, returning the item's attributes (``ReturnValues``); None when the
    condition was false (nothing written)."""
    try:
        return dict(table(table_name).update_item(**update).get("Attributes", {}))
    except ClientError as exc:
        if error_code(exc) in CONDITION_FAILED:
            return None
        raise
