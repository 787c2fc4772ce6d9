"""One place for Logger, Metrics and Tracer, and for masking personal data before it is logged."""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics


class _CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at write time (the simulator redirects it)."""

    def write(self, data: str) -> int:
        return sys.stdout.write(data)

    def flush(self) -> None:
        sys.stdout.flush()


logger = Logger(service="outreach", stream=_CurrentStdout())  # type: ignore[arg-type]
metrics = Metrics(namespace="Outreach", service="outreach")


def count_by(name: str, **dimensions: str) -> None:
    """One count of ``name`` with its own dimensions besides ``service`` (e.g. per contact kind and channel),
    published at once as its own EMF record: ``metrics`` holds one set of dimensions per invocation."""
    from aws_lambda_powertools.metrics import MetricUnit, single_metric

    with single_metric(name=name, unit=MetricUnit.Count, value=1, namespace="Outreach") as metric:
        metric.add_dimension(name="service", value="outreach")
        for key, value in dimensions.items():
            metric.add_dimension(name=key, value=value)


Handler = TypeVar("Handler", bound=Callable[..., Any])


def traced(handler: Handler) -> Handler:
    """X-Ray tracing of the handler and of its AWS calls (Powertools Tracer), set up on the first invocation:
    importing the X-Ray SDK costs ~150 ms that a handler's import need not pay. Off where tracing is disabled
    (POWERTOOLS_TRACE_DISABLED, e.g. in the simulator)."""
    return _traced(handler, capture_response=True)


def traced_without_response(handler: Handler) -> Handler:
    """``traced``, but the handler's response is not recorded in the trace (a landing page holds what a
    customer typed, e.g. a new address)."""
    return _traced(handler, capture_response=False)


def _traced(handler: Handler, capture_response: bool) -> Handler:
    wrapped: Callable[..., Any] | None = None

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        nonlocal wrapped
        if wrapped is None:
            if os.environ.get("POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true"):
                wrapped = handler
            else:
                from aws_lambda_powertools import Tracer

                wrapped = Tracer(service="outreach").capture_lambda_handler(handler, capture_response=capture_response)
        return wrapped(event, context)

    return run  # type: ignore[return-value]


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
