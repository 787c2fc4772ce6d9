"""Fast path 77 (``outreach.simulator.table_reads``): the runner reads the contact ledger from moto's table and gets
what ``ContactLedger.scan_all`` gets through boto3: the same items, values of the same classes, keys and items in the
same order, over every page; a table holding a value it does not convert (a binary) is left to the scan."""

from __future__ import annotations

from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any

import boto3
import pytest
from boto3.dynamodb.types import Binary
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from outreach_lambda import cold_start
from outreach_lambda.adapters.contacts import ContactLedger

from outreach.simulator import table_reads
from tests.dynamo import create_keyed_table

_KEYS = st.text(alphabet="aZ09#-é ", min_size=1, max_size=4)
_SCALARS = st.one_of(
    st.text(max_size=6),
    st.integers(-(10**12), 10**12).map(Decimal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
    st.booleans(),
    st.none(),
    st.sets(st.text(min_size=1, max_size=3), min_size=1, max_size=3),
    st.sets(st.integers(-50, 50).map(Decimal), min_size=1, max_size=3),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_KEYS, inner, max_size=3)),
    max_leaves=8,
)
_ITEMS = st.lists(
    st.tuples(_KEYS, _KEYS, st.dictionaries(st.sampled_from(["a", "b", "status", "at", "x y"]), _VALUES, max_size=4)),
    max_size=8,
)


@pytest.fixture(autouse=True, scope="module")
def _moto() -> Any:
    """One mock for the module (a mock per example costs more than the example); each test makes its own tables."""
    with pytest.MonkeyPatch.context() as patch, mock_aws():
        patch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
        cold_start.reset()
        yield
        cold_start.reset()


def _typed(value: Any) -> Any:
    """``value`` with the class of every part spelled out (``==`` alone takes ``Decimal(1) == True``)."""
    if isinstance(value, dict):
        return ("dict", [(key, _typed(nested)) for key, nested in value.items()])
    if isinstance(value, list):
        return ("list", [_typed(nested) for nested in value])
    if isinstance(value, set):
        return ("set", sorted(repr(_typed(nested)) for nested in value))
    return (type(value).__name__, value)


def _both(name: str) -> tuple[Any, Any]:
    region = boto3.client("dynamodb").meta.region_name
    return _typed(ContactLedger(name).scan_all()), _typed(table_reads.scan_items(name, region))


@settings(max_examples=15, deadline=None)
@given(items=_ITEMS)
def test_given_any_items_when_the_ledger_is_read_from_moto_then_it_is_what_the_scan_answers(items):
    create_keyed_table("random")
    table = boto3.resource("dynamodb").Table("random")
    for pk, sk, attributes in items:
        table.put_item(Item={**attributes, "pk": pk, "sk": sk})

    scanned, read = _both("random")
    table.delete()

    assert read == scanned


def test_given_a_table_of_several_pages_when_read_from_moto_then_every_item_comes_once_in_the_scans_order():
    create_keyed_table("pages")
    table = boto3.resource("dynamodb").Table("pages")
    for n in range(40):  # about 2.4 MB: three pages of the scan
        table.put_item(Item={"pk": f"ORDER#{n % 7}", "sk": f"C#{n:03d}", "text": "x" * 60_000, "n": n})
    first_page = boto3.client("dynamodb").scan(TableName="pages", ConsistentRead=True)

    scanned, read = _both("pages")

    assert "LastEvaluatedKey" in first_page
    assert len(read[1]) == 40
    assert read == scanned


def test_given_a_hash_only_table_when_read_from_moto_then_it_is_what_the_scan_answers():
    boto3.client("dynamodb").create_table(
        TableName="flat",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    table = boto3.resource("dynamodb").Table("flat")
    for pk in ("b", "a", "c#1", "C"):
        table.put_item(Item={"pk": pk, "v": {"n": Decimal("1.50"), "l": [None, True, "s"]}})

    scanned, read = _both("flat")

    assert read == scanned


class _Status(StrEnum):
    SENT = "SENT"


class _Channel(str, Enum):  # noqa: UP042  (str() of a member is "_Channel.EMAIL": moto writes its value)
    EMAIL = "email"


class _Shouting(str):
    def __str__(self) -> str:
        return self.upper()


def test_given_enum_members_stored_when_read_from_moto_then_they_read_as_their_values_as_the_scan_answers():
    create_keyed_table("enums")  # (the direct calls hand a handler's values to moto as they are: an enum stays one)
    table = boto3.resource("dynamodb").Table("enums")
    table.put_item(Item={"pk": "a", "sk": "b", "status": "x", "channel": {"c": ["x"]}, "tags": {"x", "y"}})
    region = boto3.client("dynamodb").meta.region_name
    item = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables["enums"].all_items()[0]
    item.attrs["status"].value = _Status.SENT
    item.attrs["channel"].value["c"].value[0].value = _Channel.EMAIL
    item.attrs["tags"].value = [_Status.SENT, "y"]

    scanned, read = _both("enums")

    assert read == scanned
    assert read[1][0][1][2] == ("status", ("str", "SENT"))

    item.attrs["status"].value = _Shouting("quiet")  # moto writes what its own __str__ says: left to the scan
    assert table_reads.scan_items("enums", region) is None


def test_given_a_binary_value_or_no_table_when_read_from_moto_then_the_scan_is_left_to_do_it():
    create_keyed_table("binary")
    table = boto3.resource("dynamodb").Table("binary")
    table.put_item(Item={"pk": "a", "sk": "b", "nested": {"blob": Binary(b"\x00\x01")}})
    region = boto3.client("dynamodb").meta.region_name

    assert table_reads.scan_items("binary", region) is None
    assert table_reads.scan_items("no-such-table", region) is None


def test_given_a_map_with_an_empty_name_when_read_from_moto_then_the_scan_is_left_to_do_it():
    # plain moto's Scan writes such a map in a way botocore cannot parse: the fast path does not answer for it
    create_keyed_table("empty-name")
    client = boto3.client("dynamodb")
    client.put_item(TableName="empty-name", Item={"pk": {"S": "a"}, "sk": {"S": "b"}, "m": {"M": {"": {"S": "x"}}}})

    assert table_reads.scan_items("empty-name", client.meta.region_name) is None
