"""Fast path 73: a simulated function's Lambda ``Invoke`` set up without the request (``lambda_calls``).

Every kind of ``Invoke`` a handler or the state machine makes, and the ones the fast path leaves alone (a payload naming
``qualifier`` or ``Action``, an empty or non-UTF-8 payload, an unknown function, another region's ARN, a qualifier, a
log tail, a dry run, invalid parameters through a validating and a non-validating client), is made with and without
the fast paths: the same answers (request ids, headers and payloads included), errors, events the handler received,
calls ``metering`` counts, invocations, handler errors and IAM's record of the access key's last use. moto's router
finds ``Invoke`` for the path the fast path stands in for.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.config import Config
from moto import mock_aws
from moto.awslambda.responses import LambdaResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.moto_api._internal import mock_random

from outreach.simulator import lambda_calls, metering, moto_runtime, rest_calls
from tests.simulation.outcomes import outcome
from tests.simulation.test_rest_calls import _REST_JSON, _prepared

REGION = "us-east-1"
ARN = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:echo"


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0)), "def handler(e, c): pass\n")
    return buffer.getvalue()


def _stable(answer: Any) -> Any:
    answer["ResponseMetadata"]["HTTPHeaders"].pop("date")  # (wall-clock time)
    if "Payload" in answer:
        answer["Payload"] = answer["Payload"].read()
    return answer


def _answer(fn: Any, **kwargs: Any) -> Any:
    return outcome(_stable, fn, crash_message=False, **kwargs)


CALLS: list[dict[str, Any]] = [
    {"FunctionName": "echo", "Payload": json.dumps({"orderId": "SO-1", "text": "b&c=d ü"}).encode()},
    {"FunctionName": ARN, "Payload": b'{"a": 1}'},
    {"FunctionName": "echo", "InvocationType": "Event", "Payload": b'{"async": true}'},
    {"FunctionName": "echo", "InvocationType": "RequestResponse", "Payload": '{"as": "text"}'},
    {"FunctionName": "echo", "Payload": b'{"fail": true}'},
    {"FunctionName": "echo", "Payload": b'"just a string"'},
    {"FunctionName": "echo", "Payload": b"[1, 2]"},
    {"FunctionName": "echo", "Payload": b"not json"},
    {"FunctionName": "echo", "Payload": b'{"qualifier": "1"}'},
    {"FunctionName": "echo", "Payload": b'{"x": "a&qualifier=7"}'},
    {"FunctionName": "echo", "Payload": b'{"x": "a&Action=ListFunctions"}'},
    {"FunctionName": "echo", "Payload": b'{"x": "a&AWSAccessKeyId=AKIA2"}'},
    {"FunctionName": "echo", "Payload": b""},
    {"FunctionName": "echo", "Payload": b"\xff\xfe"},
    {"FunctionName": "echo"},
    {"FunctionName": "nope", "Payload": b"{}"},
    {"FunctionName": ARN.replace(REGION, "eu-west-1"), "Payload": b"{}"},
    {"FunctionName": f"{ARN}:$LATEST", "Payload": b"{}"},
    {"FunctionName": "echo", "Qualifier": "$LATEST", "Payload": b"{}"},
    {"FunctionName": "echo", "LogType": "Tail", "Payload": b"{}"},
    {"FunctionName": "echo", "InvocationType": "DryRun", "Payload": b"{}"},
    {"FunctionName": "echo", "InvocationType": "Sometimes", "Payload": b"{}"},
    {"FunctionName": "x" * 200, "Payload": b"{}"},
    {"FunctionName": "echo", "Payload": bytearray(b'{"a": 1}')},  # moto's request builder fails on it: so do we
    {"FunctionName": "echo", "Payload": 5},  # (a validating client only: without validation fast path 11 fails
]  # differently from botocore's transport, before and after fast path 73)


def _run(fast: bool) -> tuple[Any, ...]:
    mock_random.seed(11)  # the same request ids both ways: they are compared too
    seen: list[Any] = []
    taken: list[bool] = []
    original = lambda_calls.prepare

    def spy(*args: Any) -> Any:
        call = original(*args)
        taken.append(call is not None)
        return call

    def echo(event: Any, context: Any) -> Any:
        seen.append(event)
        if isinstance(event, dict) and event.get("fail"):
            raise ValueError("asked to fail")
        return {"seen": event}

    lambda_calls.prepare = spy  # type: ignore[assignment]
    try:
        with (
            mock_aws(),
            moto_runtime.patched({"echo": echo}, fast=fast) as runtime,
            metering.metered() as meter,
            metering.in_function("intake"),
        ):
            role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")
            lam = boto3.client("lambda", region_name=REGION)
            unchecked = boto3.client("lambda", region_name=REGION, config=Config(parameter_validation=False))
            lam.create_function(
                FunctionName="echo",
                Runtime="python3.12",
                Role=role["Role"]["Arn"],
                Handler="handler.handler",
                Code={"ZipFile": _zip()},
            )
            answers = [_answer(lam.invoke, **call) for call in CALLS]
            answers += [_answer(unchecked.invoke, **call) for call in CALLS[:-1]]
            keys = iam_backends[DEFAULT_ACCOUNT_ID]["global"].access_keys
            used = sorted((key, str(k.last_used)) for key, k in keys.items())
            errors = [(e.function, e.error_type, e.message) for e in runtime.errors]
            counted = meter.summary()
    finally:
        lambda_calls.prepare = original  # type: ignore[assignment]
    for timed in ("lambdaBilledMs", "logBytes"):  # estimates from real time
        counted.pop(timed)
    return answers, seen, errors, counted, runtime.lambda_invocations, used, taken


def test_given_every_kind_of_invoke_when_answered_without_the_request_then_all_is_as_in_plain_moto():
    fast = _run(fast=True)
    plain = _run(fast=False)

    for n, (got, expected) in enumerate(zip(fast[0], plain[0], strict=True)):
        assert got == expected, (n, (CALLS + CALLS)[n])
    assert fast[1:6] == plain[1:6]  # events handed to the handler, handler errors, counts, invocations, IAM
    covered = [n < 8 for n in range(len(CALLS) - 1)]  # (the last one, invalid, is refused before anything is sent)
    assert (
        fast[6][2:] == covered + covered
    )  # after CreateRole and CreateFunction: the first eight, through either client
    assert {answer[0] for answer in plain[0]} >= {"ok", "error", "invalid"}


@pytest.mark.parametrize("name", ["echo", "outreach-timeline", "a_b-9", ARN, ARN.replace("echo", "outreach-intake")])
def test_given_the_path_the_fast_path_stands_in_for_then_motos_router_finds_invoke(name):
    from urllib.parse import quote

    url = f"https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/{quote(name, safe='')}/invocations"
    light = rest_calls.light_request(_prepared(url, "POST", b"{}", {}), _REST_JSON)
    assert light is not None
    response = LambdaResponse()
    response.uri_match = {}

    assert response._get_action_from_method_and_request_uri(light.moto_request) == "Invoke"
    assert "qualifier" not in response.uri_match
