"""The fast paths of moto_runtime change how fast the simulator runs, never what it reports.

Every shipped example is simulated twice, with the fast paths (the default) and without them (plain moto
behind the patches the virtual clock needs); the ``--json`` output must be byte-identical apart from the
wall time, and the AWS calls and DynamoDB units counted (``metering.py``) the same; and each example runs
without handler errors and sends at least one contact. So is a scenario with every kind of fault, an opt-out, a
suppressed address and a redrive (the fast paths' fallbacks for hooks on botocore's events). The direct botocore
transport is also compared call by call, errors included.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from outreach.simulator import json_answers, moto_runtime, runner
from outreach.simulator.scenario import load
from tests.dynamo import create_keyed_table

EXAMPLES = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.json"))
QUICK = {"happy_path"}


def _outputs(example: Path, fast: bool) -> tuple[str, dict[str, Any]]:
    """What `outreach simulate --json` prints (minus the wall time), and what the run counted as the deployed
    code's AWS calls and DynamoDB units (minus the estimates that depend on real time)."""
    simulated = runner.run(load(example), fast=fast)
    result = simulated.to_json()
    assert result["stats"].pop("wallSeconds") >= 0
    counted = simulated.meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):
        counted.pop(timed)
    return json.dumps(result, indent=2), counted


@pytest.mark.parametrize(
    "example",
    [pytest.param(p, marks=() if p.stem in QUICK else pytest.mark.slow, id=p.stem) for p in EXAMPLES],
)
def test_given_an_example_when_simulated_with_and_without_the_fast_paths_then_the_json_is_identical(example):
    fast, fast_counts = _outputs(example, fast=True)
    plain, plain_counts = _outputs(example, fast=False)

    assert fast == plain
    assert fast_counts == plain_counts  # the fast paths answer the same calls, not fewer
    shipped = json.loads(fast)  # and every shipped example runs as documented (what `outreach simulate` prints)
    assert "errors" not in shipped, f"handler errors: {shipped.get('errors')}"
    assert shipped["contacts"], "every example sends at least one contact"


def _with_faults(tmp_path: Path) -> Path:
    """The happy path with three more orders, under every kind of fault a user can inject (a throttled and a
    failing SES, a failing SMS provider, a lost timer, a sender stopping after a send, crashing functions, retried
    and dead-lettered), an opt-out, an address on
    the suppression list and a redrive: the fast paths' fallbacks (hooks on botocore's events) run too."""
    scenario = json.loads(EXAMPLES[[p.stem for p in EXAMPLES].index("happy_path")].read_text())
    placed = scenario["events"][0]
    for n, (email, channels) in enumerate(
        [("grace@example.com", ["email", "sms"]), ("alan@example.com", ["email"]), ("edsger@example.com", ["sms"])],
        start=2,
    ):
        detail = copy.deepcopy(placed["detail"])
        detail["orderId"] = f"SO-{n}"
        detail["customer"].update(email=email, channels=channels, phone=f"+49151123456{n:02d}")
        scenario["events"].append({"at": f"PT{n}H", "detailType": "Order Placed", "detail": detail})
    scenario["faults"] = [
        {"from": "PT0S", "until": "PT30M", "target": "ses", "error": "TooManyRequestsException"},
        {"from": "PT1H30M", "until": "PT2H30M", "target": "ses", "error": "ServiceUnavailable"},
        {"from": "PT3H30M", "until": "PT4H30M", "target": "sms", "error": "InternalError"},
        {"from": "P11D", "until": "P11DT1H", "target": "timers"},
        {"from": "P14DT2H", "until": "P14DT2H1M", "target": "claim", "when": "after_send"},
        # crashes: intake's delivery of SO-2's placement retried a minute later; the hand-over of Production
        # Completed to the timeline retried; intake failing on the delivery three times (dead-lettered)
        {"from": "PT2H", "until": "PT2H1M", "target": "intake", "error": "boom"},
        {"from": "P13D", "until": "P13DT1M", "target": "timeline", "error": "boom"},
        {"from": "P19DT5H", "until": "P19DT5H10M", "target": "intake", "error": "boom"},
    ]
    scenario["optOuts"] = ["alan@example.com"]
    scenario["suppressed"] = ["grace@example.com"]
    scenario["redrives"] = ["P1D"]
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(scenario))
    return path


def test_given_faults_opt_outs_and_suppression_when_simulated_fast_and_plain_then_the_json_is_identical(
    tmp_path: Path,
) -> None:
    example = _with_faults(tmp_path)
    fast, fast_counts = _outputs(example, fast=True)
    plain, plain_counts = _outputs(example, fast=False)
    assert fast == plain
    assert fast_counts == plain_counts
    shipped = json.loads(fast)
    assert "contact_unconfirmed" in {alert["kind"] for alert in shipped["alerts"]}  # (the faults bit)
    assert [r["detailType"] for r in shipped["rejected"]] == ["Order Delivered"]  # intake failed on it 3 times


# -- the direct botocore transport, call by call ---------------------------------------------------
REGION = "us-east-1"
VOLATILE = {"RequestId", "MessageId", "date", "x-amzn-requestid", "x-amz-crc32", "startDate"}


def _stable(value: Any) -> Any:
    """The response without request ids, dates and generated ids (they differ between any two runs)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if hasattr(value, "read"):
        return value.read()
    return value


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return ("ok", _stable(fn(**kwargs)))
    except ClientError as exc:
        return ("error", type(exc).__name__, _stable(exc.response), str(exc))


def _conversation() -> list[Any]:
    """One call of every kind the simulator makes (and the errors the handlers rely on)."""
    out: list[Any] = []
    ddb = boto3.client("dynamodb", region_name=REGION)
    create_keyed_table("t", REGION)
    table = boto3.resource("dynamodb", region_name=REGION).Table("t")
    item = {"pk": "ORDER#1", "sk": "STATE", "n": 1, "tags": {"a", "b"}, "doc": {"x": [1, "y", None, True]}}
    out.append(_call(table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)"))
    out.append(_call(table.put_item, Item=item, ConditionExpression="attribute_not_exists(pk)"))
    for n in range(3):
        out.append(_call(table.put_item, Item={"pk": "ORDER#1", "sk": f"EVENT#{n}", "n": n}))
    out.append(_call(table.get_item, Key={"pk": "ORDER#1", "sk": "STATE"}, ConsistentRead=True))
    out.append(_call(table.get_item, Key={"pk": "ORDER#2", "sk": "STATE"}))
    out.append(
        _call(
            table.update_item,
            Key={"pk": "ORDER#1", "sk": "STATE"},
            UpdateExpression="SET n = n + :one, #t = :t",
            ExpressionAttributeNames={"#t": "token"},
            ExpressionAttributeValues={":one": 1, ":t": "tok"},
            ReturnValues="ALL_OLD",
        )
    )
    out.append(
        _call(
            table.update_item,
            Key={"pk": "ORDER#1", "sk": "STATE"},
            UpdateExpression="SET n = :n",
            ConditionExpression="n = :wrong",
            ExpressionAttributeValues={":n": 5, ":wrong": 99},
        )
    )
    from boto3.dynamodb.conditions import Key

    out.append(_call(table.query, KeyConditionExpression=Key("pk").eq("ORDER#1") & Key("sk").begins_with("EVENT#")))
    out.append(_call(table.query, KeyConditionExpression=Key("pk").eq("ORDER#1"), Limit=2, ScanIndexForward=False))
    out.append(_call(table.query, KeyConditionExpression=Key("pk").eq("NOPE")))
    out.append(
        _call(
            ddb.transact_write_items,
            TransactItems=[
                {"Put": {"TableName": "t", "Item": {"pk": {"S": "ORDER#1"}, "sk": {"S": "EVENT#9"}}}},
                {
                    "ConditionCheck": {
                        "TableName": "t",
                        "Key": {"pk": {"S": "ORDER#1"}, "sk": {"S": "STATE"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ],
        )
    )
    with table.batch_writer() as batch:
        batch.put_item(Item={"pk": "SKU#X", "sk": "ORDER#1"})
    out.append(_call(table.scan))
    out.append(_call(ddb.describe_table, TableName="nope"))

    sqs = boto3.client("sqs", region_name=REGION)
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    out.append(_call(sqs.send_message, QueueUrl=url, MessageBody="hi", MessageAttributes={}))
    out.append(_call(sqs.send_message, QueueUrl=url + "-missing", MessageBody="hi"))
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="t")["TopicArn"]
    out.append(_call(sns.publish, TopicArn=topic, Message="m", Subject="s"))
    out.append(_call(sns.publish, PhoneNumber="+4915112345678", Message="m"))
    out.append(_call(sns.publish, TopicArn=topic + "-missing", Message="m"))
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity="a@example.com")
    message = {"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}}
    out.append(
        _call(
            ses.send_email,
            FromEmailAddress="a@example.com",
            Destination={"ToAddresses": ["b@example.com"]},
            Content=message,
        )
    )
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name="g")
    schedule = {
        "GroupName": "g",
        "ScheduleExpression": "at(2026-11-02T10:00:00)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {"Arn": "arn:aws:events:us-east-1:123456789012:event-bus/b", "RoleArn": "arn:aws:iam::1:role/r"},
    }
    out.append(_call(scheduler.create_schedule, Name="s1", **schedule))
    out.append(_call(scheduler.create_schedule, Name="s1", **schedule))
    out.append(_call(scheduler.delete_schedule, Name="s1", GroupName="g"))
    out.append(_call(scheduler.delete_schedule, Name="s1", GroupName="g"))
    sfn = boto3.client("stepfunctions", region_name=REGION)
    out.append(_call(sfn.send_task_success, taskToken="nope", output="{}"))
    out.append(_call(sfn.describe_execution, executionArn="arn:aws:states:us-east-1:123456789012:execution:x:y"))
    lam = boto3.client("lambda", region_name=REGION)
    out.append(_call(lam.invoke, FunctionName="missing", Payload=b"{}"))
    return out


def test_given_the_direct_transport_when_every_kind_of_call_is_made_then_responses_and_errors_match_plain_moto():
    with mock_aws():
        plain = _conversation()
    with mock_aws(), moto_runtime.patched({}, fast=True) as runtime:
        fast = _conversation()

    assert runtime.direct_calls > len(fast)
    assert len(fast) == len(plain)
    for got, expected in zip(fast, plain, strict=True):
        assert got == expected


# -- the JSON serializer, value by value ------------------------------------------------------------
ITEM = {
    "pk": {"S": "ORDER#1"},
    "n": {"N": "12.50"},
    "flag": {"BOOL": False},
    "nothing": {"NULL": True},
    "tags": {"SS": ["a", "b"]},
    "nums": {"NS": ["1", "2"]},
    "blob": {"B": "aGVsbG8="},
    "doc": {"M": {"x": {"L": [{"S": "y"}, {"N": "1"}, {"M": {}}, {"L": []}]}, "": {"S": "empty key"}}},
}
JSON_RESULTS = [
    ("dynamodb", "GetItem", {"Item": ITEM}),
    ("dynamodb", "GetItem", {}),
    ("dynamodb", "PutItem", {"ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1}}),
    ("dynamodb", "UpdateItem", {"Attributes": ITEM, "ConsumedCapacity": None}),
    (
        "dynamodb",
        "Query",
        {
            "Items": [ITEM, {"pk": {"S": "ORDER#2"}}],
            "Count": 2.0,
            "ScannedCount": "2",
            "LastEvaluatedKey": {"pk": {"S": "ORDER#2"}},
            "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 0.5, "Table": {"CapacityUnits": 0.5}},
        },
    ),
    ("dynamodb", "Query", {"Items": [], "Count": 0, "ScannedCount": 0}),
    ("dynamodb", "Scan", {"Items": [ITEM], "Count": 1, "ScannedCount": 7}),
    ("dynamodb", "TransactWriteItems", {}),
    ("dynamodb", "BatchWriteItem", {"UnprocessedItems": {}, "ItemCollectionMetrics": {}}),
    ("dynamodb", "BatchWriteItem", {"UnprocessedItems": {"t": [{"PutRequest": {"Item": ITEM}}]}}),
    ("dynamodb", "DescribeTable", {"Table": {"TableName": "t", "ItemCount": 3, "CreationDateTime": 1700000000.5}}),
    ("stepfunctions", "SendTaskSuccess", {}),
    ("stepfunctions", "SendTaskSuccess", None),
    ("stepfunctions", "StopExecution", {"stopDate": 1700000000}),
    ("stepfunctions", "DescribeExecution", {"executionArn": "arn:x", "status": "RUNNING", "input": '{"a": 1}'}),
]


@pytest.mark.parametrize(("service", "operation", "result"), JSON_RESULTS)
def test_given_a_json_result_when_serialized_the_fast_way_then_the_response_is_moto_s(service, operation, result):
    from moto.core.responses import ActionContext, ActionResult
    from moto.core.serialize import JSONSerializer
    from moto.core.utils import get_service_model
    from moto.dynamodb.responses import DynamoHandler
    from moto.stepfunctions.responses import StepFunctionResponse

    service_model = get_service_model(service)
    handler = DynamoHandler() if service == "dynamodb" else StepFunctionResponse()
    context = ActionContext(service_model, service_model.operation_model(operation), JSONSerializer, handler)

    expected = json_answers._original_execute_result(ActionResult(copy.deepcopy(result)), context)
    with moto_runtime.patched({}, fast=True):
        got = ActionResult(copy.deepcopy(result)).execute_result(context)

    assert got == expected


# -- many executions woken by one event -------------------------------------------------------------
def _sku_batch(orders: int) -> dict[str, Any]:
    from tests.simulation.conftest import BASE_ORDER

    events: list[dict[str, Any]] = []
    for n in range(orders):
        detail = copy.deepcopy(BASE_ORDER)
        detail.update(orderId=f"SO-{n:03d}", items=[{"sku": "VELVET", "description": "sofa", "quantity": 1}])
        detail["customer"] = {**detail["customer"], "email": f"c{n}@example.com"}
        events.append({"at": f"PT{n}M", "detailType": "Order Placed", "detail": detail})
    delay = {"sku": "VELVET", "estimatedCompletion": "2026-11-28", "reason": "mill strike"}
    events.append({"at": "P3D", "detailType": "Production Delayed", "detail": delay})
    return {
        "name": "sku batch",
        "start": "2026-11-02T09:00:00Z",
        "until": "P4D",
        "config": {"sesSendRate": 2},
        "events": events,
    }


@pytest.mark.slow
def test_given_one_event_waking_many_executions_then_every_run_reports_the_same_and_so_does_plain_moto():
    from outreach.simulator.scenario import parse

    raw = _sku_batch(6)  # at two e-mails a second, six notices already need three send slots
    runs = [runner.run(parse(raw), fast=fast).to_json() for fast in (True, True, False)]
    for result in runs:
        result["stats"].pop("wallSeconds")
    notices = [c for c in runs[0]["contacts"] if c["kind"] == "delay_notice"]

    assert len(notices) == 6 and len({c["at"] for c in notices}) == 3  # paced: the send slots matter
    assert runs[0] == runs[1] == runs[2]


def test_given_a_fast_run_then_every_patched_attribute_is_restored_exactly_afterwards():
    patches = moto_runtime._PATCHES + moto_runtime._FAST_PATCHES
    before = [owner.__dict__[name] for owner, name, _ in patches]
    with moto_runtime.patched({}, fast=True):
        assert all(owner.__dict__[name] is new for owner, name, new in patches)
    assert [owner.__dict__[name] for owner, name, _ in patches] == before


# -- the parsed program kept between processes (fast path 15) ----------------------------------------------
def test_given_the_parsed_program_kept_on_disk_when_a_later_process_runs_then_it_reports_the_same(
    tmp_path, monkeypatch
):
    monkeypatch.setenv(moto_runtime.PROGRAM_CACHE_ENV, str(tmp_path))
    example = tmp_path / "placed.json"  # one order placed and confirmed: every state machine start parses
    happy = json.loads(next(p for p in EXAMPLES if p.stem == "happy_path").read_text())
    example.write_text(json.dumps({**happy, "until": "P1D", "events": happy["events"][:1]}))

    def fresh_process() -> tuple[str, dict[str, Any]]:
        moto_runtime._parse_asl_cached.cache_clear()  # what a new process has: only the file on disk
        return _outputs(example, fast=True)

    parsed = fresh_process()  # ANTLR parses, the program is written
    [kept] = tmp_path.glob("asl-*.pickle")
    loaded = fresh_process()  # the program is read from the file
    kept.write_bytes(b"not a pickle")
    repaired = fresh_process()  # an unreadable file: parsed again and written again

    assert loaded == parsed == repaired
    assert kept.read_bytes() != b"not a pickle"
