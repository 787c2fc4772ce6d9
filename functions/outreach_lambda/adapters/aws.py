"""boto3 clients, created once per process on first use (never at import time)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3


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
