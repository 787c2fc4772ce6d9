"""Fast path 88 (``outreach.simulator.update_answers``): an UpdateItem of a shape moto's own checks accepted before
answers, errs and stores what plain moto does, whatever its values (awkward ones included) and whatever happened to
the table meanwhile."""

from __future__ import annotations

from typing import Any

import boto3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.moto_api._internal import mock_random

from outreach.simulator import metering, moto_runtime, update_answers
from tests.dynamo import create_keyed_table
from tests.simulation import test_direct_calls
from tests.simulation.outcomes import outcome

REGION = "us-east-1"

#: (update expression, condition, names, ReturnValues): shapes the handlers use and a few more
_SHAPES = [
    ("SET #s = :s, #u = :u", "attribute_not_exists(pk) OR #s < :s", {"#s": "start", "#u": "used"}, "NONE"),
    ("ADD arrived :one REMOVE waitToken", "attribute_exists(pk)", None, "ALL_OLD"),
    ("SET v = :s", None, None, "ALL_NEW"),
    ("SET #n = if_not_exists(#n, :z) + :u", None, {"#n": "count"}, "ALL_NEW"),
    ("DELETE tags :s", None, None, "NONE"),
]
_VALUES = st.sampled_from(
    [
        {"N": "1"},
        {"N": "2.5"},
        {"S": "x"},
        {"S": ""},
        {"SS": ["a", "b"]},
        {"NS": []},
        {"NS": ["1"]},
        {"BOOL": True},
        {"NULL": True},
        {"L": [{"S": "a"}]},
        {"M": {"k": {"N": "3"}}},
    ]
)
_KEYS = st.sampled_from(
    [
        {"pk": {"S": "P"}, "sk": {"S": "A"}},
        {"pk": {"S": "P"}, "sk": {"S": "B"}},
        {"pk": {"S": "P"}, "sk": {"N": "1"}},
        {"pk": {"S": ""}, "sk": {"S": "A"}},
    ]
)
_STEPS = st.one_of(
    st.tuples(st.just("update"), st.integers(0, len(_SHAPES) - 1), _KEYS, _VALUES, _VALUES),
    st.tuples(st.just("put"), _KEYS, _VALUES),
    st.tuples(st.just("drop")),
)


def _updates(steps: list[Any]) -> list[Any]:
    create_keyed_table("t", REGION)
    ddb = boto3.client("dynamodb", region_name=REGION)
    out: list[Any] = []
    for step in steps:
        if step[0] == "drop":  # the table goes and comes back empty: its items, not the shapes, are forgotten
            ddb.delete_table(TableName="t")
            create_keyed_table("t", REGION)
            continue
        if step[0] == "put":
            out.append(outcome(test_direct_calls._stable, ddb.put_item, TableName="t", Item={**step[1], "v": step[2]}))
            continue
        expression, condition, names, returns = _SHAPES[step[1]]
        values = {":s": step[3], ":u": step[4], ":one": {"N": "1"}, ":z": {"N": "0"}}
        used = {
            placeholder: value for placeholder, value in values.items() if placeholder in f"{expression} {condition}"
        }
        kwargs: dict[str, Any] = {
            "TableName": "t",
            "Key": step[2],
            "UpdateExpression": expression,
            "ReturnValues": returns,
        }
        if condition is not None:
            kwargs["ConditionExpression"] = condition
        if names is not None:
            kwargs["ExpressionAttributeNames"] = names
        if used:
            kwargs["ExpressionAttributeValues"] = used
        out.append(outcome(test_direct_calls._stable, ddb.update_item, **kwargs))
    out.append(outcome(test_direct_calls._stable, ddb.scan, TableName="t"))
    return out


def _run(steps: list[Any], fast: bool) -> tuple[list[Any], dict[str, Any]]:
    mock_random.seed(3)
    with mock_aws(), moto_runtime.patched({}, fast=fast), metering.metered() as meter, metering.in_function("t"):
        answers = _updates(steps)
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):
        counted.pop(timed)
    return answers, counted


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_STEPS, min_size=1, max_size=14))
def test_given_updates_of_repeated_shapes_with_any_values_then_answers_errors_items_and_units_are_plain_moto_s(steps):
    assert _run(steps, fast=True) == _run(steps, fast=False)


def test_given_repeated_shapes_then_they_take_the_short_way_and_answer_errors_included_as_plain_moto():
    steps: list[Any] = [
        ("put", {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "1"}),
        *[("update", shape, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "1"}, {"N": "2"}) for shape in range(4)],
        *[("update", shape, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "7"}, {"N": "2"}) for shape in range(4)],
        ("update", 0, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "0"}, {"N": "2"}),  # the condition fails
        ("update", 2, {"pk": {"S": "P"}, "sk": {"N": "1"}}, {"N": "9"}, {"N": "2"}),  # a key of the wrong type
        ("update", 2, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"NS": []}, {"N": "2"}),  # an empty number set
        ("update", 2, {"pk": {"S": ""}, "sk": {"S": "A"}}, {"N": "1"}, {"N": "2"}),  # an empty key
        ("update", 3, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "1"}, {"S": "x"}),  # a string added to a number
        ("drop",),
        ("update", 1, {"pk": {"S": "P"}, "sk": {"S": "A"}}, {"N": "1"}, {"N": "2"}),  # no item: attribute_exists fails
        ("update", 2, {"pk": {"S": "P"}, "sk": {"S": "B"}}, {"S": "new"}, {"N": "2"}),
    ]
    answered: list[Any] = []
    original = update_answers.answer

    def spy(response: Any) -> Any:
        answered.append(response.body["UpdateExpression"])
        return original(response)

    update_answers.answer = spy  # type: ignore[assignment]
    try:
        fast = _run(steps, fast=True)
    finally:
        update_answers.answer = original  # type: ignore[assignment]

    assert fast == _run(steps, fast=False)
    assert len(answered) >= 9  # the repeats of the shapes accepted (the first shape's condition never holds)
    assert any(answer[0] == "error" for answer in fast[0])


def test_given_a_shape_this_fast_path_leaves_to_moto_then_it_has_no_shape():
    base = {"TableName": "t", "Key": {"pk": {"S": "P"}}, "UpdateExpression": "SET a = :a"}
    assert update_answers.shape_of(base) is not None
    assert update_answers.shape_of({**base, "ReturnValues": "UPDATED_NEW"}) is None
    assert update_answers.shape_of({**base, "Expected": {}}) is None
    assert update_answers.shape_of({**base, "AttributeUpdates": {}}) is None
    assert update_answers.shape_of({**base, "ReturnValues": ["ALL_NEW"]}) is None
    assert update_answers.shape_of({**base, "ExpressionAttributeNames": {"#a": ["x"]}}) is None
    assert update_answers.shape_of([base]) is None


def test_given_an_accepted_shape_when_its_table_is_made_again_with_another_key_then_refused_as_plain_moto_refuses():
    def run(fast: bool) -> list[Any]:
        update_answers.clear()
        out: list[Any] = []
        with mock_aws(), moto_runtime.patched({}, fast=fast):
            client = boto3.client("dynamodb", region_name=REGION)

            def make(key: str) -> None:
                client.create_table(
                    TableName="t",
                    KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"}],
                    BillingMode="PAY_PER_REQUEST",
                )

            request = {
                "TableName": "t",
                "Key": {"pk": {"S": "a"}},
                "UpdateExpression": "SET v = :v",
                "ExpressionAttributeValues": {":v": {"S": "x"}},
            }
            make("pk")
            for _ in range(2):  # the second is the shape accepted before
                out.append(outcome(_attributes, client.update_item, **request))
            client.delete_table(TableName="t")
            make("id")
            out.append(outcome(_attributes, client.update_item, **request))
            out.append(client.scan(TableName="t")["Items"])
        return out

    fast = run(fast=True)
    assert fast == run(fast=False)
    assert fast[2][0] == "error" and "does not match the schema" in fast[2][-1]


def _attributes(answer: dict[str, Any]) -> Any:
    return answer.get("Attributes")
