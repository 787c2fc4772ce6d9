"""What the simulator counts as the deployed code's AWS calls and DynamoDB request units (metering.py).

The rules are DynamoDB's own (on-demand billing): these tests pin them on a small table, then check a whole
happy order's figures are what the cost table is computed from.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

from outreach.simulator import metering, runner
from outreach.simulator.metering import value_size
from outreach.simulator.scenario import load
from tests.dynamo import create_keyed_table
from tests.simulation.test_item_copies import _values

REGION = "us-east-1"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_given_dynamodb_values_when_sized_then_they_follow_the_documented_rules() -> None:
    assert value_size({"S": "héllo"}) == 6  # UTF-8 bytes
    assert value_size({"N": "123.4500"}) == 4  # 5 significant digits (zeros trimmed): 3 bytes, + 1
    assert value_size({"N": "1200"}) == 2
    assert value_size({"BOOL": True}) == 1
    assert value_size({"NULL": True}) == 1
    assert value_size({"L": [{"S": "ab"}, {"N": "1"}]}) == 3 + (2 + 1) + (2 + 1)
    assert value_size({"M": {"k": {"S": "v"}}}) == 3 + (1 + 1 + 1)


@pytest.fixture()
def table():
    with mock_aws():
        create_keyed_table("t", REGION)
        yield boto3.resource("dynamodb", region_name=REGION).Table("t")


def test_given_writes_and_reads_of_a_function_when_metered_then_units_are_billed_per_item_size(table) -> None:
    big = {"pk": "A", "sk": "STATE", "state": "x" * 1500}  # 1.5 KB: 2 write units
    with metering.metered() as meter:
        table.put_item(Item={"pk": "outside", "sk": "a function"})  # the simulator's own call: not counted
        with metering.in_function("timeline"):
            table.put_item(Item=big)
            with pytest.raises(ClientError):  # a false condition still costs the existing item's size
                table.put_item(Item=big, ConditionExpression="attribute_not_exists(pk)")
            boto3.client("dynamodb", region_name=REGION).transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": "t", "Item": {"pk": {"S": "B"}, "sk": {"S": "1"}}}},
                    {"Delete": {"TableName": "t", "Key": {"pk": {"S": "B"}, "sk": {"S": "0"}}}},
                ]
            )
            table.get_item(Key={"pk": "A", "sk": "STATE"}, ConsistentRead=True)
            table.get_item(Key={"pk": "A", "sk": "STATE"})
            # A write that returns the old item bills no read units (moto reads the item to answer it).
            table.update_item(
                Key={"pk": "A", "sk": "STATE"},
                UpdateExpression="SET n = :n",
                ExpressionAttributeValues={":n": 1},
                ReturnValues="ALL_OLD",
            )

    assert meter.calls == {
        "dynamodb:PutItem": 2,
        "dynamodb:TransactWriteItems": 1,
        "dynamodb:GetItem": 2,
        "dynamodb:UpdateItem": 1,
    }
    # 2 + 2; 2 items x 2 (transactional); the update 2 (the larger of before and after: 1.5 KB)
    assert meter.write_units == {"PutItem": 4, "TransactWriteItems": 4, "UpdateItem": 2}
    assert meter.read_units == {"GetItem": 1.5}  # strongly consistent 1, eventually consistent 0.5
    assert meter.invocations == {"timeline": 1}


def test_given_a_batch_get_when_metered_then_each_item_is_billed_as_its_table_asks_consistency(table) -> None:
    """BatchGetItem says per table whether it reads strongly consistently (a sku delay reads every order so)."""
    for pk in ("A", "B", "C"):
        table.put_item(Item={"pk": pk, "sk": "STATE", "state": "x" * 5000})  # 5 KB: 2 units of 4 KB each read
    keys = [{"pk": {"S": pk}, "sk": {"S": "STATE"}} for pk in ("A", "B", "C")]
    with metering.metered() as meter, metering.in_function("intake"):
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.batch_get_item(RequestItems={"t": {"Keys": keys, "ConsistentRead": True}})
        dynamodb.batch_get_item(RequestItems={"t": {"Keys": keys[:1]}})

        # A projection returns less; DynamoDB bills the whole item (5 KB, strongly consistent: 2 units).
        projected = dynamodb.get_item(TableName="t", Key=keys[0], ConsistentRead=True, ProjectionExpression="pk")
        assert projected["Item"] == {"pk": {"S": "A"}}  # and the answer is still the projection

    assert meter.calls == {"dynamodb:BatchGetItem": 2, "dynamodb:GetItem": 1}
    assert meter.read_units == {"BatchGetItem": 3 * 2 + 1, "GetItem": 2}  # 3 items x 2; 1 eventually consistent


def test_given_a_happy_order_when_simulated_then_its_calls_and_units_are_counted_by_caller() -> None:
    result = runner.run(load(EXAMPLES / "happy_path.json"))
    counted = result.meter.summary()

    assert counted["lambdaInvocations"] == result.stats["lambdaInvocations"]
    assert set(counted["awsCallsByCaller"]) == {"outreach-intake", "outreach-timeline", "states"}
    assert counted["awsCallsByOperation"]["sesv2:SendEmail"] == 4  # one per e-mail the customer got
    assert counted["awsCallsByOperation"]["stepfunctions:StartExecution"] == 1
    assert counted["eventBridgeEvents"] == 4 + counted["schedulerInvocations"]  # order events + timers
    assert counted["dynamodbWriteUnits"] > 0 and counted["dynamodbReadUnits"] > 0
    # The state machine's own calls: the first step's invoke and one conditional UpdateItem per wait (5 waits of
    # the happy path); the waits invoke no function.
    assert counted["awsCallsByCaller"]["states"] == 1 + 5


def test_given_an_item_of_every_type_then_its_size_is_that_of_its_json_form(table) -> None:
    item = {
        "pk": "A",
        "sk": "ALL",
        "s": "héllo",
        "n": Decimal("123.4500"),
        "b": b"\x00\x01binary",
        "flag": True,
        "nothing": None,
        "ss": {"a", "bc"},
        "ns": {Decimal("1"), Decimal("22.5")},
        "bs": {b"x", b"yz"},
        "list": [1, "two", b"three", None, [False], {"deep": b"\xff"}],
        "map": {"k": "v", "n": 7, "b": b"bytes", "m": {"x": [1, {"y": "z"}]}, "e": {}},
        "empty": [],
    }
    table.put_item(Item=item)
    stored = metering._stored(_backend(), "t", {"pk": {"S": "A"}, "sk": {"S": "ALL"}})
    as_json = stored.to_json()["Attributes"]

    assert metering.item_size(stored) == sum(len(k.encode()) + value_size(v) for k, v in as_json.items())


def _backend() -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=4), _values, max_size=5))
def test_given_any_item_then_its_size_is_that_of_its_json_form(attributes) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    item = Item(hash_key=DynamoType({"S": "A"}), range_key=None, attrs={"pk": {"S": "Ä"}, **attributes})
    as_json = item.to_json()["Attributes"]

    assert metering.item_size(item) == sum(len(k.encode()) + value_size(v) for k, v in as_json.items())


# -- fast paths 101 and 104: the item a write stored, and the item it finds, known without looking them up ----------
_write_steps = st.lists(
    st.tuples(
        st.sampled_from(["put", "put_if_absent", "update", "update_if_present", "delete"]),
        st.sampled_from(["A", "B"]),
        st.sampled_from([0, 700, 1100, 2500]),  # value sizes either side of a KB
    ),
    min_size=1,
    max_size=10,
)


def _write_units_of(steps: list[tuple[str, str, int]]) -> dict[str, float]:
    from moto.moto_api._internal import mock_random

    from outreach.simulator import moto_runtime

    mock_random.seed(5)
    with mock_aws(), moto_runtime.patched({}, fast=True), metering.metered() as meter, metering.in_function("t"):
        create_keyed_table("t", REGION)
        ddb = boto3.client("dynamodb", region_name=REGION)
        for operation, pk, size in steps:
            key = {"pk": {"S": pk}, "sk": {"S": "1"}}
            value = {"S": "x" * size}
            try:
                if operation.startswith("put"):
                    extra = {"ConditionExpression": "attribute_not_exists(pk)"} if operation == "put_if_absent" else {}
                    ddb.put_item(TableName="t", Item={**key, "v": value}, **extra)
                elif operation.startswith("update"):
                    extra = {"ConditionExpression": "attribute_exists(pk)"} if operation == "update_if_present" else {}
                    ddb.update_item(
                        TableName="t",
                        Key=key,
                        UpdateExpression="SET v = :v",
                        ExpressionAttributeValues={":v": value},
                        **extra,
                    )
                else:
                    ddb.delete_item(TableName="t", Key=key)
            except ClientError:
                pass
    return dict(meter.write_units)


@settings(max_examples=25, deadline=None)
@given(_write_steps)
def test_given_any_writes_when_the_stored_item_is_known_then_the_units_are_those_of_looking_it_up(steps):
    known = _write_units_of(steps)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(metering, "_updated_in_place", lambda before, answer: metering._LOOK_UP)
        patch.setattr(metering, "_put_stored", lambda before, answer: metering._LOOK_UP)
        patch.setattr(metering._ThreadState, "looked_up", property(lambda self: None, lambda self, value: None))
        looked_up = _write_units_of(steps)
    assert known == looked_up


# -- fast path 106: the call's state read from class defaults in a thread that never set it -------------------------
def test_given_reads_in_threads_of_their_own_then_each_is_billed_as_in_the_first(table) -> None:
    import threading

    table.put_item(Item={"pk": "A", "sk": "STATE", "state": "x" * 5000})  # 2 units of 4 KB
    client = boto3.client("dynamodb", region_name=REGION)

    def read() -> None:
        with metering.in_function("timeline"):
            client.get_item(TableName="t", Key={"pk": {"S": "A"}, "sk": {"S": "STATE"}}, ConsistentRead=True)
            client.query(TableName="t", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "A"}})

    with metering.metered() as meter:
        threads = [threading.Thread(target=read) for _ in range(3)]
        for thread in threads:
            thread.start()
            thread.join()
    assert meter.read_units == {"GetItem": 3 * 2, "Query": 3 * 1}  # a query reads eventually consistently: half
