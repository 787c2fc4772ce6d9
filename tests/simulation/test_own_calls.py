"""Fast path 45: the runner's own deliveries reach moto's backends as its boto3 calls did (``own_calls``).

What a handler receives and what moto keeps are compared with boto3's Lambda ``Invoke`` and Scheduler
``DeleteSchedule`` on plain moto: every kind of event the runner delivers (an order event, a timer, hostile input that
is not a JSON object, text with characters JSON escapes), a failing handler, and the schedules left after a delete.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.scheduler.models import scheduler_backends

from outreach.simulator import metering, moto_runtime, own_calls

REGION = "us-east-1"
EVENTS: list[Any] = [
    {"version": "0", "id": "sim-00001", "detail-type": "Order Placed", "detail": {"orderId": "SO-1", "ü": "b&c=d"}},
    {"detail-type": "Timer Due", "source": "outreach.timer", "detail": {"orderId": "SO-1", "due": None}},
    ["an", "array"],
    "a string",
    None,
    12.5,
    {"fail": True},
    {},
    {"detail-type": "Order Placed", "detail": {"items": [{"description": "Sofa & more&qualifier=7"}]}},
]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0)), "def handler(e, c): pass\n")
    return buffer.getvalue()


def _world() -> str:
    role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]
    lam = boto3.client("lambda", region_name=REGION)
    lam.create_function(
        FunctionName="intake",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": _zip()},
    )
    scheduler = boto3.client("scheduler", region_name=REGION)
    scheduler.create_schedule_group(Name="timers")
    for name in ("order-SO-1-production", "a.b_c-9"):
        scheduler.create_schedule(
            Name=name,
            GroupName="timers",
            ScheduleExpression="at(2026-12-01T10:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:intake", "RoleArn": role["Arn"]},
            ActionAfterCompletion="DELETE",
        )
    return "timers"


def _run(fast: bool) -> tuple[list[Any], list[tuple[str, str]], dict[str, list[str]], Any]:
    seen: list[Any] = []

    def handler(event: Any, context: Any) -> Any:
        seen.append(event)
        if isinstance(event, dict) and event.get("fail"):
            raise ValueError("asked to fail")
        return {"ok": True}

    with (
        mock_aws(),
        moto_runtime.patched({"intake": handler}, fast=fast) as runtime,
        metering.metered() as meter,
    ):
        group = _world()
        lam = boto3.client("lambda", region_name=REGION)
        scheduler = boto3.client("scheduler", region_name=REGION)
        for event in EVENTS:
            if fast:
                own_calls.invoke(REGION, "intake", json.dumps(event))
            else:
                own_calls.plain_invoke(lam, "intake", json.dumps(event))
        if fast:
            own_calls.delete_schedule(REGION, group, "a.b_c-9")
        else:
            scheduler.delete_schedule(Name="a.b_c-9", GroupName=group)
        backend = scheduler_backends[DEFAULT_ACCOUNT_ID][REGION]
        left = {name: sorted(g.schedules) for name, g in backend.schedule_groups.items()}
        errors = [(e.function, e.message) for e in runtime.errors]
    return seen, errors, left, (meter.total_calls, dict(meter.invocations), runtime.lambda_invocations)


def test_given_the_runners_deliveries_when_sent_straight_to_moto_then_handlers_and_moto_see_what_boto3_gave_them():
    fast = _run(fast=True)
    plain = _run(fast=False)

    assert fast == plain
    seen, errors, left, (calls, invocations, invoked) = fast
    assert seen == EVENTS  # each event reaches the handler as it was sent, hostile input included
    assert errors == [("intake", "asked to fail")]
    assert left["timers"] == ["order-SO-1-production"]
    assert calls == 0 and invocations == {"intake": len(EVENTS)} and invoked == len(EVENTS)  # the simulator's own


def test_given_an_unknown_function_or_schedule_when_delivered_straight_to_moto_then_it_fails_loudly():
    with mock_aws(), moto_runtime.patched({}, fast=True):
        group = _world()
        with pytest.raises(Exception, match="nope"):
            own_calls.invoke(REGION, "nope", "{}")
        with pytest.raises(Exception, match="missing"):
            own_calls.delete_schedule(REGION, group, "missing")


def test_given_a_top_level_qualifier_in_the_payload_then_both_ways_invoke_the_version_moto_reads_from_it():
    """moto reads ``qualifier`` from a JSON body's top level too: both ways ask for that (missing) version."""
    with mock_aws(), moto_runtime.patched({"intake": lambda e, c: None}, fast=False):
        _world()
        lam = boto3.client("lambda", region_name=REGION)
        with pytest.raises(Exception, match="intake:1"):
            own_calls.plain_invoke(lam, "intake", json.dumps({"qualifier": "1"}))
    with mock_aws(), moto_runtime.patched({"intake": lambda e, c: None}, fast=True):
        _world()
        with pytest.raises(Exception, match="intake:1"):
            own_calls.invoke(REGION, "intake", json.dumps({"qualifier": "1"}))


def test_given_payload_texts_when_the_qualifier_is_read_then_it_is_the_json_bodys_top_level_one() -> None:
    """Fast path 113: a text without ``qualifier`` or an escape is not parsed for it."""
    texts = ['{"a": 1}', '{"qualifier": "1"}', '{"q\\u0075alifier": "7"}', "not json", '{"x": "qualifier"}', "[1]"]
    for text in texts:
        try:
            expected = json.loads(text)["qualifier"]
        except (ValueError, KeyError, TypeError):
            expected = None
        assert own_calls._qualifier(text) == expected, text
