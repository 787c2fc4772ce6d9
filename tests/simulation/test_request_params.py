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


# -- fast path 99: a map of text attribute values converted in its own loop --------------------------------------------
class _Text(str):
    pass


_odd_values = st.one_of(
    st.builds(
        lambda k, v: {k: v}, st.sampled_from(["S", "N", "B", "BOOL", "X"]), st.one_of(st.text(max_size=3), st.none())
    ),
    st.builds(lambda v: {"S": _Text(v)}, st.text(max_size=3)),
    st.builds(lambda v: {"S": v, "N": "1"}, st.text(max_size=3)),
    st.just({}),
    st.just(["S", "x"]),
    st.text(max_size=2),
)


_plain_values = st.builds(lambda k, v: {k: v}, st.sampled_from(["S", "N"]), st.text(max_size=4))


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(st.text(max_size=3), _plain_values, max_size=4),
    st.one_of(
        st.none(),
        st.tuples(st.one_of(st.text(max_size=3), st.builds(_Text, st.text(max_size=2)), st.integers()), _odd_values),
    ),
    st.sampled_from(["Key", "ExpressionAttributeValues", "Item"]),
)
def test_given_any_attribute_map_then_the_one_walk_answers_the_two_walks_or_leaves_the_call_to_them(plain, odd, member):
    values: dict[Any, Any] = dict(plain)
    if odd is not None:  # at most one odd entry among text values, so that it decides
        values[odd[0]] = odd[1]
    operation = "PutItem" if member == "Item" else "UpdateItem"
    shape = (
        SESSION.client("dynamodb", region_name="us-east-1").meta.service_model.operation_model(operation).input_shape
    )
    params = {"TableName": "t", member: values}
    if member != "Item":
        params.setdefault("Key", {"pk": {"S": "p"}})
    got = request_params.converted(shape, params)
    expected = _expected(shape, params)
    if got is request_params.FAIL:
        assert isinstance(expected, str)  # refused (or not covered): the two walks, as before
    else:
        assert _same(got, expected)


def test_given_dynamodb_s_attribute_maps_then_their_text_values_take_the_loop():
    shape = (
        SESSION.client("dynamodb", region_name="us-east-1").meta.service_model.operation_model("PutItem").input_shape
    )
    converter = request_params.converter_of(shape.members["Item"].value)
    assert converter.text_members() == {"S", "N"}  # type: ignore[attr-defined]
