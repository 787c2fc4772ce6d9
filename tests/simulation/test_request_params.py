"""Fast path 60 (``outreach.simulator.request_params``): one compiled walk accepts only parameters botocore's
validation finds nothing wrong with, and answers with exactly what the conversion for moto answers for them (the same
classes, values and key order), over random valid and invalid parameters of every operation fast path 23 covers."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.simulator import direct_calls, param_checks, request_params
from tests.simulation.test_json_answers import _same
from tests.simulation.test_param_checks import _value

SESSION = boto3.session.Session()
COVERED = sorted(direct_calls.COVERED)


def _expected(shape: Any, params: Any) -> Any:
    if ParamValidator().validate(params, shape).has_errors():
        return "refused"
    try:
        return direct_calls._as_moto_params(shape, params)
    except direct_calls._NotCovered:
        return "not covered"


@pytest.mark.parametrize(("service", "operation"), COVERED, ids=[f"{s}-{o}" for s, o in COVERED])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_given_any_parameters_then_the_one_walk_answers_the_two_walks_or_leaves_the_call_to_them(
    service, operation, data
):
    shape = SESSION.client(service, region_name="us-east-1").meta.service_model.operation_model(operation).input_shape
    params = _value(data.draw, shape, 0)
    got = request_params.converted(shape, params)
    if got is request_params.FAIL:
        return  # the two walks, as before
    assert param_checks.check_of(shape)(params)
    expected = _expected(shape, params)
    assert not isinstance(expected, str), expected
    assert _same(got, expected)


def test_given_the_handlers_calls_then_the_one_walk_answers_them():
    model = SESSION.client("dynamodb", region_name="us-east-1").meta.service_model
    update = {
        "TableName": "t",
        "Key": {"pk": {"S": "ORDER#1"}, "sk": {"S": "STATE"}},
        "UpdateExpression": "SET #d = :d, version = :v",
        "ConditionExpression": "version = :old",
        "ExpressionAttributeNames": {"#d": "doc"},
        "ExpressionAttributeValues": {
            ":d": {"M": {"x": {"L": [{"N": "1"}, {"NULL": True}, {"B": b"\x00"}, {"SS": ["a"]}]}}},
            ":v": {"N": "2"},
            ":old": {"N": "1"},
        },
        "ReturnValues": "ALL_NEW",
    }
    query = {
        "TableName": "t",
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": {"S": "ORDER#1"}},
        "Limit": 5,
        "ConsistentRead": True,
    }
    for operation, params in (("UpdateItem", update), ("Query", query)):
        shape = model.operation_model(operation).input_shape
        got = request_params.converted(shape, params)
        assert _same(got, direct_calls._as_moto_params(shape, params))
    file_like = {"TableName": "t", "Item": {"b": {"B": io.BytesIO(b"x")}}}  # botocore would read it: fast path 11
    assert request_params.converted(model.operation_model("PutItem").input_shape, file_like) is request_params.FAIL
