"""Fast path 74: SES v2 ``SendEmail`` and Scheduler ``CreateSchedule`` set up without a request (``rest_answers``).

Calls of both operations (valid, refused, with text moto's query-string reading of the body picks parameters from,
with ``Action`` in it, through a validating and a non-validating client) are made with and without the fast paths: the
same answers (request ids included), errors, messages SES recorded, schedules stored, counted calls and IAM's state.
moto's router finds the same operation and path labels the fast path gives.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.responses import BaseResponse
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random
from moto.scheduler.models import scheduler_backends
from moto.ses.models import ses_backends

from outreach.simulator import metering, moto_runtime, rest_answers, rest_calls
from tests.simulation.outcomes import outcome
from tests.simulation.test_rest_calls import _REST_JSON, _prepared

REGION = "us-east-1"
SENDER = "orders@example.com"
RAW = f"From: {SENDER}\r\nTo: c+1@example.com\r\nSubject: Hallo Jürgen\r\n\r\nKörper".encode()
TARGET = {"Arn": f"arn:aws:events:{REGION}:{DEFAULT_ACCOUNT_ID}:event-bus/b", "RoleArn": "arn:aws:iam::1:role/r"}


def _stable(answer: Any) -> Any:
    answer["ResponseMetadata"]["HTTPHeaders"].pop("date")  # (wall-clock time)
    return answer


def _answer(fn: Any, **kwargs: Any) -> Any:
    return outcome(_stable, fn, crash_message=False, **kwargs)


def _schedule(name: str, **changes: Any) -> dict[str, Any]:
    call = {
        "Name": name,
        "GroupName": "timers",
        "ScheduleExpression": "at(2026-12-01T10:00:00)",
        "FlexibleTimeWindow": {"Mode": "OFF"},
        "Target": {**TARGET, "Input": json.dumps({"orderId": "SO-1"})},
        "ActionAfterCompletion": "DELETE",
    }
    call.update(changes)
    return call


MAILS: list[dict[str, Any]] = [
    {
        "FromEmailAddress": SENDER,
        "Destination": {"ToAddresses": ["c+1@example.com"]},
        "Content": {"Raw": {"Data": RAW}},
    },
    {"Content": {"Raw": {"Data": RAW}}},
    {
        "FromEmailAddress": SENDER,
        "Destination": {"ToAddresses": ["a@example.com"]},
        "Content": {"Simple": {"Subject": {"Data": "Hi & more"}, "Body": {"Text": {"Data": "x=1&Action=Nope"}}}},
    },
    {
        "FromEmailAddress": "unknown@else.example",
        "Destination": {"ToAddresses": ["a@example.com"]},
        "Content": {"Raw": {"Data": RAW}},
    },
    {"FromEmailAddress": SENDER, "Destination": {"ToAddresses": ["not an address"]}, "Content": {"Raw": {"Data": RAW}}},
    {"FromEmailAddress": SENDER, "Content": {"Raw": {"Data": b""}}},
]
SCHEDULES: list[dict[str, Any]] = [
    _schedule("order-SO-1-production"),
    _schedule("a.b_c-9"),
    _schedule("order-SO-1-production"),  # a conflict
    _schedule("elsewhere", GroupName="missing"),
    _schedule("quirk", Target={**TARGET, "Input": "x&GroupName=missing"}),  # moto reads GroupName from the body text
    _schedule("bad-expression", ScheduleExpression="sometime"),
    _schedule("", GroupName="timers"),
]


def _run(fast: bool) -> tuple[Any, ...]:
    mock_random.seed(5)  # the same request ids and message ids both ways: they are compared too
    taken: list[bool] = []
    original = rest_answers.prepare

    def spy(*args: Any) -> Any:
        call = original(*args)
        taken.append(call is not None)
        return call

    rest_answers.prepare = spy  # type: ignore[assignment]
    try:
        with (
            mock_aws(),
            moto_runtime.patched({}, fast=fast) as runtime,
            metering.metered() as meter,
            metering.in_function("intake"),
        ):
            ses = boto3.client("sesv2", region_name=REGION)
            scheduler = boto3.client("scheduler", region_name=REGION)
            unchecked = boto3.client("scheduler", region_name=REGION, config=Config(parameter_validation=False))
            ses.create_email_identity(EmailIdentity=SENDER)
            scheduler.create_schedule_group(Name="timers")
            taken.clear()
            answers = [_answer(ses.send_email, **mail) for mail in MAILS]
            answers += [_answer(scheduler.create_schedule, **call) for call in SCHEDULES]
            answers += [
                _answer(unchecked.create_schedule, **_schedule(f"u-{n}", **call))
                for n, call in enumerate([{}, {"FlexibleTimeWindow": {"Mode": 5}}])
            ]
            sent = [
                (m.id, m.source, m.destinations, getattr(m, "raw_data", None), getattr(m, "body", None))
                for m in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
            ]
            stored = {
                (group, name): (s.schedule_expression, s.state, s.target, s.action_after_completion)
                for group, g in scheduler_backends[DEFAULT_ACCOUNT_ID][REGION].schedule_groups.items()
                for name, s in g.schedules.items()
            }
            keys = iam_backends[DEFAULT_ACCOUNT_ID]["global"].access_keys
            used = sorted((key, str(k.last_used)) for key, k in keys.items())
            counted = meter.summary()
    finally:
        rest_answers.prepare = original  # type: ignore[assignment]
    for timed in ("lambdaBilledMs", "logBytes"):  # estimates from real time
        counted.pop(timed)
    return answers, sent, stored, counted, used, [(e.function, e.message) for e in runtime.errors], taken


def test_given_send_email_and_create_schedule_when_answered_without_the_request_then_all_is_as_in_plain_moto():
    fast = _run(fast=True)
    plain = _run(fast=False)

    for n, (got, expected) in enumerate(zip(fast[0], plain[0], strict=True)):
        assert got == expected, n
    assert fast[1:6] == plain[1:6]  # mail recorded, schedules stored, counted calls, IAM, handler errors
    assert sum(fast[6]) >= 8  # valid and refused calls of both operations took the fast path
    assert {"ok", "error"} <= {answer[0] for answer in plain[0]}
    assert len(fast[1]) >= 2 and len(fast[2]) >= 3  # mail was sent and timers were armed


@pytest.mark.parametrize("name", ["order-SO-00001-production", "a.b_c-9", "x", "A" * 64])
def test_given_the_paths_the_fast_path_stands_in_for_then_motos_router_finds_the_operation_and_labels(name):
    cases = [
        (
            "scheduler",
            "https://scheduler.us-east-1.amazonaws.com/schedules/" + quote(name, safe=""),
            "/schedules/{Name}",
        ),
        ("sesv2", "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails", "/v2/email/outbound-emails"),
    ]
    for service, url, template in cases:
        light = rest_calls.light_request(
            _prepared(url, "POST", b"{}", {"Content-Type": "application/json"}), _REST_JSON
        )
        assert light is not None
        response = BaseResponse(service_name=service)
        response.uri_match = {}
        operation = response._get_action_from_method_and_request_uri(light.moto_request)
        labels = rest_answers._labels(rest_answers._template(template), light.moto_request.raw_path)  # type: ignore[arg-type]

        assert (service, operation) in rest_answers.COVERED
        assert labels == response.uri_match
