"""Fast path 48 (``outreach.simulator.dynamodb_transforms``): boto3's DynamoDB transformer skips only the walks that
cannot find their target shape, so the parameters botocore gets and the answers a handler gets are boto3's own."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.transform import TransformationInjector
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import dynamodb_transforms
from outreach.simulator.patching import installed

MODEL = boto3.session.Session().client("dynamodb", region_name="us-east-1").meta.service_model
TARGETS = ("ConditionExpression", "KeyExpression", "AttributeValue")


def _names_below(shape_name: str) -> set[str]:
    """Every shape name below ``shape_name`` in the service's raw model (not the shape itself, unless a cycle)."""
    raw = MODEL._shape_resolver._shape_map
    found: set[str] = set()
    todo = [shape_name]
    while todo:
        shape = raw[todo.pop()]
        refs = [m["shape"] for m in shape.get("members", {}).values()]
        refs += [shape[k]["shape"] for k in ("member", "value") if k in shape]
        for ref in refs:
            if ref not in found:
                found.add(ref)
                todo.append(ref)
    return found


@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_given_every_operation_then_a_target_is_reachable_exactly_where_the_model_has_it(operation):
    model = MODEL.operation_model(operation)
    for shape in (model.input_shape, model.output_shape):
        if shape is None:
            continue
        below = _names_below(shape.name)
        for target in TARGETS:
            assert dynamodb_transforms.reachable(shape, target) == (target in below), (shape.name, target)


_leaf = st.one_of(
    st.text(max_size=4),
    st.integers(-5, 5).map(Decimal),
    st.booleans(),
    st.none(),
    st.binary(max_size=3),
    st.sets(st.text(max_size=2), min_size=1, max_size=2),
)
# keys that are also AttributeValue member names ("S", "M", "L"...) send boto3's walk into a user's map
_keys = st.sampled_from(["a", "b", "S", "M", "L", "N", "NULL", "ConditionExpression"])
_values = st.recursive(
    _leaf, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)), max_leaves=8
)
_items = st.dictionaries(_keys, _values, max_size=4)


def _calls(item: dict[str, Any], value: Any) -> list[tuple[str, dict[str, Any]]]:
    key = {"pk": "ORDER#1", "sk": "STATE"}
    return [
        ("PutItem", {"TableName": "t", "Item": {**item, **key}, "ConditionExpression": Attr("pk").not_exists()}),
        (
            "UpdateItem",
            {
                "TableName": "t",
                "Key": key,
                "UpdateExpression": "SET #v = :v",
                "ExpressionAttributeNames": {"#v": "v"},
                "ExpressionAttributeValues": {":v": value},
                "ConditionExpression": Attr("version").eq(3) & Attr("doc").exists(),
                "ReturnValues": "ALL_NEW",
            },
        ),
        ("UpdateItem", {"TableName": "t", "Key": key, "ConditionExpression": "attribute_exists(pk)"}),
        (
            "Query",
            {
                "TableName": "t",
                "KeyConditionExpression": Key("pk").eq("ORDER#1") & Key("sk").begins_with("E"),
                "FilterExpression": Attr("n").gt(value) if not isinstance(value, dict | list) else Attr("n").exists(),
                "ExclusiveStartKey": key,
            },
        ),
        ("Scan", {"TableName": "t", "ScanFilter": {"a": {"ComparisonOperator": "EQ", "AttributeValueList": [value]}}}),
        ("GetItem", {"TableName": "t", "Key": key, "ProjectionExpression": "a, b"}),
        ("DeleteItem", {"TableName": "t", "Key": key, "Expected": {"a": {"Value": value}}}),
        ("BatchWriteItem", {"RequestItems": {"t": [{"PutRequest": {"Item": {**item, **key}}}]}}),
        (
            "TransactWriteItems",
            {
                "TransactItems": [
                    {"Put": {"TableName": "t", "Item": {**item, **key}, "ConditionExpression": Attr("x").ne(1)}},
                    {"ConditionCheck": {"TableName": "t", "Key": key, "ConditionExpression": Attr("v").lt(2)}},
                ]
            },
        ),
    ]


def _transformed(operation: str, params: dict[str, Any], fast: bool) -> Any:
    injector = TransformationInjector()
    model = MODEL.operation_model(operation)
    params = copy.deepcopy(params)
    patches = dynamodb_transforms.PATCHES if fast else []
    with installed(patches):
        injector.inject_condition_expressions(params, model)
        injector.inject_attribute_value_input(params, model)
        answer = {"Attributes": copy.deepcopy(params.get("Item", {})), "Items": [params.get("Key", {})]}
        answer["ConsumedCapacity"] = {"TableName": "t", "CapacityUnits": 1.0}
        injector.inject_attribute_value_output(answer, model)
    return params, answer


@settings(max_examples=150, deadline=None)
@given(_items, _values)
def test_given_any_data_when_transformed_with_the_pruned_walk_then_it_is_boto3_s_transformation(item, value):
    for operation, params in _calls(item, value):
        try:
            expected: Any = _transformed(operation, params, fast=False)
        except Exception as exc:  # boto3 refuses some values (an empty set, ...): the same refusal
            expected = (type(exc).__name__, str(exc))
        try:
            got: Any = _transformed(operation, params, fast=True)
        except Exception as exc:
            got = (type(exc).__name__, str(exc))
        assert got == expected, operation


# -- fast path 61: attribute values (de)serialised by their class -------------------------------------------------
def _outcome(fn: Any, value: Any) -> Any:
    try:
        return ("ok", fn(value))
    except Exception as exc:  # the same error both ways
        return ("raised", type(exc).__name__, str(exc))


def _typed(value: Any) -> Any:
    """``value`` with the class of everything in it, to compare classes as well as values (``1 == True``)."""
    if isinstance(value, dict):
        return ("dict", [(k, _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple | set | frozenset):
        items = [_typed(v) for v in value]
        return (type(value).__name__, sorted(items, key=repr) if isinstance(value, set | frozenset) else items)
    if isinstance(value, float | Decimal):
        return (type(value).__name__, repr(value))  # NaN is not equal to itself
    return (type(value).__name__, value)


_python_values = st.recursive(
    st.one_of(
        _leaf,
        st.floats(allow_nan=True),
        st.sampled_from([Decimal("Infinity"), Decimal("NaN"), 10**40, -1, True, ("t", 1), bytearray(b"x")]),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_keys, inner, max_size=3)),
    max_leaves=8,
)
_wire_values = st.recursive(
    st.one_of(
        st.builds(lambda v: {"S": v}, st.text(max_size=3)),
        st.builds(lambda v: {"N": v}, st.sampled_from(["1", "-2.50", "1e3", "x"])),
        st.builds(lambda v: {"BOOL": v}, st.booleans()),
        st.just({"NULL": True}),
        st.builds(lambda v: {"B": v}, st.binary(max_size=2)),
        st.builds(lambda v: {"SS": v}, st.lists(st.text(max_size=2), max_size=2)),
        st.sampled_from([{}, {"s": "lower"}, {"X": 1}, {"S": "a", "N": "1"}, {"N": "1", "S": "a"}, "text", None]),
    ),
    lambda inner: st.one_of(
        st.builds(lambda v: {"M": v}, st.dictionaries(_keys, inner, max_size=3)),
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
    ),
    max_leaves=8,
)


@settings(max_examples=80, deadline=None)
@given(python=_python_values, wire=_wire_values)
def test_given_any_value_when_serialised_or_deserialised_then_it_is_boto3_s(python, wire):
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    expected = (_outcome(TypeSerializer().serialize, python), _outcome(TypeDeserializer().deserialize, wire))
    with installed([p for p in dynamodb_transforms.PATCHES if p[1] in ("serialize", "deserialize")]):
        got = (_outcome(TypeSerializer().serialize, python), _outcome(TypeDeserializer().deserialize, wire))
    assert _typed(got) == _typed(expected)


# -- fast path 90: the condition pass of a call with no condition object to build ------------------------------------
_CONDITIONS = st.one_of(
    st.just("attribute_exists(pk)"),
    st.just("#s < :s"),
    st.builds(lambda v: Attr("a").eq(v), st.integers(0, 3)),
    st.builds(lambda v: Attr("a").eq(v) & Attr("b").exists(), st.text(max_size=2)),
    st.just(5),
    st.none(),
)
_KEY_CONDITIONS = st.one_of(
    st.just("pk = :p"), st.builds(lambda v: Key("pk").eq(v), st.text(max_size=2)), st.just(Key("pk").eq("x"))
)
_PLACEHOLDERS = st.one_of(st.none(), st.just({"#s": "s"}), st.just({}), st.just(["not a map"]), st.just("text"))


@settings(max_examples=120, deadline=None)
@given(
    operation=st.sampled_from(
        ["Query", "Scan", "UpdateItem", "PutItem", "DeleteItem", "GetItem", "TransactWriteItems"]
    ),
    condition=_CONDITIONS,
    key_condition=_KEY_CONDITIONS,
    members=st.sets(st.sampled_from(["ConditionExpression", "FilterExpression", "KeyConditionExpression", "Key"])),
    names=_PLACEHOLDERS,
    values=_PLACEHOLDERS,
)
def test_given_any_call_when_its_conditions_are_injected_then_it_is_boto3_s_injection(
    operation, condition, key_condition, members, names, values
):
    model = MODEL.operation_model(operation)
    params: dict[str, Any] = {"TableName": "t"}
    for member in sorted(members):
        params[member] = key_condition if member == "KeyConditionExpression" else condition
    if "Key" in params:
        params["Key"] = {"pk": "x"}
    if names is not None:
        params["ExpressionAttributeNames"] = copy.deepcopy(names)
    if values is not None:
        params["ExpressionAttributeValues"] = copy.deepcopy(values)
    if operation == "TransactWriteItems":
        params = {"TransactItems": [{"ConditionCheck": {**params, "ConditionExpression": condition}}]}
    outcomes = []
    for fast in (True, False):
        injector = TransformationInjector()
        injector._condition_builder.build_expression(Attr("x").eq(1))  # a builder that has numbered before
        given_params = copy.deepcopy(params)
        patches = dynamodb_transforms.PATCHES if fast else []
        with installed(patches):
            try:
                injector.inject_condition_expressions(given_params, model)
                outcome: Any = ("ok", given_params)
            except Exception as exc:
                outcome = ("raised", type(exc), str(exc))
            after = injector._condition_builder.build_expression(Attr("y").eq(2))  # the builder's count after
        outcomes.append((outcome, after.condition_expression, after.attribute_value_placeholders))
    assert outcomes[0] == outcomes[1]


def test_given_the_handlers_operations_then_their_conditions_are_top_level_members():
    for operation in ("Query", "Scan", "UpdateItem", "PutItem", "DeleteItem"):
        assert dynamodb_transforms.top_level_conditions(MODEL.operation_model(operation).input_shape)
    assert dynamodb_transforms.top_level_conditions(MODEL.operation_model("GetItem").input_shape) == ()
    assert dynamodb_transforms.top_level_conditions(MODEL.operation_model("TransactWriteItems").input_shape) is None


# -- fast path 95: a map of attribute values (de)serialised in one loop ---------------------------------------------
_map_wire_values = st.one_of(
    st.builds(lambda v: {"S": v}, st.text(max_size=3)),
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "-2.50", "1E+3"])),
    st.builds(lambda v: {"BOOL": v}, st.booleans()),
    st.just({"NULL": True}),
    st.just({"SS": ["a", "b"]}),
    st.just({"M": {"k": {"N": "2"}}}),
    st.just({"B": b"\x00"}),
    st.just({}),
    st.just({"X": "unknown"}),
)
_map_python_values = st.one_of(
    st.text(max_size=3), st.booleans(), st.integers(-3, 3), st.none(), st.just({"a"}), st.just(1.5), st.just(b"\x01")
)


@settings(max_examples=120, deadline=None)
@given(
    wire=st.dictionaries(st.text(max_size=2), _map_wire_values),
    python=st.dictionaries(st.text(max_size=2), _map_python_values),
)
def test_given_a_map_of_values_when_transformed_in_one_loop_then_it_is_boto3_s(wire, python):
    outcomes = []
    for fast in (True, False):
        injector = TransformationInjector()
        answer = {"Item": copy.deepcopy(wire)}
        params = {"TableName": "t", "Item": copy.deepcopy(python)}
        with installed(dynamodb_transforms.PATCHES if fast else []):
            try:
                injector.inject_attribute_value_output(answer, MODEL.operation_model("GetItem"))
                out: Any = _typed(answer)
            except Exception as exc:
                out = (type(exc).__name__, str(exc))
            try:
                injector.inject_attribute_value_input(params, MODEL.operation_model("PutItem"))
                sent: Any = _typed(params)
            except Exception as exc:
                sent = (type(exc).__name__, str(exc))
        outcomes.append((out, sent))
    assert outcomes[0] == outcomes[1]
