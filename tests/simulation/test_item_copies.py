"""Fast paths 30, 31, 33, 35, 47 and 50 (``outreach.simulator.item_copies``): the copies of DynamoDB items moto makes
and nobody sees are left out, and nothing changes for a user: answers, errors, stored items and stream records are those
of plain moto, and no answer shares anything with the table (changing every answer after the call leaves the table as
it was); moto's conversions and item sizes are computed faster to the same results."""

from __future__ import annotations

import base64
import functools
from decimal import Decimal
from typing import Any

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.client import BaseClient
from botocore.config import Config
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.utilities import dynamo_to_dict
from moto.moto_api._internal import mock_random

from outreach.simulator import item_copies, metering, moto_runtime
from outreach.simulator.patching import installed
from tests.dynamo import create_keyed_table
from tests.simulation.test_direct_calls import _call

REGION = "us-east-1"
KEY = {"pk": "ORDER#1", "sk": "STATE"}
NESTED = {
    **KEY,
    "version": 1,
    "doc": {"x": [1, "y", None, True, {"deep": Decimal("0.10"), "bin": b"\x02"}], "m": {"a": {"b": ["c"]}}},
    "tags": {"a", "b"},
    "blob": b"\x00\x01",
    "list": [[1, 2], {"k": "v"}],
}


def _scramble(value: Any) -> None:
    """Change every dict and list inside ``value`` in place."""
    if isinstance(value, dict):
        for nested in value.values():
            _scramble(nested)
        value.clear()
        value["scrambled"] = True
    elif isinstance(value, list):
        for nested in value:
            _scramble(nested)
        value[:] = ["scrambled"]


def _conversation() -> list[Any]:
    create_keyed_table("t", REGION, index_key="gsiKey")
    ddb = boto3.client("dynamodb", region_name=REGION)
    ddb.create_table(
        TableName="s",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    t = boto3.resource("dynamodb", region_name=REGION).Table("t")
    s = boto3.resource("dynamodb", region_name=REGION).Table("s")
    out: list[Any] = []
    for table, key in ((t, KEY), (s, {"pk": "ORDER#1"})):
        out.append(_call(table.put_item, Item={**NESTED, **key}))
        out.append(_call(table.put_item, Item={**NESTED, **key, "version": 2}, ReturnValues="ALL_OLD"))
        # in-place changes of nested values: the old attributes must show them as they were
        for returns in ("ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW", "NONE"):
            out.append(
                _call(
                    table.update_item,
                    Key=key,
                    UpdateExpression="SET doc.x[4].deep = :d, doc.m.a.b[0] = :c, #l[0][1] = :d ADD tags :t",
                    ExpressionAttributeNames={"#l": "list"},
                    ExpressionAttributeValues={":d": Decimal("7"), ":c": "changed", ":t": {"z"}},
                    ReturnValues=returns,
                )
            )
        out.append(
            _call(
                table.update_item,
                Key=key,
                UpdateExpression="SET version = :v REMOVE doc.m",
                ConditionExpression="version = :old",
                ExpressionAttributeValues={":v": 3, ":old": 99},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        )
        out.append(_call(table.update_item, Key=key, UpdateExpression="REMOVE doc.m", ReturnValues="ALL_OLD"))
        out.append(
            _call(
                table.update_item,
                Key={**key, "pk": "NEW"},
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": {"n": [1]}},
                ReturnValues="ALL_OLD",
            )
        )
        # fast path 50: answers without old or new attributes render neither; a refused ReturnValues as before
        for returns in ("NONE", "ALL_NEW", "ALL_OLD", "SOMETIMES"):
            out.append(
                _call(
                    table.update_item,
                    Key={**key, "pk": f"FRESH-{returns}"},
                    UpdateExpression="SET a = :a ADD n :one",
                    ExpressionAttributeValues={":a": {"n": [1]}, ":one": 1},
                    ReturnValues=returns,
                )
            )
        out.append(_call(table.get_item, Key=key, ConsistentRead=True))
    # ... and a ReturnValues that is no string, from a client that does not validate: moto's own error both ways
    loose = boto3.client("dynamodb", region_name=REGION, config=Config(parameter_validation=False))
    for odd in (["ALL_NEW"], {"a": 1}):
        out.append(
            _call(
                loose.update_item,
                TableName="t",
                Key={"pk": {"S": "LOOSE"}, "sk": {"S": "STATE"}},
                UpdateExpression="SET a = :a",
                ExpressionAttributeValues={":a": {"S": "x"}},
                ReturnValues=odd,
            )
        )
    for n in range(3):
        out.append(
            _call(t.put_item, Item={"pk": "ORDER#1", "sk": f"EVENT#{n}", "doc": {"n": [n, {"m": n}]}, "gsiKey": "G"})
        )
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ConsistentRead=True))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), FilterExpression=Attr("doc").exists()))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ProjectionExpression="doc.n[1], sk"))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ScanIndexForward=False, Limit=2))
    out.append(_call(t.delete_item, Key={"pk": "ORDER#1", "sk": "EVENT#0"}, ReturnValues="ALL_OLD"))
    out.append(_call(ddb.scan, TableName="t"))
    out.append(_call(ddb.scan, TableName="s"))
    # fast path 47: scans of the base table hand moto's items on without a copy; an index's are copied as before
    out.append(_call(t.scan, FilterExpression=Attr("doc.n").exists(), ConsistentRead=True))
    out.append(_call(t.scan, ProjectionExpression="doc.x[4], sk, #l", ExpressionAttributeNames={"#l": "list"}))
    first = _call(t.scan, Limit=2)
    out.append(first)
    out.append(_call(t.scan, Limit=2, ExclusiveStartKey=first[1]["LastEvaluatedKey"]))
    out.append(_call(t.scan, Segment=1, TotalSegments=2))
    out.append(_call(t.scan, IndexName="byGsiKey"))
    out.append(_call(t.scan, Select="COUNT"))
    out.append(
        _call(
            ddb.scan,
            TableName="t",
            ScanFilter={"version": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "0"}]}},
        )
    )
    out.append(_call(ddb.scan, TableName="t"))  # after every answer above was changed (the scrambling run)
    shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table("s").stream_shard  # what a stream reader reads
    out.append(
        [
            (r.record["eventName"], r.record["dynamodb"].get("OldImage"), r.record["dynamodb"].get("NewImage"))
            for r in shard.items
        ]
    )
    return out


def _run(fast: bool, scramble: bool) -> list[Any]:
    answers: list[Any] = []
    original = dynamodb_responses.DynamoResult.__init__

    def keep(self: Any, result: object) -> None:
        original(self, result)
        answers.append(self.result)

    mock_random.seed(7)
    if scramble:
        dynamodb_responses.DynamoResult.__init__ = keep  # type: ignore[method-assign]
    try:
        with mock_aws(), moto_runtime.patched({}, fast=fast), metering.metered(), metering.in_function("timeline"):
            out = _scrambling(answers) if scramble else _conversation()
    finally:
        dynamodb_responses.DynamoResult.__init__ = original  # type: ignore[method-assign]
    return out


def _scrambling(answers: list[Any]) -> list[Any]:
    """The conversation, with every answer moto built changed in place as soon as the next call starts."""
    inner = BaseClient._make_api_call

    def call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        for answer in answers:
            _scramble(answer)
        answers.clear()
        return inner(self, operation_name, api_params)

    BaseClient._make_api_call = call  # type: ignore[method-assign]
    try:
        return _conversation()
    finally:
        BaseClient._make_api_call = inner  # type: ignore[method-assign]


def test_given_updates_queries_and_a_stream_when_copies_are_left_out_then_all_is_as_in_plain_moto():
    fast = _run(fast=True, scramble=False)
    plain = _run(fast=False, scramble=False)
    assert len(fast) == len(plain)
    for n, (got, expected) in enumerate(zip(fast, plain, strict=True)):
        assert got == expected, n
    assert plain[-1] and all(old or new for _, old, new in plain[-1])  # the stream saw old and new images


def test_given_every_answer_changed_after_its_call_then_the_tables_and_later_answers_are_unchanged():
    assert _run(fast=True, scramble=True) == _run(fast=True, scramble=False)


# -- fast path 31: to_regular_json ----------------------------------------------------------------------------
_scalars = st.one_of(
    st.builds(lambda s: {"S": s}, st.text(max_size=5)),
    st.builds(lambda n: {"N": str(n)}, st.integers(-1000, 1000)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=5)),
    st.builds(lambda b: {"B": base64.b64encode(b).decode()}, st.binary(max_size=5)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda v: {"SS": v}, st.lists(st.text(max_size=3), min_size=1, max_size=3, unique=True)),
    st.builds(lambda v: {"NS": [str(n) for n in v]}, st.lists(st.integers(0, 9), min_size=1, max_size=3, unique=True)),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
        st.builds(lambda v: {"M": v}, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(_values)
def test_given_any_value_when_rendered_then_it_is_moto_s_rendering_and_shares_nothing_mutable(raw):
    value = DynamoType(raw)
    expected = value.to_regular_json()
    with installed([(DynamoType, "to_regular_json", item_copies._to_regular_json)]):
        got = value.to_regular_json()
    assert got == expected
    _scramble(got)
    assert value.to_regular_json() == expected  # the value itself is untouched


# -- fast path 33: dynamo_to_dict --------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=3), _values, max_size=4), st.integers(0, 3))
def test_given_any_answer_when_converted_then_it_is_moto_s_conversion(attributes, count):
    item = Item(DynamoType({"S": "P"}), None, attributes)
    answer = {
        "Items": [item.attrs] * count,
        "Attributes": dict(item.attrs),
        "Count": count,
        "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5},
        "LastEvaluatedKey": {"pk": DynamoType({"S": "P"})},
        "Item": item,  # an object with to_json: moto's way
        "Flags": [True, None, 1.5],
    }
    assert item_copies._dynamo_to_dict(answer) == dynamo_to_dict(answer)


# -- fast path 35: item sizes --------------------------------------------------------------------------------------
@settings(max_examples=100, deadline=None)
@given(_values)
def test_given_any_value_when_measured_then_its_size_is_moto_s(raw):
    value = DynamoType(raw)
    expected = value.size()
    with installed([(DynamoType, "size", item_copies._size)]):
        assert value.size() == expected


def _built(attributes: dict[str, Any]) -> Any:
    try:
        item = Item(DynamoType({"S": "P"}), None, attributes)
    except Exception as exc:
        return type(exc).__name__
    return list(item.attrs.items()), item.size()


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=3), _values, max_size=5), st.lists(st.integers(100_000, 210_000), max_size=4))
def test_given_any_item_even_over_the_size_limit_when_built_then_it_is_as_moto_builds_it(attributes, big):
    attributes = {**attributes, **{f"big{n}": {"S": "x" * size} for n, size in enumerate(big)}}
    expected = _built(attributes)
    with installed([(DynamoType, "size", item_copies._size), (Item, "__init__", item_copies._item_init)]):
        assert _built(attributes) == expected


# -- fast path 59: an item's size ----------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(max_size=4), _values, max_size=6), st.sampled_from([None, 7, "x", b"y"]))
def test_given_any_item_when_measured_then_its_size_is_moto_s(attributes, odd):
    item = Item(DynamoType({"S": "P"}), None, attributes)
    expected = item.size()
    expected_sum = sum(
        v.size() if type(v) is DynamoType else len(str(v).encode()) for v in [*item.attrs, *item.attrs.values()]
    )
    with installed([(Item, "size", item_copies._item_size)]):
        assert item.size() == expected
    assert item_copies.attrs_size(item.attrs) == expected == expected_sum
    if odd is not None:  # a value that is not a DynamoType: the caller's own way
        dict.__setitem__(item.attrs, "odd", odd)
        assert item_copies.attrs_size(item.attrs) is None


def test_given_an_item_changed_between_two_queries_then_the_second_query_measures_it_afresh():
    """Sizes are remembered for one query only: an item updated in place after it is measured as it is now."""
    seen: list[int] = []
    with mock_aws(), moto_runtime.patched({}, fast=True):
        create_keyed_table("t", REGION)
        table = boto3.resource("dynamodb", region_name=REGION).Table("t")
        table.put_item(Item={**KEY, "text": "short"})
        stored = (
            dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]
            .get_table("t")
            .get_item(DynamoType({"S": "ORDER#1"}), DynamoType({"S": "STATE"}))
        )
        original_size = Item.size

        def spy(self: Item) -> int:
            size = original_size(self)
            seen.append(size)
            return size

        with installed([(Item, "size", spy)]):
            table.query(KeyConditionExpression=Key("pk").eq("ORDER#1"))
            table.update_item(
                Key=KEY,
                UpdateExpression="SET #t = :t",
                ExpressionAttributeNames={"#t": "text"},
                ExpressionAttributeValues={":t": "a much longer text"},
            )
            table.query(KeyConditionExpression=Key("pk").eq("ORDER#1"))
        assert stored.size() == seen[-1]
    assert seen[0] < seen[-1]


# -- fast path 94: PutItem's check of empty sets, the table's key attributes listed once ---------------------------
_put_values = st.recursive(
    st.one_of(
        st.just({"S": "x"}),
        st.just({"NS": []}),
        st.just({"SS": []}),
        st.just({"SS": ["a"]}),
        st.just({"N": "1"}),
        st.just({"NULL": True}),
    ),
    lambda inner: st.one_of(
        st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "SS", "NS"]), inner, max_size=2)),
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=2)),
    ),
    max_leaves=5,
)


@settings(max_examples=80, deadline=None)
@given(item=st.dictionaries(st.sampled_from(["pk", "sk", "gsiKey", "a", "b"]), _put_values, max_size=5))
def test_given_any_item_when_put_then_its_empty_sets_are_refused_as_moto_refuses_them(item):
    table = _keyed_table()
    outcomes = []
    for check in (dynamodb_responses.validate_put_has_empty_attrs, item_copies._validate_put_has_empty_attrs):
        try:
            check(item, table)
            outcomes.append("ok")
        except Exception as exc:
            outcomes.append((type(exc), str(exc)))
    assert outcomes[0] == outcomes[1]


@functools.cache
def _keyed_table() -> Any:
    """A moto table shaped like the project's, with a global secondary index (built once, outside any mock)."""
    from moto.dynamodb.models.table import Table

    return Table(
        "t",
        account_id=DEFAULT_ACCOUNT_ID,
        region=REGION,
        schema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        attr=[{"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "gsiKey")],
        global_indexes=[
            {
                "IndexName": "byGsiKey",
                "KeySchema": [{"AttributeName": "gsiKey", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
