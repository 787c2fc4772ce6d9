"""Fast path 107 (``outreach.simulator.call_events``) once the events are warm: a handler registered or unregistered
between two calls of the same operation (as a fault injection or a test does in the middle of a run) is reached,
or no longer reached, by the very next call; where two handlers answer, only the first is called; a handler
registered under a service's other name (``stepfunctions`` for ``sfn``) is found.

Each check first proves the fast path answers (botocore's own ``emit`` and ``emit_until_response`` of the emitter
replaced by ones that fail), so it tests the fast path and not botocore's fallback.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import pytest

from outreach.simulator import call_events

NAME = "before-call.sfn.StartExecution"


def _setup() -> tuple[Any, dict[str, Any]]:
    client = boto3.Session(region_name="us-east-1").client("stepfunctions")
    model = client.meta.service_model.operation_model("StartExecution")
    kwargs = {"params": {"headers": {}, "body": {}}, "model": model, "context": {"client_config": client.meta.config}}
    return copy.copy(client.meta.events), kwargs


@contextmanager
def _fast_only(emitter: Any) -> Iterator[None]:
    """botocore's emit of ``emitter`` fails meanwhile: whatever is answered comes from the fast path."""

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("botocore's emit ran: the fast path was not taken")

    emitter.emit = emitter.emit_until_response = fail
    try:
        yield
    finally:
        del emitter.emit, emitter.emit_until_response


def _call(emitter: Any, kwargs: dict[str, Any]) -> Any:
    return call_events.first_response(call_events.emit(emitter, NAME, kwargs, until_response=True))


@pytest.mark.parametrize(
    "where",
    ["before-call", "before-call.sfn", "before-call.sfn.StartExecution", "before-call.stepfunctions.StartExecution"],
)
def test_given_warm_events_when_a_handler_comes_and_goes_then_the_next_calls_reach_it_and_then_do_not(
    where: str,
) -> None:
    emitter, kwargs = _setup()
    _call(emitter, kwargs)  # botocore's emit: its caches filled
    with _fast_only(emitter):
        assert _call(emitter, kwargs) is None
    seen: list[str] = []
    emitter.register(where, lambda **event: seen.append(event["event_name"]), unique_id="probe")
    _call(emitter, kwargs)  # the registration emptied botocore's cache: its emit again
    with _fast_only(emitter):
        _call(emitter, kwargs)
    assert seen == [NAME, NAME]
    emitter.unregister(where, unique_id="probe")
    _call(emitter, kwargs)
    with _fast_only(emitter):
        _call(emitter, kwargs)
    assert seen == [NAME, NAME]


def test_given_two_handlers_that_answer_before_the_call_then_only_the_first_is_called_and_its_answer_is_taken() -> None:
    emitter, kwargs = _setup()
    called: list[str] = []

    def answering(label: str) -> Any:
        def handler(**event: Any) -> Any:
            called.append(label)
            return {"answered by": label}

        return handler

    emitter.register(NAME, answering("first"), unique_id="first")
    emitter.register("before-call.sfn", answering("second"), unique_id="second")
    expected = emitter.emit_until_response(NAME, **kwargs)[1]
    called.clear()
    with _fast_only(emitter):
        assert _call(emitter, kwargs) == expected
    assert called == [expected["answered by"]]


def test_given_a_handler_that_raises_then_the_call_raises_as_botocores_would() -> None:
    emitter, kwargs = _setup()

    def fault(**event: Any) -> Any:
        raise ConnectionError("injected")

    emitter.register(NAME, fault, unique_id="fault")
    with pytest.raises(ConnectionError):
        _call(emitter, kwargs)
    with _fast_only(emitter), pytest.raises(ConnectionError):
        _call(emitter, kwargs)
