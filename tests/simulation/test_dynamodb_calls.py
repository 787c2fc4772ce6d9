"""Fast path 87 (``outreach.simulator.dynamodb_calls``): a covered DynamoDB call answered on a response object set up
from a template, ``call_action``'s steps with what they look up kept, gives what fast path 23's way and plain moto
give: the same answers (request ids, headers, CRC32), errors, items stored, units counted, IAM marks."""

from __future__ import annotations

import os
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.authorization import ActionAuthenticatorMixin
from moto.moto_api._internal import mock_random

from outreach.simulator import dynamodb_calls, metering, moto_runtime
from tests.dynamo import create_keyed_table
from tests.simulation import test_direct_calls
from tests.simulation.outcomes import outcome

REGION = "us-east-1"


def _stable(value: Any) -> Any:
    return test_direct_calls._stable(value)


def _conversation_counted(fast: bool, covered: bool, calls: Any) -> tuple[list[Any], dict[str, Any], Any]:
    mock_random.seed(11)
    original = dynamodb_calls.covers
    if not covered:
        dynamodb_calls.covers = lambda responder: False  # type: ignore[assignment]
    try:
        with (
            mock_aws(),
            moto_runtime.patched({}, fast=fast),
            metering.metered() as meter,
            metering.in_function("timeline"),
        ):
            counted_before = ActionAuthenticatorMixin.request_count
            iam = boto3.client("iam", region_name=REGION)
            iam.create_user(UserName="u")
            answers = calls()
            marks = [key.get("AccessKeyId") for key in iam.list_access_keys(UserName="u")["AccessKeyMetadata"]]
            requests = ActionAuthenticatorMixin.request_count - counted_before
    finally:
        dynamodb_calls.covers = original  # type: ignore[assignment]
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):
        counted.pop(timed)
    return answers, counted, (marks, requests)


def test_given_every_covered_call_when_answered_from_a_template_then_all_is_as_in_fast_path_23_and_plain_moto():
    through_87 = _conversation_counted(True, True, test_direct_calls._conversation)
    through_23 = _conversation_counted(True, False, test_direct_calls._conversation)
    plain = _conversation_counted(False, True, test_direct_calls._conversation)

    assert through_87[0] == through_23[0] == plain[0]
    assert through_87[1] == through_23[1] == plain[1]
    assert through_87[2] == through_23[2] == plain[2]  # IAM's marks, the requests moto counted


def test_given_moto_call_action_patched_or_a_subclass_then_fast_path_87_steps_aside():
    from moto.dynamodb.responses import DynamoHandler

    class Sub(DynamoHandler):
        pass

    assert dynamodb_calls.covers(DynamoHandler)
    assert not dynamodb_calls.covers(Sub)
    original = DynamoHandler.__dict__["call_action"]
    DynamoHandler.call_action = lambda self: original(self)  # type: ignore[method-assign]
    try:
        assert not dynamodb_calls.covers(DynamoHandler)
    finally:
        DynamoHandler.call_action = original  # type: ignore[method-assign]
    from moto.core.responses import BaseResponse

    for owner in DynamoHandler.__mro__[:-1]:  # a resource to authorise against: moto's own steps read it
        owner._determine_resource = lambda self: "*"  # type: ignore[attr-defined]
        try:
            assert not dynamodb_calls.covers(DynamoHandler)
        finally:
            del owner._determine_resource  # type: ignore[attr-defined]
    assert dynamodb_calls.covers(DynamoHandler)
    for name, value in (("serialized", None), ("_enrich_response", None), ("call_action", None)):
        original = BaseResponse.__dict__[name]
        setattr(BaseResponse, name, value)
        try:
            assert not dynamodb_calls.covers(DynamoHandler)
        finally:
            setattr(BaseResponse, name, original)
    assert dynamodb_calls.covers(DynamoHandler)


_names = st.sampled_from(["a", "b", "version", "s", "n"])
_scalars = st.one_of(
    st.text(max_size=6),
    st.integers(-5, 5).map(Decimal),
    st.booleans(),
    st.none(),
    st.binary(max_size=4),
)
_values = st.one_of(
    _scalars, st.lists(_scalars, max_size=3), st.dictionaries(st.text(max_size=3), _scalars, max_size=3)
)
_keys = st.sampled_from(["A", "B", "", "C"])
_call_kinds = st.one_of(
    st.tuples(st.just("put"), _keys, st.dictionaries(_names, _values, max_size=3), st.booleans()),
    st.tuples(
        st.just("update"), _keys, _names, _values, st.sampled_from(["NONE", "ALL_OLD", "ALL_NEW", "UPDATED_NEW"])
    ),
    st.tuples(st.just("add"), _keys, _names, st.one_of(st.integers(-3, 3), st.text(max_size=2))),
    st.tuples(st.just("get"), _keys, st.booleans()),
    st.tuples(st.just("delete"), _keys, st.booleans()),
    st.tuples(st.just("query"), _keys),
)


def _random_calls(steps: list[Any]) -> Any:
    def calls() -> list[Any]:
        create_keyed_table("t", REGION)
        table = boto3.resource("dynamodb", region_name=REGION).Table("t")
        out = []
        for step in steps:
            kind, key = step[0], {"pk": "P", "sk": step[1]}
            if kind == "put":
                extra = {"ConditionExpression": "attribute_not_exists(pk)"} if step[3] else {}
                out.append(outcome(_stable, table.put_item, Item={**step[2], **key}, **extra))
            elif kind == "update":
                out.append(
                    outcome(
                        _stable,
                        table.update_item,
                        Key=key,
                        UpdateExpression="SET #n = :v",
                        ConditionExpression="attribute_exists(pk) OR attribute_not_exists(pk)",
                        ExpressionAttributeNames={"#n": step[2]},
                        ExpressionAttributeValues={":v": step[3]},
                        ReturnValues=step[4],
                    )
                )
            elif kind == "add":
                out.append(
                    outcome(
                        _stable,
                        table.update_item,
                        Key=key,
                        UpdateExpression=f"ADD {step[2]} :v",
                        ExpressionAttributeValues={":v": step[3]},
                        ReturnValues="ALL_OLD",
                    )
                )
            elif kind == "get":
                out.append(outcome(_stable, table.get_item, Key=key, ConsistentRead=step[2]))
            elif kind == "delete":
                out.append(outcome(_stable, table.delete_item, Key=key, ReturnValues="ALL_OLD" if step[2] else "NONE"))
            else:
                out.append(
                    outcome(
                        _stable,
                        table.query,
                        KeyConditionExpression="pk = :p AND sk >= :s",
                        ExpressionAttributeValues={":p": "P", ":s": step[1]},
                    )
                )
        out.append(outcome(_stable, boto3.client("dynamodb", region_name=REGION).scan, TableName="t"))
        return out

    return calls


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_call_kinds, min_size=1, max_size=12))
def test_given_random_calls_when_answered_from_a_template_then_answers_items_and_units_are_plain_moto_s(steps):
    fast = _conversation_counted(True, True, _random_calls(steps))
    plain = _conversation_counted(False, True, _random_calls(steps))

    assert fast[0] == plain[0]
    assert fast[1] == plain[1]


@pytest.mark.parametrize("operation", ["Query", "UpdateItem", "PutItem", "GetItem", "DeleteItem"])
def test_given_a_covered_operation_then_its_template_names_moto_s_response_method(operation):
    from outreach.simulator import direct_calls

    plan = dynamodb_calls.template(
        f"https://dynamodb.{REGION}.amazonaws.com/",
        f"DynamoDB_20120810.{operation}",
        "application/x-amz-json-1.0",
        direct_calls.set_up,
        direct_calls._Headers,
    )
    assert plan is not None
    assert plan.operation_model.name == operation
    assert plan.shared["region"] == REGION


# -- fast path 98: an environment variable read without an exception ----------------------------------------------
_env_values = st.one_of(st.none(), st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_env_values, name=st.sampled_from(["MOTO_ACCOUNT_ID", "SIM4_TEST_VARIABLE", "Sim4_Ünïcode"]))
def test_given_any_environment_value_when_read_then_it_is_os_environ_s(monkeypatch, value, name) -> None:
    if value is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, value)
    assert dynamodb_calls.environ_get(name) == os.environ.get(name)


def test_given_a_value_that_is_not_utf8_when_read_then_it_is_decoded_as_os_environ_decodes_it(monkeypatch) -> None:
    monkeypatch.setitem(os.environ._data, os.environ.encodekey("SIM4_TEST_VARIABLE"), b"\xff\xfe")  # type: ignore[attr-defined]
    assert dynamodb_calls.environ_get("SIM4_TEST_VARIABLE") == os.environ.get("SIM4_TEST_VARIABLE") == "\udcff\udcfe"


def test_given_os_environ_replaced_when_read_then_the_replacement_answers(monkeypatch) -> None:
    monkeypatch.setattr(os, "environ", {"MOTO_ACCOUNT_ID": "123456789012"})
    assert dynamodb_calls.environ_get("MOTO_ACCOUNT_ID") == "123456789012"
