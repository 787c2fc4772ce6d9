"""Fast path 23 (``outreach.simulator.direct_calls``): the DynamoDB calls answered without the HTTP-shaped round trip
give, call by call, what plain moto gives: the same answer (``ResponseMetadata`` included: request id, status,
headers, CRC32), the same error (class, code, message, ``Item`` of a failed condition), the same items stored, the
same AWS calls and DynamoDB units counted by ``metering.py``."""

from __future__ import annotations

import contextlib
import datetime
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from boto3.dynamodb.conditions import Attr, Key
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.moto_api._internal import mock_random

from outreach.simulator import call_events, direct_calls, metering, moto_runtime
from tests.dynamo import create_keyed_table
from tests.simulation.outcomes import outcome

REGION = "us-east-1"
STATE = {"pk": "ORDER#1", "sk": "STATE"}


def _stable(value: Any) -> Any:
    """The answer without its ``date`` header (wall-clock seconds): everything else must match exactly."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k != "date"}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _call(fn: Any, **kwargs: Any) -> Any:
    return outcome(_stable, fn, **kwargs)


def _create_tables() -> None:
    create_keyed_table("t", REGION, index_key="gsiKey")
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName="h",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def _conversation() -> list[Any]:
    """Every covered operation, valid and refused, through the resource (as the handlers call) and the client."""
    _create_tables()
    ddb = boto3.client("dynamodb", region_name=REGION)
    t = boto3.resource("dynamodb", region_name=REGION).Table("t")
    h = boto3.resource("dynamodb", region_name=REGION).Table("h")
    state = {
        **STATE,
        "version": 1,
        "phase": "placed",
        "stateBlob": b"\x00\x01compressed\xff",
        "tags": {"a", "b"},
        "nums": {Decimal("1"), Decimal("2.5")},
        "doc": {"x": [1, "y", None, True, {"deep": Decimal("0.10")}], "bin": b"\x02"},
        "gsiKey": "G1",
    }
    out: list[Any] = []
    # PutItem
    out.append(_call(t.put_item, Item=state, ConditionExpression="attribute_not_exists(pk)"))
    out.append(_call(t.put_item, Item=state, ConditionExpression="attribute_not_exists(pk)"))
    out.append(
        _call(
            t.put_item,
            Item=state,
            ConditionExpression="attribute_not_exists(pk)",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    out.append(_call(t.put_item, Item={**state, "version": 2}, ReturnValues="ALL_OLD"))
    for n in range(4):
        out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": f"EVENT#{n}", "n": n, "gsiKey": f"G{n % 2}"}))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": "X", "s": "text"}, ReturnValues="ALL_NEW"))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": ""}))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1"}))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": "Y", "gsiKey": ""}))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": "Y", "e": set()}))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": "Y"}, ConditionExpression="#nope = :v"))
    out.append(_call(t.put_item, Item={"pk": "ORDER#1", "sk": "Y"}, ConditionExpression="a = :v"))
    out.append(_call(ddb.put_item, TableName="t", Item={"pk": {"S": "ORDER#2"}, "sk": {"S": "S"}, "b": {"B": "txt"}}))
    out.append(
        _call(
            ddb.put_item, TableName="t", Item={"pk": {"S": "ORDER#2"}, "sk": {"S": "T"}, "b": {"B": bytearray(b"ba")}}
        )
    )
    out.append(_call(ddb.put_item, TableName="nope", Item={"pk": {"S": "A"}}))
    out.append(_call(ddb.put_item, TableName="t", Item={"pk": {"S": "A"}, "sk": {"N": "1"}}))
    out.append(_call(ddb.put_item, TableName="t", Item="not a map"))  # botocore refuses it
    out.append(_call(h.put_item, Item={"id": "1", "v": 1}))
    # GetItem
    out.append(_call(t.get_item, Key=STATE, ConsistentRead=True))
    out.append(_call(t.get_item, Key={"pk": "ORDER#9", "sk": "STATE"}))
    out.append(
        _call(
            t.get_item, Key=STATE, ProjectionExpression="#v, doc.x[0], tags", ExpressionAttributeNames={"#v": "version"}
        )
    )
    out.append(_call(t.get_item, Key=STATE, ProjectionExpression="version, version"))
    out.append(_call(t.get_item, Key=STATE, ExpressionAttributeNames={"#v": "version"}))
    out.append(_call(t.get_item, Key={"pk": "ORDER#1"}))
    out.append(_call(t.get_item, Key={"pk": "", "sk": "STATE"}))
    out.append(_call(h.get_item, Key={"id": "1"}))
    out.append(_call(ddb.get_item, TableName="nope", Key={"pk": {"S": "A"}}))
    # UpdateItem: the handlers' shapes, every ReturnValues, failed conditions with and without the old item
    update = {
        "Key": STATE,
        "UpdateExpression": "SET version = :next, phase = :phase, stateBlob = :blob REMOVE waitToken",
        "ConditionExpression": "version = :version",
        "ExpressionAttributeValues": {":next": 3, ":phase": "production", ":blob": b"\x03new", ":version": 2},
    }
    for n, returns in enumerate(("NONE", "ALL_OLD", "ALL_NEW", "UPDATED_OLD", "UPDATED_NEW")):
        update["ExpressionAttributeValues"] = {**update["ExpressionAttributeValues"], ":version": 2 + n, ":next": 3 + n}
        out.append(_call(t.update_item, **update, ReturnValues=returns))
    out.append(_call(t.update_item, **update, ReturnValuesOnConditionCheckFailure="ALL_OLD"))
    out.append(_call(t.update_item, **update, ReturnValuesOnConditionCheckFailure="NONE"))
    out.append(
        _call(
            t.update_item,
            Key=STATE,
            UpdateExpression="ADD arrived :one REMOVE waitToken",
            ExpressionAttributeValues={":one": 1},
            ReturnValues="ALL_OLD",
        )
    )
    out.append(
        _call(
            t.update_item,
            Key=STATE,
            UpdateExpression="SET #n = if_not_exists(#n, :zero) + :one",
            ExpressionAttributeNames={"#n": "count"},
            ExpressionAttributeValues={":zero": 0, ":one": 1},
            ReturnValues="UPDATED_NEW",
        )
    )
    out.append(
        _call(
            t.update_item,
            Key={"pk": "ORDER#3", "sk": "NEW"},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"m": [b"\x04", "s"]}},
            ReturnValues="ALL_NEW",
        )
    )
    out.append(_call(t.update_item, Key=STATE, UpdateExpression="SET a = :a"))
    out.append(
        _call(t.update_item, Key=STATE, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1, ":b": 2})
    )
    out.append(_call(t.update_item, Key=STATE, UpdateExpression="SET sk = :a", ExpressionAttributeValues={":a": "x"}))
    out.append(_call(t.update_item, Key=STATE, UpdateExpression="", ExpressionAttributeValues={":a": "x"}))
    out.append(
        _call(t.update_item, Key={"pk": "ORDER#1"}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": 1})
    )
    out.append(
        _call(
            t.update_item,
            Key=STATE,
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": 1},
            ReturnValues="BOGUS",
        )
    )
    out.append(
        _call(
            ddb.update_item,
            TableName="nope",
            Key={"pk": {"S": "A"}},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"S": "x"}},
        )
    )
    # Query: key conditions, filters, projections, paging, an index, errors
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ConsistentRead=True))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1") & Key("sk").begins_with("EVENT#")))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ScanIndexForward=False, Limit=2))
    first = t.query(KeyConditionExpression=Key("pk").eq("ORDER#1"), Limit=2)
    out.append(
        _call(
            t.query,
            KeyConditionExpression=Key("pk").eq("ORDER#1"),
            Limit=2,
            ExclusiveStartKey=first["LastEvaluatedKey"],
        )
    )
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), FilterExpression=Attr("n").gte(2)))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), ProjectionExpression="sk, n"))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), Select="COUNT"))
    out.append(_call(t.query, IndexName="byGsiKey", KeyConditionExpression=Key("gsiKey").eq("G1")))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("NOPE")))
    out.append(_call(t.query, KeyConditionExpression=Key("sk").eq("STATE")))
    out.append(_call(t.query, KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": "ORDER#1", ":x": 1}))
    out.append(_call(t.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), Select="BOGUS"))
    out.append(
        _call(
            ddb.query,
            TableName="nope",
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "A"}},
        )
    )
    # DeleteItem
    out.append(_call(t.delete_item, Key={"pk": "ORDER#1", "sk": "EVENT#0"}, ReturnValues="ALL_OLD"))
    out.append(
        _call(
            t.delete_item,
            Key={"pk": "ORDER#1", "sk": "EVENT#1"},
            ConditionExpression="n = :n",
            ExpressionAttributeValues={":n": 7},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    out.append(_call(t.delete_item, Key={"pk": "ORDER#1", "sk": "EVENT#1"}))
    out.append(_call(t.delete_item, Key={"pk": "ORDER#1", "sk": "GONE"}, ReturnValues="ALL_OLD"))
    out.append(_call(t.delete_item, Key={"pk": "ORDER#1"}))
    out.append(_call(t.delete_item, Key=STATE, ReturnValues="ALL_NEW"))
    # what is stored at the end
    out.append(_call(ddb.scan, TableName="t"))
    out.append(_call(ddb.scan, TableName="h"))
    return out


def _run(fast: bool) -> tuple[list[Any], dict[str, Any], int]:
    mock_random.seed(7)  # the same request ids in both runs: they are compared too
    with (
        mock_aws(),
        moto_runtime.patched({}, fast=fast) as runtime,
        metering.metered() as meter,
        metering.in_function("timeline"),
    ):
        answers = _conversation()
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):  # estimates from real time
        counted.pop(timed)
    return answers, counted, runtime.direct_calls


@contextlib.contextmanager
def _answered_directly() -> Iterator[list[str]]:
    """The operations answered by the direct path while the block runs."""
    answered: list[str] = []
    original = direct_calls.parsed_success

    def spy(client: Any, operation_model: Any, *args: Any) -> Any:
        answered.append(operation_model.name)
        return original(client, operation_model, *args)

    direct_calls.parsed_success = spy  # type: ignore[assignment]
    try:
        yield answered
    finally:
        direct_calls.parsed_success = original  # type: ignore[assignment]


def test_given_every_covered_call_valid_or_not_when_answered_directly_then_all_is_as_in_plain_moto():
    with _answered_directly() as answered:
        fast, fast_counts, _ = _run(fast=True)
    plain, plain_counts, _ = _run(fast=False)

    assert len(fast) == len(plain)
    for n, (got, expected) in enumerate(zip(fast, plain, strict=True)):
        assert got == expected, n
    assert fast_counts == plain_counts
    assert {"PutItem", "GetItem", "UpdateItem", "Query", "DeleteItem"} <= set(answered)  # answered directly
    assert {"ok", "error", "invalid"} <= {answer[0] for answer in plain}
    assert any(a[0] == "error" and "Item" in a[3] for a in plain)  # a failed condition returned the old item


def test_given_a_fault_hook_on_a_covered_call_then_it_runs_as_before_the_call_left_to_fast_path_11():
    seen: list[str] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["headers"]["X-Amz-Target"])

    with mock_aws(), moto_runtime.patched({}, fast=True):
        _create_tables()
        client = boto3.client("dynamodb", region_name=REGION)
        client.meta.events.register("before-call.dynamodb.GetItem", hook)
        client.get_item(TableName="h", Key={"id": {"S": "1"}})
        boto3.client("dynamodb", region_name=REGION).get_item(TableName="h", Key={"id": {"S": "1"}})

    assert seen == ["DynamoDB_20120810.GetItem"]


@pytest.mark.parametrize("operation", ["Scan", "TransactWriteItems", "DescribeTable", "BatchWriteItem"])
def test_given_an_operation_not_covered_then_it_is_left_to_fast_path_11(operation):
    model = boto3.client("dynamodb", region_name=REGION).meta.service_model.operation_model(operation)
    assert direct_calls._operation_plan(model) is None


# -- fast path 46: Step Functions' task-token answers, and clients that do not validate their parameters -----------
MACHINE = {
    "StartAt": "Wait",
    "States": {
        "Wait": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl.$": "$.queue", "MessageBody": {"token.$": "$$.Task.Token"}},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
            "End": True,
        },
        "Failed": {"Type": "Pass", "End": True},
    },
}


def _task_tokens() -> list[Any]:
    """Executions parked on task tokens, answered valid and refused by a validating and a non-validating client;
    then DynamoDB calls through a client that does not validate (as moto's interpreter makes its SDK tasks')."""
    from botocore.config import Config

    runtime = moto_runtime._active
    assert runtime is not None
    sqs = boto3.client("sqs", region_name=REGION)
    queue = sqs.create_queue(QueueName="tokens")["QueueUrl"]
    role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]
    sfn = boto3.client("stepfunctions", region_name=REGION)
    lax_sfn = boto3.client("stepfunctions", region_name=REGION, config=Config(parameter_validation=False))
    machine = sfn.create_state_machine(name="m", definition=json.dumps(MACHINE), roleArn=role["Arn"])
    tokens = []
    for n in range(4):
        sfn.start_execution(
            stateMachineArn=machine["stateMachineArn"], name=f"e{n}", input=json.dumps({"queue": queue})
        )
        runtime.quiescence.wait_idle(30)
        message = sqs.receive_message(QueueUrl=queue)["Messages"][0]
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=message["ReceiptHandle"])
        tokens.append(json.loads(message["Body"])["token"])
    out: list[Any] = []

    def answer(fn: Any, **kwargs: Any) -> None:
        out.append(_call(fn, **kwargs))
        runtime.quiescence.wait_idle(30)  # the execution resumes before the next call

    # moto reads ``output`` from the query string it makes of the JSON body first: "&output=b" is what it gets
    answer(sfn.send_task_success, taskToken=tokens[0], output=json.dumps({"ü": "a&output=b", "n": 1}))
    answer(sfn.send_task_success, taskToken=tokens[0], output="{}")  # answered already
    answer(lax_sfn.send_task_success, taskToken=tokens[1], output="[1, 2]")
    answer(sfn.send_task_success, taskToken="no such token", output="{}")
    answer(sfn.send_task_success, taskToken=tokens[2])  # botocore refuses it: no output
    answer(lax_sfn.send_task_success, taskToken=tokens[2], output=5)  # sent as it is
    answer(sfn.send_task_success, taskToken=tokens[2], output="not json")
    answer(sfn.send_task_failure, taskToken=tokens[3], error="Oops", cause="because")
    answer(lax_sfn.send_task_failure, taskToken=tokens[3])
    for execution in sfn.list_executions(stateMachineArn=machine["stateMachineArn"])["executions"]:
        described = sfn.describe_execution(executionArn=execution["executionArn"])
        out.append((described["name"], described["status"], described.get("output")))
    lax = boto3.client("dynamodb", region_name=REGION, config=Config(parameter_validation=False))
    _create_tables()
    key = {"pk": {"S": "ORDER#9"}, "sk": {"S": "STATE"}}
    out.append(_call(lax.put_item, TableName="t", Item={**key, "n": {"N": "1"}}))
    out.append(
        _call(
            lax.update_item,
            TableName="t",
            Key=key,
            UpdateExpression="SET n = n + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
            ReturnValues="ALL_NEW",
        )
    )
    out.append(
        _call(
            lax.update_item, TableName="t", Key=key, UpdateExpression="SET n = :v", ExpressionAttributeValues={":v": 5}
        )
    )
    out.append(_call(lax.get_item, TableName="t", Key={"pk": "ORDER#9", "sk": {"S": "STATE"}}))
    out.append(_call(lax.get_item, TableName="t", Key=key, ConsistentRead="yes"))
    out.append(_call(lax.get_item, TableName="t", Key=key))
    return out


def _run_tokens(fast: bool) -> tuple[list[Any], dict[str, Any]]:
    mock_random.seed(7)
    with (
        mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        moto_runtime.patched({}, fast=fast),
        metering.metered() as meter,
        metering.in_function("timeline"),
    ):
        answers = _task_tokens()
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):
        counted.pop(timed)
    return answers, counted


def test_given_task_token_answers_and_unvalidated_clients_when_answered_directly_then_all_is_as_in_plain_moto():
    with _answered_directly() as answered:
        fast, fast_counts = _run_tokens(fast=True)
    plain, plain_counts = _run_tokens(fast=False)

    for n, (got, expected) in enumerate(zip(fast, plain, strict=True)):
        assert got == expected, n
    assert fast_counts == plain_counts
    assert {"SendTaskSuccess", "SendTaskFailure", "UpdateItem", "GetItem", "PutItem"} <= set(answered)
    assert {"ok", "error", "invalid"} <= {answer[0] for answer in plain}
    assert ("e1", "SUCCEEDED", "[1, 2]") in plain
    assert any(a[0] == "e0" and "States.Runtime" in a[2] for a in plain)  # moto's quirk, the same both ways


# -- fast path 63: the request headers' look-ups ------------------------------------------------------------------
def test_given_any_header_look_up_then_the_direct_call_s_headers_answer_as_werkzeug_s():
    from werkzeug.datastructures import Headers

    pairs = [
        ("X-Amz-Target", "DynamoDB_20120810.GetItem"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("Host", "h"),
    ]
    pairs.append(("content-type", "second"))  # a name twice: the first wins
    ours, theirs = direct_calls._Headers(pairs), Headers(pairs)
    for key in ("X-Amz-Target", "x-amz-target", "CONTENT-TYPE", "Authorization", "x-moto-account-id", "", "Host"):
        assert ours.get(key) == theirs.get(key)
        assert ours.get(key, "default") == theirs.get(key, "default")
        assert ours.get(key, 0, type=len) == theirs.get(key, 0, type=len)
        assert (key in ours) == (key in theirs)
    assert list(ours.items()) == list(theirs.items())


# -- fast path 92: botocore's response object built with a key object per header name ------------------------------
@settings(max_examples=80, deadline=None)
@given(
    headers=st.dictionaries(
        st.sampled_from(["Content-Type", "content-type", "x-amz-crc32", "X-Amzn-RequestId", "server", "date", "ü"]),
        st.one_of(st.text(max_size=4), st.integers(0, 9)),
        max_size=6,
    ),
    body=st.text(max_size=20),
)
def test_given_any_headers_when_the_response_object_is_built_then_it_is_botocore_s(headers, body):
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    for _ in range(2):  # the second time with the key objects made the first time
        built = direct_calls.aws_response("https://dynamodb.us-east-1.amazonaws.com/", 200, dict(headers), body)
        expected = AWSResponse("https://dynamodb.us-east-1.amazonaws.com/", 200, dict(headers), MockRawResponse(body))
        assert list(vars(built)) == list(vars(expected))
        assert (built.url, built.status_code, built._content) == (expected.url, expected.status_code, None)
        assert list(built.headers.items()) == list(expected.headers.items())
        assert repr(built.headers) == repr(expected.headers)
        assert [built.headers.get(name.upper()) for name in headers] == [
            expected.headers.get(name.upper()) for name in headers
        ]
        assert built.content == expected.content == body.encode()
    direct_calls.clear()


def test_given_a_fault_hook_registered_between_calls_then_the_next_call_runs_it_and_after_its_removal_none_does():
    """Fast path 23 looks at the client's ``before-call`` handlers at every call: a hook registered between two calls
    (an injected fault) takes the next call to fast path 11, and once it is removed the calls are answered directly."""
    seen: list[str] = []

    def hook(params: dict[str, Any], **_: Any) -> None:
        seen.append(params["headers"]["X-Amz-Target"])

    with mock_aws(), moto_runtime.patched({}, fast=True):
        _create_tables()
        client = boto3.client("dynamodb", region_name=REGION)
        with _answered_directly() as answered:
            for _ in range(2):
                client.get_item(TableName="h", Key={"id": {"S": "1"}})
            client.meta.events.register("before-call.dynamodb.GetItem", hook)
            client.get_item(TableName="h", Key={"id": {"S": "1"}})
            client.meta.events.unregister("before-call.dynamodb.GetItem", hook)
            client.get_item(TableName="h", Key={"id": {"S": "1"}})

    assert seen == ["DynamoDB_20120810.GetItem"]
    assert answered == ["GetItem", "GetItem", "GetItem"]


# -- fast path 96: the date header from the clock's timestamp ------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(9000, 1, 1)).map(
        lambda instant: instant.replace(tzinfo=datetime.UTC)
    )
    | st.floats(min_value=946684800, max_value=4102444800).map(lambda seconds: int(seconds) + 0.9999995)
)
def test_given_any_virtual_instant_then_the_date_header_is_the_one_moto_writes(instant):
    import time_machine
    from moto.core.utils import utcnow
    from werkzeug.http import http_date

    with time_machine.travel(instant, tick=False):  # a float: an instant a microsecond's rounding would move on
        assert direct_calls.date_header() == http_date(utcnow())
        assert direct_calls.date_header() == http_date(utcnow())  # the second time from the kept format


# -- fast path 103: the before-call verdict and the response parser, kept --------------------------------------------
def test_given_a_handler_registered_and_unregistered_then_the_before_call_verdict_follows_it() -> None:
    client = boto3.client("dynamodb", region_name="us-east-1")
    model = client.meta.service_model.operation_model("GetItem")
    event = call_events.call_names(model)[2]
    assert event == "before-call.dynamodb.GetItem"

    def fault(**kwargs: Any) -> None:
        return None

    verdicts = []
    for _ in range(2):
        client.meta.events.emit(event, model=model, params={"headers": {}})  # botocore keeps the event's handlers
        verdicts.append(direct_calls._before_call_is_header_only(client, event))
        client.meta.events.register(event, fault)
        client.meta.events.emit(event, model=model, params={"headers": {}})
        verdicts.append(direct_calls._before_call_is_header_only(client, event))
        client.meta.events.unregister(event, fault)
    assert verdicts == [True, False, True, False]


def test_given_no_before_call_ever_emitted_then_the_verdict_is_kept_where_botocore_keeps_handlers_and_follows_them():
    # a covered call emits no before-call: the handlers are looked up once and kept as botocore's emit keeps them
    client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
    model = client.meta.service_model.operation_model("PutItem")
    event = call_events.call_names(model)[2]
    emitter = client.meta.events._emitter  # type: ignore[attr-defined]
    assert event not in emitter._lookup_cache
    assert direct_calls._before_call_is_header_only(client, event)
    kept = emitter._lookup_cache[event]
    assert direct_calls._before_call_is_header_only(client, event)
    assert emitter._lookup_cache[event] is kept  # (looked up once)

    def fault(**kwargs: Any) -> None:
        return None

    client.meta.events.register(event, fault)
    assert not direct_calls._before_call_is_header_only(client, event)
    client.meta.events.unregister(event, fault)
    assert direct_calls._before_call_is_header_only(client, event)


def test_given_a_create_parser_set_on_the_factory_itself_then_it_makes_the_parser() -> None:
    client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
    model = client.meta.service_model.operation_model("GetItem")
    factory = client._endpoint._response_parser_factory
    first = direct_calls.parser_for(client, model)
    own = factory.create_parser("json")
    factory.create_parser = lambda protocol: own
    assert direct_calls.parser_for(client, model) is own and own is not first


def test_given_a_parser_factory_when_parsers_are_kept_then_each_is_what_the_factory_makes() -> None:
    client = boto3.session.Session().client("dynamodb", region_name="us-east-1")  # a factory of its own
    model = client.meta.service_model.operation_model("GetItem")
    factory = client._endpoint._response_parser_factory

    def describe(parser: Any) -> tuple[Any, ...]:
        return type(parser), parser._timestamp_parser, parser._blob_parser.__func__, type(parser._event_stream_parser)

    first = direct_calls.parser_for(client, model)
    assert direct_calls.parser_for(client, model) is first  # kept
    assert describe(first) == describe(factory.create_parser("json"))

    def blobs(value: Any) -> Any:
        return value

    factory.set_parser_defaults(blob_parser=blobs)
    changed = direct_calls.parser_for(client, model)
    assert changed is not first and changed._blob_parser is blobs
    factory._defaults.clear()
    again = direct_calls.parser_for(client, model)
    assert again is not changed and describe(again) == describe(first)


# -- fast path 105: no response object where only the retry quota reads its status -----------------------------------
def _quota_after_calls(status_only: bool) -> tuple[list[Any], int]:
    mock_random.seed(11)
    with mock_aws(), moto_runtime.patched({}, fast=True):
        create_keyed_table("t", "us-east-1")
        client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
        key = {"pk": {"S": "p"}, "sk": {"S": "0"}}
        client.get_item(TableName="t", Key=key)
        (checker,) = [
            handler.__self__
            for handler in client.meta.events._emitter._lookup_cache["after-call.dynamodb.GetItem"]  # type: ignore[attr-defined]
        ]
        assert checker._quota.acquire(100)  # each successful call gives one unit back
        answers = []
        with pytest.MonkeyPatch.context() as patch:
            if not status_only:
                patch.setattr(direct_calls, "_after_call_reads_status_only", lambda client, model: False)
            for n in range(5):
                client.put_item(TableName="t", Item={"pk": {"S": "p"}, "sk": {"S": str(n)}})
                answers.append(_stable(client.get_item(TableName="t", Key=key)))
        return answers, checker._quota.available_capacity


def test_given_only_the_retry_quota_after_the_call_then_it_reads_the_same_status_without_a_response_object() -> None:
    answers, capacity = _quota_after_calls(status_only=True)
    assert (answers, capacity) == _quota_after_calls(status_only=False)
    assert capacity == 500 - 100 + 10


def test_given_an_after_call_handler_of_its_own_then_it_gets_botocore_s_response_object() -> None:
    with mock_aws(), moto_runtime.patched({}, fast=True):
        create_keyed_table("t", "us-east-1")
        client = boto3.session.Session().client("dynamodb", region_name="us-east-1")
        model = client.meta.service_model.operation_model("GetItem")
        key = {"pk": {"S": "p"}, "sk": {"S": "0"}}
        client.get_item(TableName="t", Key=key)
        assert direct_calls._after_call_reads_status_only(client, model)
        seen: list[Any] = []
        client.meta.events.register(
            "after-call.dynamodb.GetItem", lambda http_response, **kwargs: seen.append(http_response)
        )
        client.get_item(TableName="t", Key=key)
        assert not direct_calls._after_call_reads_status_only(client, model)
        assert type(seen[0]).__name__ == "AWSResponse" and seen[0].status_code == 200
        assert seen[0].headers["x-amz-crc32"] and seen[0].content == b"{}"
