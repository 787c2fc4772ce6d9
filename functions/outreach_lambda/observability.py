"""One place for Logger, Metrics and Tracer, and for masking personal data before it is logged."""

from __future__ import annotations

import re
import sys
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at write time (the simulator redirects it)."""

    def write(self, data: str) -> int:
        return sys.stdout.write(data)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(service="outreach", stream=_CurrentStdout())  # type: ignore[arg-type]
metrics = Metrics(namespace="Outreach", service="outreach")
tracer = Tracer(service="outreach")

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+)")
_PHONE = re.compile(r"\+\d{4,14}(\d{2})")


def mask(text: str) -> str:
    """ada.lovelace@example.com -> a***@example.com, +4915112345678 -> +***78."""
    text = _EMAIL.sub(r"\1***@\2", text)
    return _PHONE.sub(r"+***\1", text)


def masked(value: Any) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, dict):
        return {k: masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value
