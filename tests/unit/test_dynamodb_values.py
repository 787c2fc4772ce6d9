"""The adapters call DynamoDB through the low-level client (``adapters/aws.py``): what they write, a reader through
boto3's ``Table`` resource reads back the same; what the resource wrote, they read back the same. So an item an
older deployment (which used the resource) stored reads the same today, and the other way round."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_lambda.adapters import aws

from tests.dynamo import keyed_table_on_moto

_text = st.text(min_size=1, max_size=12)
_scalars = st.one_of(
    _text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False).map(Decimal),
    st.binary(min_size=1, max_size=16),
    st.booleans(),
    st.none(),
    st.frozensets(_text, min_size=1, max_size=4).map(set),
    st.frozensets(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=4).map(set),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=6,
)
_attributes = st.dictionaries(st.text(alphabet="abcdefgh", min_size=1, max_size=6), _values, max_size=5)


@pytest.fixture(scope="module")
def table() -> Iterator[str]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", "eu-central-1")
        with keyed_table_on_moto("values") as name:
            yield name


@pytest.fixture(scope="module")
def resource(table: str) -> Any:
    """The same table through boto3's ``Table`` resource (what the adapters used before)."""
    return boto3.resource("dynamodb").Table(table)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=_attributes)
def test_given_any_item_written_by_the_adapters_then_the_resource_reads_the_same_and_so_do_they(
    table: str, resource: Any, attributes: dict[str, Any]
) -> None:
    item = {"pk": "ITEM", "sk": "ONE", **attributes}
    aws.put_item(table, item)
    assert resource.get_item(Key={"pk": "ITEM", "sk": "ONE"}, ConsistentRead=True)["Item"] == item
    assert aws.get_item(table, {"pk": "ITEM", "sk": "ONE"}, ConsistentRead=True) == item
    page = aws.query(
        table, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "ITEM"}, ConsistentRead=True
    )
    assert page["Items"] == [item]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attributes=_attributes)
def test_given_any_item_written_by_the_resource_then_the_adapters_update_and_read_it_as_the_resource_would(
    table: str, resource: Any, attributes: dict[str, Any]
) -> None:
    key = {"pk": "ITEM", "sk": "TWO"}
    resource.put_item(Item={**key, **attributes})
    assert aws.get_item(table, key, ConsistentRead=True) == {**key, **attributes}
    new = aws.update_if(
        table,
        Key=key,
        UpdateExpression="SET counted = if_not_exists(counted, :zero) + :one",
        ConditionExpression="attribute_exists(pk)",
        ExpressionAttributeValues={":zero": 0, ":one": 1},
        ReturnValues="ALL_NEW",
    )
    assert new == {**key, **attributes, "counted": Decimal(1)}
    assert aws.delete_item(table, key, ReturnValues="ALL_OLD") == new
    assert aws.get_item(table, key, ConsistentRead=True) is None


def test_given_a_condition_that_fails_then_nothing_is_written_and_the_adapters_say_so(table: str) -> None:
    key = {"pk": "ITEM", "sk": "THREE"}
    assert aws.put_if_absent(table, {**key, "n": 1})
    assert not aws.put_if_absent(table, {**key, "n": 2})
    assert (
        aws.update_if(
            table,
            Key=key,
            UpdateExpression="SET n = :n",
            ConditionExpression="n = :n",
            ExpressionAttributeValues={":n": 5},
        )
        is None
    )
    assert aws.get_item(table, key, ConsistentRead=True) == {**key, "n": Decimal(1)}
