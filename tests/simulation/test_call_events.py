"""Fast path 107 (``outreach.simulator.call_events``): botocore's per-call events reach the same handlers.

Given clients of every service the simulator calls (a resource's DynamoDB client too, with boto3's own handlers),
when the events of a call are emitted with ``call_events.emit`` and with botocore's emitter, again and again, with
handlers registered and unregistered in between (some answering, some changing the parameters), then the same
handlers are called, in the same order, with the same arguments, change the same things, and the first answer is
botocore's; the handlers left out provably do nothing for every operation of those services; and with botocore's
hooks logger on debug, botocore's own emit runs.
"""

from __future__ import annotations

import copy
import functools
import logging
import types
from typing import Any

import boto3
import pytest
from botocore import discovery as botocore_discovery
from botocore import handlers as botocore_handlers
from botocore.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import call_events

REGION = "us-east-1"
SERVICES = ["dynamodb", "lambda", "stepfunctions", "sesv2", "scheduler", "sns", "sqs", "events"]
KINDS = ["provide-client-params", "before-parameter-build", "before-call", "after-call"]
IDLE = [
    botocore_handlers.generate_idempotent_uuid,
    botocore_handlers._handle_request_validation_mode_member,
    botocore_discovery.block_endpoint_discovery_required_operations,
    botocore_handlers.inject_api_version_header_if_needed,
]


@functools.cache
def _client(service: str) -> Any:
    if service == "dynamodb-resource":
        return boto3.Session(region_name=REGION).resource("dynamodb").meta.client
    return boto3.Session(region_name=REGION).client(
        service, config=Config(request_checksum_calculation="when_supported")
    )


@pytest.mark.parametrize("service", SERVICES)
def test_given_every_operation_when_a_handler_is_called_idle_then_it_changes_nothing(service: str) -> None:
    client = _client(service)
    config = client.meta.config
    for name in client.meta.service_model.operation_names:
        model = client.meta.service_model.operation_model(name)
        for handler in IDLE:
            if not call_events._idle(handler, model):
                continue
            params = {"headers": {}, "body": {}, "url_path": "/", "query_string": {}}
            before = copy.deepcopy(params)
            answer = handler(
                params=params, model=model, context={"client_config": config}, event_name=f"before-call.x.{name}"
            )
            assert answer is None and params == before, (name, handler)


def test_given_an_operation_with_an_idempotency_token_then_the_handler_that_adds_it_is_called() -> None:
    model = _client("stepfunctions").meta.service_model.operation_model("StartExecution")
    scheduler = _client("scheduler").meta.service_model.operation_model("CreateSchedule")
    assert not call_events._idle(botocore_handlers.generate_idempotent_uuid, scheduler)  # ClientToken
    assert call_events._idle(botocore_handlers.generate_idempotent_uuid, model)


class _Recorder:
    """Handlers that write down what they got (the parameters as they were), and may answer or change them."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, Any]] = []

    def handler(self, label: str, answer: Any, change: bool) -> Any:
        def handle(**kwargs: Any) -> Any:
            self.calls.append((label, kwargs["event_name"], copy.deepcopy(kwargs.get("params"))))
            if change and isinstance(kwargs.get("params"), dict):
                kwargs["params"].setdefault("Touched", []).append(label)
            return answer

        handle.__name__ = label
        return handle


actions = st.lists(
    st.tuples(
        st.sampled_from(["emit", "emit", "emit", "register", "unregister"]),
        st.sampled_from(KINDS),
        st.integers(min_value=0, max_value=5),  # operation index
        st.sampled_from([None, None, "answer"]),
        st.booleans(),  # the handler changes the parameters
        st.sampled_from(["", ".{service}", ".{service}.{operation}"]),  # where it is registered
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None)
@given(st.sampled_from([*SERVICES, "dynamodb-resource"]), actions)
def test_given_handlers_registered_between_calls_when_events_are_emitted_then_botocores_handlers_run_alike(
    service: str, steps: list[tuple[str, str, int, Any, bool, str]]
) -> None:
    client = _client(service)
    emitters = copy.copy(client.meta.events), copy.copy(client.meta.events)  # (botocore copies them so too)
    names = client.meta.service_model.operation_names
    service_id = client.meta.service_model.service_id.hyphenize()
    recorders = (_Recorder(), _Recorder())
    registered: list[tuple[str, str]] = []
    for number, (action, kind, index, answer, change, where) in enumerate(steps):
        operation = names[index % len(names)]
        model = client.meta.service_model.operation_model(operation)
        event = f"{kind}{where.format(service=service_id, operation=operation)}"
        if action == "register":
            label = f"h{number}"
            registered.append((event, label))
            for emitter, recorder in zip(emitters, recorders, strict=True):
                emitter.register(event, recorder.handler(label, answer, change), unique_id=label)
            continue
        if action == "unregister":
            if registered:
                event, label = registered.pop(index % len(registered))
                for emitter in emitters:
                    emitter.unregister(event, unique_id=label)
            continue
        name = f"{kind}.{service_id}.{operation}"
        until = kind == "before-call"
        # (every idempotency token given: botocore's handler would draw a random one)
        params: dict[str, Any] = (
            {"headers": {}, "body": {"a": 1}}
            if until
            else {"TableName": "t", **dict.fromkeys(model.idempotent_members, "x")}
        )
        kwargs: dict[str, Any] = {"params": params, "model": model, "context": {"client_config": client.meta.config}}
        if kind == "after-call":
            kwargs.update(http_response=types.SimpleNamespace(status_code=200, headers={}), parsed={})
        their_params = copy.deepcopy(params)
        their_kwargs = {**kwargs, "params": their_params}
        got = call_events.first_response(call_events.emit(emitters[0], name, kwargs, until_response=until))
        if until:
            expected = emitters[1].emit_until_response(name, **their_kwargs)[1]
        else:
            expected = call_events.first_response(emitters[1].emit(name, **their_kwargs))
        assert got == expected
        assert params == their_params
        assert kwargs["params"] is params and "event_name" not in kwargs
    assert recorders[0].calls == recorders[1].calls


def test_given_debug_logging_of_botocores_hooks_then_botocores_emit_runs_and_logs() -> None:
    client = _client("sns")
    model = client.meta.service_model.operation_model("Publish")
    kwargs = {"params": {}, "model": model, "context": {}}
    name = "before-parameter-build.sns.Publish"
    call_events.emit(client.meta.events, name, kwargs)
    logger = logging.getLogger("botocore.hooks")
    seen: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    keep = _Keep()
    level = logger.level
    logger.addHandler(keep)
    logger.setLevel(logging.DEBUG)
    try:
        call_events.emit(client.meta.events, name, kwargs)
    finally:
        logger.setLevel(level)
        logger.removeHandler(keep)
    assert any("generate_idempotent_uuid" in line for line in seen)
