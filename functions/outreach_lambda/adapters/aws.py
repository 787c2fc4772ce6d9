"""boto3 clients, created once per process on first use (never at import time)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError


@cache
def client(service: str) -> Any:
    return boto3.client(service)  # type: ignore[call-overload]


@cache
def table(name: str) -> Any:
    return boto3.resource("dynamodb").Table(name)


def reset() -> None:
    """Forget cached clients (the simulator starts a fresh moto world per run)."""
    client.cache_clear()
    table.cache_clear()


def put_if_absent(table_name: str, item: dict[str, Any]) -> bool:
    """Put ``item`` unless an item with its key exists. False when it existed (nothing written)."""
    try:
        table(table_name).put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            return False
        raise
    return True
