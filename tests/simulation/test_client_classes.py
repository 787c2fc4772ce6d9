"""Fast path 117 (``outreach.simulator.client_classes``): a client class made once per service description.

Given clients of services the simulator calls and others drawn from botocore's list, made again and again with and
without the fast path, with handlers of ``creating-client-class`` that add, replace or keep attributes and bases,
then every client's class has the same name, bases, attributes and methods as botocore's, the handlers are called as
often, and calls through the clients answer alike (moto behind them).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.client import BaseClient
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from outreach.simulator import client_classes
from outreach.simulator.patching import installed

REGION = "us-east-1"
SIMULATED = ["dynamodb", "lambda", "stepfunctions", "sesv2", "scheduler", "sns", "sqs", "events", "secretsmanager"]
OTHERS = sorted(botocore.session.get_session().get_available_services())


@contextmanager
def _fast(on: bool) -> Iterator[None]:
    if not on:
        yield
        return
    client_classes.clear()
    with installed(client_classes.PATCHES):
        yield


def _shape(cls: type) -> dict[str, Any]:
    """What a client class is: its name, bases and every attribute of its own (functions by name and signature)."""
    own: dict[str, Any] = {}
    for name, value in cls.__dict__.items():
        if name in ("__doc__", "__module__", "__dict__", "__weakref__", "__qualname__"):
            continue
        if inspect.isfunction(value):
            own[name] = ("function", value.__name__, str(inspect.signature(value)), value.__module__)
        else:
            own[name] = value
    return {
        "name": cls.__name__,
        "bases": [base.__qualname__ for base in cls.__bases__],
        "mro": [klass.__qualname__ for klass in cls.__mro__],
        "own": own,
    }


def _classes(session: Any, services: list[str], fast: bool) -> list[dict[str, Any]]:
    with _fast(fast):
        return [_shape(type(session.client(service, region_name=REGION))) for service in services]


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(SIMULATED + OTHERS), min_size=1, max_size=4))
def test_given_clients_made_again_and_again_then_their_classes_are_botocores(services: list[str]) -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    twice = services + services
    assert _classes(session, twice, fast=True) == _classes(session, twice, fast=False)


class _Handlers:
    """Handlers of ``creating-client-class``: each kind changes the attributes or bases its own way."""

    def __init__(self) -> None:
        self.calls = 0

    def keep(self, **kwargs: Any) -> None:
        self.calls += 1

    def add_same(self, class_attributes: dict[str, Any], **kwargs: Any) -> None:
        self.calls += 1
        class_attributes["extra"] = _shared_extra

    def add_new(self, class_attributes: dict[str, Any], **kwargs: Any) -> None:
        self.calls += 1
        number = self.calls

        def extra(self: Any) -> int:
            return number

        class_attributes["extra"] = extra

    def replace_method(self, class_attributes: dict[str, Any], **kwargs: Any) -> None:
        self.calls += 1
        original = class_attributes.get("list_tables")

        def list_tables(self: Any, **kw: Any) -> Any:
            return {"wrapped": original is not None}

        class_attributes["list_tables"] = list_tables

    def add_base(self, base_classes: list[type], **kwargs: Any) -> None:
        self.calls += 1
        base_classes.insert(0, _Mixin)

    def add_base_now_and_then(self, base_classes: list[type], **kwargs: Any) -> None:
        self.calls += 1
        if self.calls % 2:
            base_classes.insert(0, _Mixin)

    def drop_method(self, class_attributes: dict[str, Any], **kwargs: Any) -> None:
        self.calls += 1
        class_attributes.pop("list_tables", None)


def _shared_extra(self: Any) -> str:
    return "shared"


class _Mixin:
    def mixed(self) -> str:
        return "mixed"


KINDS = ["keep", "add_same", "add_new", "replace_method", "add_base", "add_base_now_and_then", "drop_method"]


def _behaviour(client: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"shape": _shape(type(client))}
    for probe in ("extra", "mixed"):
        method: Callable[[], Any] | None = getattr(client, probe, None)
        out[probe] = method() if method is not None else None
    if hasattr(client, "list_tables"):
        answer = client.list_tables()
        answer.pop("ResponseMetadata", None)  # a request id and a date of their own
        out["list_tables"] = answer
    return out


def _with_handlers(kinds: list[str], services: list[str], fast: bool) -> tuple[list[dict[str, Any]], int]:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    handlers = _Handlers()
    for kind in kinds:
        session.events.register("creating-client-class.dynamodb", getattr(handlers, kind))
    answers: list[Any] = []
    with mock_aws(), _fast(fast):
        for service in services:
            try:
                answers.append(_behaviour(session.client(service, region_name=REGION)))
            except TypeError as error:  # a base given twice: botocore's ``type(...)`` refuses it
                answers.append(("refused", str(error)))
    return answers, handlers.calls


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(KINDS), max_size=3),
    st.lists(st.sampled_from(["dynamodb", "dynamodb", "sqs"]), min_size=1, max_size=5),
)
def test_given_handlers_of_the_event_then_the_classes_and_calls_are_botocores(
    kinds: list[str], services: list[str]
) -> None:
    assert _with_handlers(kinds, services, fast=True) == _with_handlers(kinds, services, fast=False)


def test_given_a_handler_that_changes_nothing_then_the_class_is_kept_and_a_change_makes_a_new_one() -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    with _fast(True):
        first, second = (type(session.client("dynamodb", region_name=REGION)) for _ in range(2))
        assert first is second and issubclass(first, BaseClient)
        handlers = _Handlers()
        session.events.register("creating-client-class.dynamodb", handlers.add_new)
        third, fourth = (type(session.client("dynamodb", region_name=REGION)) for _ in range(2))
    assert third is not first and fourth is not third and handlers.calls == 2
    assert third.__dict__["extra"] is not fourth.__dict__["extra"]


@pytest.mark.parametrize("service", ["dynamodb", "sqs"])
def test_given_a_kept_class_then_its_clients_call_moto_as_botocores_do(service: str) -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    answers = []
    for fast in (True, True, False):
        with mock_aws(), _fast(fast):
            client = session.client(service, region_name=REGION)
            if service == "dynamodb":
                answer = client.list_tables()
            else:
                client.create_queue(QueueName="q")
                answer = client.list_queues()
            answer.pop("ResponseMetadata")
            answers.append(answer)
    assert answers[0] == answers[1] == answers[2]


def _dump_shape(shape: Any, seen: set[str]) -> Any:
    """A shape as botocore resolves it: name, type, metadata, serialization and its members, each shape once."""
    if shape is None:
        return None
    if shape.name in seen:
        return shape.name
    seen.add(shape.name)
    out: dict[str, Any] = {
        "name": shape.name,
        "type": shape.type_name,
        "metadata": shape.metadata,
        "serialization": shape.serialization,
    }
    if shape.type_name == "structure":
        out["members"] = {name: _dump_shape(member, seen) for name, member in shape.members.items()}
        out["required"] = shape.required_members
    elif shape.type_name == "list":
        out["member"] = _dump_shape(shape.member, seen)
    elif shape.type_name == "map":
        out["key"] = _dump_shape(shape.key, seen)
        out["value"] = _dump_shape(shape.value, seen)
    return out


def _models(services: list[str], fast: bool) -> list[Any]:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    out = []
    with _fast(fast):
        for service in services:
            model = session.client(service, region_name=REGION).meta.service_model
            operations = {}
            for name in model.operation_names:
                operation = model.operation_model(name)
                seen: set[str] = set()
                operations[name] = {
                    "http": operation.http,
                    "metadata": operation.metadata,
                    "input": _dump_shape(operation.input_shape, seen),
                    "output": _dump_shape(operation.output_shape, seen),
                    "errors": [error.name for error in operation.error_shapes],
                    "context": operation.context_parameters and [p.name for p in operation.context_parameters],
                }
            out.append(
                (
                    model.service_name,
                    model.service_id,
                    model.metadata,
                    model.signature_version,
                    model.protocol,
                    operations,
                )
            )
    return out


@settings(max_examples=10, deadline=None)
@given(st.lists(st.sampled_from([*SIMULATED, "ses", "dynamodbstreams", "sesv2", "iam", "sts"]), min_size=1, max_size=4))
def test_given_clients_made_again_and_again_then_their_service_models_are_botocores(services: list[str]) -> None:
    twice = services + services
    assert _models(twice, fast=True) == _models(twice, fast=False)


def test_given_the_fast_path_then_clients_of_one_service_share_their_model_and_others_do_not() -> None:
    session = boto3.Session(aws_access_key_id="a", aws_secret_access_key="b", region_name=REGION)
    with _fast(True):
        first, second, other = (session.client(s, region_name=REGION) for s in ("dynamodb", "dynamodb", "ses"))
        assert first.meta.service_model is second.meta.service_model
        assert other.meta.service_model is not first.meta.service_model
        assert other.meta.service_model.service_name == "ses"
