"""Fast path 55 (``outreach.simulator.json_answers``): an answer's structure is handed to the caller as its own parse
only where botocore's parse of the JSON text would give exactly the same: the same classes, values and key order
all the way down. Checked over random answers of every DynamoDB and Step Functions output shape, odd values
included (``None`` members and items, empty unions, blobs, wrong classes, a string shape's ``{}``)."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto.core.serialize import JSONSerializer, XFormedAttributePicker

from outreach.simulator import json_answers

SESSION = boto3.session.Session()
MODELS = {
    name: SESSION.client(name, region_name="us-east-1").meta.service_model for name in ("dynamodb", "stepfunctions")
}
OPERATIONS = [
    (service, name)
    for service, model in MODELS.items()
    for name in model.operation_names
    if model.operation_model(name).output_shape is not None
]


def _same(a: Any, b: Any) -> bool:
    """Equal with the same classes and the same key order all the way down (``1 == 1.0 == True`` is not enough)."""
    if type(a) is not type(b):
        return False
    if type(a) is dict:
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if type(a) is list:
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (a != a and b != b)  # NaN


_ODD = st.sampled_from([None, {}, [], "", 0, 1.5, True, "text", b"\x00bytes", ["x"], {"k": "v"}])


def _value(draw: Any, shape: Any, depth: int) -> Any:
    """A value moto's result could hold for ``shape``: mostly of the right kind, sometimes anything."""
    if depth > 4 or draw(st.integers(0, 19)) == 0:
        return draw(_ODD)
    kind = shape.type_name
    if kind == "structure":
        members = list(shape.members.items())
        if shape.is_tagged_union and members and draw(st.booleans()):
            name, member = draw(st.sampled_from(members))
            return {name: _value(draw, member, depth + 1)}
        chosen = draw(st.lists(st.sampled_from(members), max_size=4, unique_by=lambda m: m[0])) if members else []
        return {name: _value(draw, member, depth + 1) for name, member in chosen}
    if kind == "list":
        return [_value(draw, shape.member, depth + 1) for _ in range(draw(st.integers(0, 3)))]
    if kind == "map":
        keys = draw(st.lists(st.sampled_from(["a", "b", "", "S", "ü"]), max_size=3, unique=True))
        return {key: _value(draw, shape.value, depth + 1) for key in keys}
    if kind in ("integer", "long"):
        return draw(st.one_of(st.integers(-(2**40), 2**40), st.sampled_from([2.0, "7", True])))
    if kind in ("float", "double"):
        return draw(st.one_of(st.floats(allow_nan=False), st.integers(-5, 5), st.just("0.5")))
    if kind == "boolean":
        return draw(st.booleans())
    if kind == "blob":
        return draw(st.one_of(st.binary(max_size=4), st.text(max_size=3)))
    if kind == "timestamp":
        return draw(st.just(1700000000))
    return draw(st.text(max_size=4))


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_given_a_random_answer_when_it_is_its_own_parse_then_botocore_parses_its_text_to_the_same(
    service, operation, data
):
    operation_model = MODELS[service].operation_model(operation)
    shape = operation_model.output_shape
    result = _value(data.draw, shape, 0)
    serializer = JSONSerializer(
        operation_model=operation_model,
        pretty_print=False,
        value_picker=XFormedAttributePicker(response_transformers={}),
    )
    wire: dict[str, Any] = {}
    odd: list[Any] = []
    blobs: json_answers.Blobs = []
    try:
        json_answers.serialize_json(serializer, wire, result, shape, "", odd, blobs)
        text = json.dumps(wire)
    except Exception:  # moto's serializer fails such a value too (a timestamp goes moto's way)
        return
    if odd:
        return  # botocore parses it, as before
    for container, key, encoded in blobs:  # as direct_calls.parsed_success decodes them
        container[key] = base64.b64decode(encoded)
    parsed = create_parser("json")._parse_shape(shape, json.loads(text))
    assert _same(wire, parsed)


def test_given_the_handlers_answers_then_they_are_their_own_parse_their_blobs_decoded():
    """The answers of the handlers' calls take the short way, a binary attribute (the state's) decoded in place."""
    model = MODELS["dynamodb"].operation_model("Query")
    serializer = JSONSerializer(
        operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker(response_transformers={})
    )
    item = {"pk": {"S": "ORDER#1"}, "n": {"N": "1"}, "m": {"M": {"l": {"L": [{"NULL": True}, {"SS": ["a"]}]}}}}
    answer = {
        "Items": [item],
        "Count": 1,
        "ScannedCount": 1,
        "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5},
    }
    with_blobs = {**answer, "Items": [{**item, "b": {"B": b"\x01"}, "bs": {"BS": [b"\x02", b"\x03"]}}]}
    for result, found in ((answer, 0), (with_blobs, 3)):
        wire: dict[str, Any] = {}
        odd: list[Any] = []
        blobs: json_answers.Blobs = []
        json_answers.serialize_json(serializer, wire, result, model.output_shape, "", odd, blobs)
        assert not odd
        assert len(blobs) == found
    assert wire["Items"][0]["b"] == {"B": base64.b64encode(b"\x01").decode()}
    assert wire["Items"][0]["bs"]["BS"][1] == base64.b64encode(b"\x03").decode()


# -- fast path 56: attribute values written straight away ---------------------------------------------------------
_strings = st.text(max_size=3)
_scalar_values = st.one_of(
    st.builds(lambda v: {"S": v}, _strings),
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "-2.5", "1e3"])),
    st.builds(lambda v: {"B": v}, st.one_of(st.binary(max_size=3), _strings)),
    st.builds(lambda v: {"SS": v}, st.lists(_strings, max_size=2)),
    st.builds(lambda v: {"NS": v}, st.lists(st.sampled_from(["1", "2"]), max_size=2)),
    st.builds(lambda v: {"BS": v}, st.lists(st.one_of(st.binary(max_size=2), _strings), max_size=2)),
    st.builds(lambda v: {"NULL": v}, st.booleans()),
    st.builds(lambda v: {"BOOL": v}, st.one_of(st.booleans(), st.just("true"))),
    _ODD,
    st.just({"S": "a", "N": "1"}),
    st.just({"X": "unknown"}),
    st.just({"S": None}),
    st.just({"S": 5}),
)
_attribute_values = st.recursive(
    _scalar_values,
    lambda inner: st.one_of(
        st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "", "S"]), inner, max_size=3)),
        st.builds(lambda v: {"L": v}, st.lists(st.one_of(inner, st.none()), max_size=3)),
    ),
    max_leaves=6,
)
_attribute_maps = st.dictionaries(st.sampled_from(["pk", "sk", "", "S", "ü"]), st.one_of(_attribute_values, st.none()))


@settings(max_examples=80, deadline=None)
@given(items=st.lists(_attribute_maps, max_size=3), key=_attribute_maps, attributes=_attribute_maps)
def test_given_random_attribute_values_when_written_straight_away_then_the_answer_is_the_walk_s(items, key, attributes):
    from moto.core.utils import get_service_model

    model = get_service_model("dynamodb")  # the model moto serialises with
    for operation, result in (
        ("Query", {"Items": items, "Count": len(items), "LastEvaluatedKey": key}),
        ("UpdateItem", {"Attributes": attributes, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5}}),
        ("GetItem", {"Item": attributes}),
    ):
        shape = model.operation_model(operation).output_shape
        serializer = JSONSerializer(
            operation_model=model.operation_model(operation),
            pretty_print=False,
            value_picker=XFormedAttributePicker(response_transformers={}),
        )
        written = []
        for straight_away in (True, False):
            wire: dict[str, Any] = {}
            odd: list[Any] = []
            blobs: json_answers.Blobs = []
            with _attribute_values_written(straight_away):
                try:
                    json_answers.serialize_json(serializer, wire, result, shape, "", odd, blobs)
                except Exception as exc:  # the same failure both ways
                    written.append(("raised", type(exc)))
                    continue
            text = json.dumps(wire)
            for container, where, encoded in blobs:
                container[where] = base64.b64decode(encoded)
            written.append((text, bool(odd), wire))
        fast, walked = written
        assert fast[:2] == walked[:2]
        if len(fast) > 2:
            assert _same(fast[2], walked[2])


class _attribute_values_written:
    """Fast path 56 on (as installed) or off (every attribute value through the generic walk)."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def __enter__(self) -> None:
        self.saved = json_answers._attribute_value_shape
        if not self.on:
            json_answers._attribute_value_shape = lambda serializer, shape: False  # type: ignore[assignment]

    def __exit__(self, *exc: Any) -> None:
        json_answers._attribute_value_shape = self.saved  # type: ignore[assignment]


def test_given_dynamodb_s_model_then_its_attribute_value_is_written_straight_away():
    from moto.core.utils import get_service_model

    model = get_service_model("dynamodb").operation_model("Query")
    serializer = JSONSerializer(
        operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker(response_transformers={})
    )
    attribute_value = model.output_shape.members["Items"].member.value
    assert json_answers._attribute_value_shape(serializer, attribute_value)
    assert not json_answers._attribute_value_shape(serializer, model.output_shape)


def test_given_answers_one_after_another_when_one_serializer_is_kept_then_each_is_moto_s():
    """Fast path 65: the serializer kept per operation carries nothing from one answer to the next."""
    import copy

    from moto.core.responses import ActionContext, ActionResult
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler

    model = get_service_model("dynamodb")
    item = {"pk": {"S": "ORDER#1"}, "b": {"B": b"\x01"}, "m": {"M": {"l": {"L": [{"N": "1"}]}}}}
    results = [
        ("Query", {"Items": [item], "Count": 1, "ScannedCount": 1}),
        ("Query", {"Items": [], "Count": 0, "ScannedCount": 0, "LastEvaluatedKey": {"pk": {"S": "x"}}}),
        ("GetItem", {"Item": item}),
        ("Query", {"Items": [item, item], "Count": 2, "ScannedCount": 5}),
        ("GetItem", {}),
    ]
    for operation, result in results * 2:
        context = ActionContext(model, model.operation_model(operation), JSONSerializer, DynamoHandler())
        expected = json_answers._original_execute_result(ActionResult(copy.deepcopy(result)), context)
        assert json_answers.execute_result(ActionResult(copy.deepcopy(result)), context) == expected
    assert len({id(known[1]) for known in json_answers._serializers.values()}) == len(json_answers._serializers)


@pytest.mark.parametrize(
    "result",
    [
        {"Item": {1: {"S": "x"}}},
        {"Item": {"a": {"M": {True: {"S": "x"}, None: {"N": "1"}}}}},
        {"Item": {"1": {"S": "a"}, 1: {"S": "b"}}},
    ],
)
def test_given_a_map_with_keys_that_are_not_text_then_botocore_parses_the_answer(result):
    """botocore's parse of the text turns such keys into text (and merges colliding ones): never handed over as is."""
    model = MODELS["dynamodb"].operation_model("GetItem")
    serializer = JSONSerializer(
        operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker(response_transformers={})
    )
    wire: dict[str, Any] = {}
    odd: list[Any] = []
    json_answers.serialize_json(serializer, wire, result, model.output_shape, "", odd, [])
    assert odd


def test_given_a_map_that_is_not_a_dict_then_it_fails_as_moto_s_walk_fails():
    model = MODELS["dynamodb"].operation_model("Query")
    serializer = JSONSerializer(
        operation_model=model, pretty_print=False, value_picker=XFormedAttributePicker(response_transformers={})
    )
    with pytest.raises(AttributeError):  # moto's: 'NoneType' object has no attribute 'items'
        json_answers.serialize_json(serializer, {}, {"Items": [None], "Count": 1}, model.output_shape, "", [], [])


# -- fast path 89: a table's values written by the writer, not converted by DynamoResult first -----------------------
_stored_scalars = st.one_of(
    st.builds(lambda v: {"S": v}, _strings),
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "-2.5", "1E+3"])),
    st.builds(lambda v: {"B": v}, st.binary(max_size=3)),
    st.builds(lambda v: {"B": base64.b64encode(v).decode()}, st.binary(max_size=3)),  # as the HTTP way stores it
    st.just({"B": "abc"}),  # not base64: moto's conversion fails on it
    st.builds(lambda v: {"SS": v}, st.lists(_strings, max_size=2)),
    st.builds(lambda v: {"NS": v}, st.lists(st.sampled_from(["1", "2"]), max_size=2)),
    st.builds(lambda v: {"BS": v}, st.lists(st.binary(max_size=2), max_size=2)),
    st.just({"NULL": True}),
    st.builds(lambda v: {"BOOL": v}, st.booleans()),
)
_stored_values = st.recursive(
    _stored_scalars,
    lambda inner: st.one_of(
        st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b", "", "ü"]), inner, max_size=3)),
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
    ),
    max_leaves=6,
)
_stored_items = st.dictionaries(st.sampled_from(["pk", "sk", "a", "", "ü"]), _stored_values, max_size=4)


@settings(max_examples=80, deadline=None)
@given(items=st.lists(_stored_items, max_size=3), key=_stored_items, fallback=st.booleans())
def test_given_a_table_s_values_when_left_to_the_writer_then_the_answer_is_moto_s(items, key, fallback):
    from moto.core.responses import ActionContext, ActionResult
    from moto.core.utils import get_service_model
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import dynamo_to_dict
    from moto.dynamodb.responses import DynamoHandler, DynamoResult

    from outreach.simulator import item_copies

    def stored(item: dict[str, Any]) -> Any:
        attrs = LimitedSizeDict()
        for name, value in item.items():
            attrs[name] = DynamoType(value)
        return attrs

    model = get_service_model("dynamodb")
    for operation, result in (
        ("Query", {"Count": len(items), "Items": [stored(item) for item in items], "LastEvaluatedKey": stored(key)}),
        ("GetItem", {"Item": stored(key)}),
    ):
        context = ActionContext(model, model.operation_model(operation), JSONSerializer, DynamoHandler())
        try:
            expected: Any = json_answers._original_execute_result(ActionResult(dynamo_to_dict(result)), context)
        except Exception as exc:  # moto fails on it (a base64 text that is not): the same failure
            expected = type(exc)
        left: Any = DynamoResult.__new__(DynamoResult)
        item_copies._dynamo_result_init(left, result)
        kept: list[Any] = []
        direct_calls_slot = json_answers.direct_calls._wire
        direct_calls_slot.slot = kept
        try:
            if fallback:  # what moto's own serializer gets when fast path 12 steps aside
                json_answers._as_moto_made_it(left)
                assert not left._sim_deferred
            got: Any = json_answers.execute_result(left, context)
        except Exception as exc:
            got = type(exc)
        finally:
            direct_calls_slot.slot = None
        assert got == expected
        if kept and kept[2] is not None:  # the structure handed on is botocore's parse, blobs decoded
            for container, where, encoded in kept[2]:
                container[where] = base64.b64decode(encoded)
            parser = create_parser("json")
            parsed = parser._parse_shape(model.operation_model(operation).output_shape, json.loads(kept[0]))
            assert _same(kept[1], parsed)


def test_given_moto_s_dynamodb_responses_then_only_the_writer_and_the_consumed_capacity_read_a_result():
    """Fast path 89 leaves a table's values in a ``DynamoResult`` for the writer: moto's DynamoDB responses read a
    result only in ``include_consumed_capacity`` (its top level: the answer's ``ConsumedCapacity``)."""
    import inspect
    import re

    from moto.dynamodb import responses

    assert len(re.findall(r"\.result\b", inspect.getsource(responses))) == 1
    assert "body: dict[str, Any] = result.result" in inspect.getsource(responses.include_consumed_capacity)


# -- fast path 97: the JSON text of a tree without the circular-reference bookkeeping --------------------------------
_json_trees = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.sampled_from(["\u00e9", "\ud800", "\n"])
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=5), inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(tree=st.dictionaries(st.text(max_size=5), _json_trees, max_size=5))
def test_given_any_tree_of_json_values_when_written_then_the_text_is_json_dumps_s(tree):
    assert json_answers._dumps_tree(tree) == json.dumps(tree)


def test_given_json_dumps_replaced_when_a_tree_is_written_then_the_replacement_writes_it(monkeypatch):
    monkeypatch.setattr(json, "dumps", lambda value: "replaced")
    assert json_answers._dumps_tree({"a": 1}) == "replaced"
