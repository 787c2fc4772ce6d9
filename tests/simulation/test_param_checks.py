"""Fast path 49 (``outreach.simulator.param_checks``): a compiled check says "no errors" only where botocore's own
validation reports none, so every call is refused exactly as before and every valid call passes as before (the
operations the simulator's handlers and moto's interpreter call, and DynamoDB's batch, transaction and table calls)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.validate import ParamValidator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.simulator import param_checks
from outreach.simulator.patching import installed

SESSION = boto3.session.Session()
DYNAMODB = ("Query", "UpdateItem", "PutItem", "GetItem", "DeleteItem", "Scan", "TransactWriteItems", "BatchGetItem")
OPERATIONS = [
    *[("dynamodb", name) for name in (*DYNAMODB, "BatchWriteItem", "TransactGetItems", "CreateTable", "UpdateTable")],
    ("lambda", "Invoke"),
    ("sesv2", "SendEmail"),
    ("sesv2", "GetSuppressedDestination"),
    ("scheduler", "CreateSchedule"),
    ("scheduler", "DeleteSchedule"),
    ("stepfunctions", "SendTaskSuccess"),
    ("stepfunctions", "SendTaskFailure"),
    ("stepfunctions", "StartExecution"),
    ("sns", "Publish"),
]
_ODD = st.sampled_from([None, 1, 1.5, Decimal("2"), True, "", "x", b"b", [], {}, ("t",), object()])


def _value(draw: Any, shape: Any, depth: int) -> Any:
    """Mostly what the shape asks for, now and then something else (wrong types, short strings, missing or unknown
    members, unions with no or two members)."""
    if draw(st.integers(0, 14)) == 0:
        return draw(_ODD)
    kind = shape.type_name
    if kind == "structure":
        names = list(shape.members)
        if depth > 3 or not names:
            return {}
        if shape.is_tagged_union:
            chosen = (
                draw(st.lists(st.sampled_from(names), min_size=0, max_size=2, unique=True))
                if draw(st.integers(0, 5)) == 0
                else [draw(st.sampled_from(names))]
            )
        else:
            required = shape.metadata.get("required", [])
            optional = [n for n in names if n not in required]
            chosen = [n for n in required if draw(st.integers(0, 20)) > 0]
            chosen += draw(st.lists(st.sampled_from(optional), max_size=3, unique=True)) if optional else []
        value = {name: _value(draw, shape.members[name], depth + 1) for name in chosen}
        if draw(st.integers(0, 25)) == 0:
            value["NotAMember"] = 1
        return value
    if kind == "list":
        items = [] if depth > 3 else [_value(draw, shape.member, depth + 1) for _ in range(draw(st.integers(0, 2)))]
        return tuple(items) if draw(st.booleans()) else items
    if kind == "map":
        if depth > 3:
            return {}
        return {
            draw(st.sampled_from(["k", "", 5])): _value(draw, shape.value, depth + 1)
            for _ in range(draw(st.integers(0, 2)))
        }
    if kind == "string":
        return draw(st.text(max_size=3))
    if kind in ("integer", "long"):
        return draw(st.integers(-2, 3))
    if kind in ("double", "float"):
        return draw(st.one_of(st.floats(-2, 2), st.integers(-2, 2)))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "blob":
        return draw(st.one_of(st.binary(max_size=3), st.text(max_size=3)))
    return draw(st.one_of(st.just("2026-11-02T10:00:00Z"), st.just("not a time"), _ODD))


@pytest.mark.parametrize("service,operation", OPERATIONS, ids=[f"{s}-{o}" for s, o in OPERATIONS])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_given_any_parameters_then_the_check_passes_only_where_botocore_reports_no_error(service, operation, data):
    shape = SESSION.client(service, region_name="us-east-1").meta.service_model.operation_model(operation).input_shape
    params = _value(data.draw, shape, 0)
    botocore_report = ParamValidator().validate(params, shape)
    with installed(param_checks.PATCHES):
        report = ParamValidator().validate(params, shape)
    assert report.generate_report() == botocore_report.generate_report()  # the same errors, or none
    if param_checks.check_of(shape)(params):
        assert not botocore_report.has_errors()
    param_checks.clear()


def test_given_the_simulators_valid_calls_then_the_check_passes_them_without_botocore_s_walk():
    walked: list[Any] = []
    original = param_checks._original

    def spy(self: Any, params: Any, shape: Any) -> Any:
        walked.append(shape.name)
        return original(self, params, shape)

    dynamodb = SESSION.client("dynamodb", region_name="us-east-1").meta.service_model
    calls = [
        (
            dynamodb.operation_model("UpdateItem").input_shape,
            {
                "TableName": "t",
                "Key": {"pk": {"S": "ORDER#1"}, "sk": {"S": "STATE"}},
                "UpdateExpression": "SET #d = :d",
                "ExpressionAttributeNames": {"#d": "doc"},
                "ExpressionAttributeValues": {":d": {"M": {"x": {"L": [{"N": "1"}, {"NULL": True}, {"B": b"\x00"}]}}}},
                "ReturnValues": "ALL_NEW",
            },
        ),
        (
            SESSION.client("lambda", region_name="us-east-1").meta.service_model.operation_model("Invoke").input_shape,
            {"FunctionName": "outreach-timeline", "Payload": b"{}"},
        ),
    ]
    param_checks._original = spy  # type: ignore[assignment]
    try:
        with installed(param_checks.PATCHES):
            for shape, params in calls:
                assert not ParamValidator().validate(params, shape).has_errors()
            assert ParamValidator().validate({"TableName": 5}, calls[0][0]).has_errors()  # botocore's walk reports it
    finally:
        param_checks._original = original  # type: ignore[assignment]
        param_checks.clear()
    assert walked == ["UpdateItemInput"]
