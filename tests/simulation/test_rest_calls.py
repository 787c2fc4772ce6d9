"""Fast path 26 (``outreach.simulator.rest_calls``): REST-protocol requests reach moto as the very werkzeug request
``normalize_request`` makes of botocore's prepared request (the same WSGI environ, key by key), and every Lambda,
SES v2 and Scheduler call the simulator makes gives, call by call, what plain moto gives: the same answer (request
ids, status, headers), the same error, the same mail in SES's sent messages, the same schedules, the same handler
runs, the same AWS calls counted by ``metering.py``."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.awsrequest import create_request_object
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.request import normalize_request
from moto.moto_api._internal import mock_random
from moto.scheduler.models import scheduler_backends
from moto.ses.models import ses_backends

from outreach.simulator import metering, moto_runtime, rest_calls
from tests.simulation.outcomes import outcome

REGION = "us-east-1"
SENDER = "noreply@example.com"


def _environ_of(request: Any) -> tuple[list[str], dict[str, Any]]:
    """The environ in order, ``wsgi.input`` as its bytes, without the back reference to the request object."""
    environ = dict(request.environ)
    environ.pop("werkzeug.request")
    environ["wsgi.input"] = environ["wsgi.input"].getvalue()
    return list(environ), environ


def _as_moto_sees_it(request: Any) -> dict[str, Any]:
    return {
        "method": request.method,
        "path": request.path,
        "raw_path": request.raw_path,
        "raw_url": request.raw_url,
        "host": request.host,
        "url_root": request.url_root,
        "root_url": request.root_url,
        "args": list(request.args.items(multi=True)),
        "values": list(request.values.items(multi=True)),
        "form": list(request.form.items(multi=True)),
        "files": list(request.files.items(multi=True)),
        "headers": list(request.headers),
        "data": request.data,
        "data again": request.get_data(parse_form_data=True),
        "stream after": request.stream.read(),  # nothing more to read once moto has the body
        "content_type": request.content_type,
        "content_encoding": request.content_encoding,
    }


def _assert_same_request(prepared: dict[str, Any]) -> bool:
    """True when fast path 26 builds ``prepared`` (then exactly as ``normalize_request`` does), False when not."""
    light = rest_calls.light_request(prepared, _REST_JSON)
    if light is None:
        return False
    werkzeug = normalize_request(create_request_object(prepared).prepare())
    assert _environ_of(light.moto_request) == _environ_of(werkzeug)
    assert _as_moto_sees_it(light.moto_request) == _as_moto_sees_it(werkzeug)
    assert light.url == prepared["url"]
    return True


class _Model:
    class service_model:  # stands in for botocore's OperationModel.service_model
        resolved_protocol = "rest-json"

    has_streaming_input = False


_REST_JSON = _Model()


def _prepared(url: str, method: str = "POST", body: Any = b"", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"url": url, "method": method, "body": body, "headers": headers or {}, "context": {}}


LAMBDA = "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions"
AWKWARD = [
    _prepared(f"{LAMBDA}/f/invocations", body=b'{"a": "b&c=d"}', headers={"X-Amz-Invocation-Type": "Event"}),
    _prepared(f"{LAMBDA}/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af%2Bx/invocations?Qualifier=1"),
    _prepared("https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses/a%2Bb%40example.com", "GET", None),
    _prepared("https://email.us-east-1.amazonaws.com/v2/email/identities/%C3%BCber%20x%40b%C3%BCro.de", "GET"),
    _prepared("https://email.us-east-1.amazonaws.com/v2/email/identities/caf\u00e9", "GET"),
    _prepared("https://scheduler.us-east-1.amazonaws.com/schedules/n-1?groupName=g&clientToken=t%3Dx", "DELETE"),
    _prepared("https://scheduler.us-east-1.amazonaws.com/schedules/a;b?x=1", "PUT", '{"t": "\u00fc"}'),
    _prepared("http://localhost:5000/2015-03-31/functions/f/invocations", body="text"),
    _prepared(
        "https://scheduler.us-east-1.amazonaws.com/schedules",
        "GET",
        headers={"Content-Type": "application/json", "Content-Length": "99", "X-Amz-Meta-My_Key": b"v", "a": "1"},
    ),
]
NOT_COVERED = [
    _prepared("https://sns.us-east-1.amazonaws.com/", body={"Action": "Publish"}),  # a form
    _prepared(f"{LAMBDA}/f/invocations", body=io.BytesIO(b"{}")),  # a file-like body
    _prepared(f"{LAMBDA}/f/invocations", headers={"Transfer-Encoding": "chunked"}),
    _prepared(f"{LAMBDA}/f/invocations", headers={"Content-Type": "application/x-www-form-urlencoded"}),
    _prepared(f"{LAMBDA}/f/invocations", headers={"a": "1", "A": "2"}),  # botocore would merge them
    _prepared(f"{LAMBDA}/f/invocations", headers={"a": "x\r\ny"}),
    _prepared("https://lambda.us-east-1.amazonaws.com//f"),
    _prepared("ftp://lambda.us-east-1.amazonaws.com/f"),
    _prepared("https://host:notaport/x", "GET"),  # werkzeug refuses it: so does botocore's way, as before
]


@pytest.mark.parametrize("prepared", AWKWARD, ids=range(len(AWKWARD)))
def test_given_a_rest_request_then_moto_gets_the_environ_werkzeug_would_build(prepared):
    assert _assert_same_request(prepared)


@pytest.mark.parametrize("prepared", NOT_COVERED, ids=range(len(NOT_COVERED)))
def test_given_a_request_the_fast_path_does_not_build_then_it_is_left_to_botocore_and_werkzeug(prepared):
    assert rest_calls.light_request(prepared, _REST_JSON) is None


_segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    segments=st.lists(_segment, min_size=1, max_size=3),
    query=st.text(st.sampled_from("ab=&%+;:/?é 1"), max_size=10),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    body=st.one_of(st.none(), st.binary(max_size=20), st.text(max_size=20)),
    headers=st.dictionaries(
        st.text(st.sampled_from("abcXYZ-_"), min_size=1, max_size=6), st.text(max_size=8), max_size=3
    ),
)
def test_given_any_url_body_and_headers_then_the_request_is_built_as_werkzeug_builds_it_or_left_alone(
    segments, query, method, body, headers
):
    from urllib.parse import quote

    path = "/".join(quote(s, safe="") for s in segments)
    url = f"https://email.us-east-1.amazonaws.com/v2/{path}" + (f"?{query}" if query else "")
    try:
        werkzeug_ok = normalize_request(create_request_object(_prepared(url, method, body, headers)).prepare())
    except Exception:  # werkzeug refuses it (a header value with a newline): the fast path must not build it
        werkzeug_ok = None
    if werkzeug_ok is None:
        assert rest_calls.light_request(_prepared(url, method, body, headers), _REST_JSON) is None
    else:
        _assert_same_request(_prepared(url, method, body, headers))


# -- the calls, answered as plain moto answers them -------------------------------------------------------------
WALL_CLOCK = ("date", "CreationDate", "LastModificationDate", "LastModified")


def _stable(value: Any) -> Any:
    """An answer without the wall-clock parts (the ``date`` header, creation and modification times)."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in WALL_CLOCK}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if hasattr(value, "read"):  # Lambda's payload stream
        return ("stream", value.read())
    return value


def _call(fn: Any, **kwargs: Any) -> Any:
    return outcome(_stable, fn, **kwargs)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        # A fixed date: the entry's own (the current time by default) is in the bytes, and so in CodeSha256, which
        # the fast and plain runs would otherwise answer differently whenever a 2-second DOS time step fell between.
        entry = zipfile.ZipInfo("handler.py", date_time=(2026, 1, 1, 0, 0, 0))
        archive.writestr(entry, "def handler(event, context):\n    return event\n")
    return buffer.getvalue()


def _echo(event: Any, context: Any) -> Any:
    if isinstance(event, dict) and event.get("fail"):
        raise ValueError("asked to fail")
    return {"seen": event}


def _conversation() -> list[Any]:
    role = boto3.client("iam", region_name=REGION).create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]
    lam = boto3.client("lambda", region_name=REGION)
    ses = boto3.client("sesv2", region_name=REGION)
    scheduler = boto3.client("scheduler", region_name=REGION)
    out: list[Any] = []
    out.append(
        _call(
            lam.create_function,
            FunctionName="echo",
            Runtime="python3.12",
            Role=role["Arn"],
            Handler="handler.handler",
            Code={"ZipFile": _zip()},
        )
    )
    arn = f"arn:aws:lambda:{REGION}:{DEFAULT_ACCOUNT_ID}:function:echo"
    for name in ("echo", arn, f"{arn}:$LATEST"):
        out.append(_call(lam.invoke, FunctionName=name, Payload=json.dumps({"a": "b&c=d", "ü": 1}).encode()))
    out.append(_call(lam.invoke, FunctionName="echo", InvocationType="Event", Payload=b'{"async": true}'))
    out.append(_call(lam.invoke, FunctionName="echo", InvocationType="DryRun"))
    out.append(_call(lam.invoke, FunctionName="echo", Payload=b'{"fail": true}', LogType="Tail"))
    out.append(_call(lam.invoke, FunctionName="echo", Qualifier="$LATEST", Payload=b"{}"))
    out.append(_call(lam.invoke, FunctionName="nope", Payload=b"{}"))
    out.append(_call(lam.invoke, FunctionName=f"{arn}x", Payload=b"{}"))
    out.append(_call(lam.invoke, FunctionName="echo", InvocationType="Sometimes"))
    out.append(_call(lam.invoke, FunctionName="echo", Payload=b"not json"))
    out.append(_call(lam.get_function, FunctionName=arn))
    # SES v2: identities with characters a path must encode, raw and simple mail, refusals
    for identity in (SENDER, "a+b@example.com", "x y@example.com"):
        out.append(_call(ses.create_email_identity, EmailIdentity=identity))
    out.append(_call(ses.get_email_identity, EmailIdentity="a+b@example.com"))
    out.append(_call(ses.get_email_identity, EmailIdentity="x y@example.com"))
    out.append(_call(ses.get_email_identity, EmailIdentity="missing@example.com"))
    raw = f"From: {SENDER}\r\nTo: c+1@example.com\r\nSubject: Hallo Jürgen\r\n\r\nKörper".encode()
    out.append(
        _call(
            ses.send_email,
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": ["c+1@example.com"], "CcAddresses": ["d@example.com"]},
            Content={"Raw": {"Data": raw}},
        )
    )
    out.append(
        _call(
            ses.send_email,
            FromEmailAddress=SENDER,
            Destination={"ToAddresses": ["e@example.com"]},
            Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Text & more"}}}},
        )
    )
    out.append(
        _call(
            ses.send_email,
            FromEmailAddress="stranger@elsewhere.com",
            Destination={"ToAddresses": ["e@example.com"]},
            Content={"Raw": {"Data": raw}},
        )
    )
    out.append(_call(ses.send_email, FromEmailAddress=SENDER, Content={"Raw": {"Data": 5}}))  # botocore refuses it
    # EventBridge Scheduler: a group, schedules with awkward names, conflicts, reads, deletes
    out.append(_call(scheduler.create_schedule_group, Name="timers"))
    for name in ("order-SO-1-production", "a.b_c-9", "x" * 64):
        out.append(
            _call(
                scheduler.create_schedule,
                Name=name,
                GroupName="timers",
                ScheduleExpression="at(2026-12-01T10:00:00)",
                FlexibleTimeWindow={"Mode": "OFF"},
                Target={"Arn": arn, "RoleArn": role["Arn"], "Input": json.dumps({"name": name})},
                ActionAfterCompletion="DELETE",
            )
        )
    out.append(
        _call(
            scheduler.create_schedule,
            Name="order-SO-1-production",
            GroupName="timers",
            ScheduleExpression="at(2026-12-01T10:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": arn, "RoleArn": role["Arn"]},
        )
    )
    out.append(
        _call(
            scheduler.create_schedule,
            Name="x",
            GroupName="missing",
            ScheduleExpression="at(2026-12-01T10:00:00)",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={"Arn": arn, "RoleArn": role["Arn"]},
        )
    )
    out.append(_call(scheduler.create_schedule, Name="bad name!", GroupName="timers"))  # botocore refuses it
    out.append(_call(scheduler.get_schedule, Name="a.b_c-9", GroupName="timers"))
    out.append(_call(scheduler.list_schedules, GroupName="timers"))
    out.append(_call(scheduler.delete_schedule, Name="a.b_c-9", GroupName="timers"))
    out.append(_call(scheduler.delete_schedule, Name="a.b_c-9", GroupName="timers"))
    out.append(_call(scheduler.get_schedule, Name="a.b_c-9", GroupName="timers"))
    return out


def _stored() -> dict[str, Any]:
    """What the simulator reads back from moto: the mail SES sent and the schedules waiting."""
    ses = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    scheduler = scheduler_backends[DEFAULT_ACCOUNT_ID][REGION]
    return {
        "sent": [
            (m.id, m.source, getattr(m, "destinations", None), getattr(m, "raw_data", None), getattr(m, "body", None))
            for m in ses.sent_messages
        ],
        "schedules": {
            (group, name): (s.schedule_expression, s.state, s.target, s.action_after_completion)
            for group, g in scheduler.schedule_groups.items()
            for name, s in g.schedules.items()
        },
    }


def _run(fast: bool) -> tuple[list[Any], dict[str, Any], dict[str, Any], list[Any]]:
    mock_random.seed(7)  # the same request ids and message ids in both runs: they are compared too
    with (
        mock_aws(),
        moto_runtime.patched({"echo": _echo}, fast=fast) as runtime,
        metering.metered() as meter,
        metering.in_function("intake"),
    ):
        answers = _conversation()
        stored = _stored()
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):  # estimates from real time
        counted.pop(timed)
    return answers, stored, counted, [(e.function, e.error_type, e.message) for e in runtime.errors]


def test_given_every_rest_call_the_simulator_makes_when_answered_by_the_fast_path_then_all_is_as_in_plain_moto():
    built: list[str] = []
    original = rest_calls.light_request

    def spy(prepared: dict[str, Any], operation_model: Any) -> Any:
        light = original(prepared, operation_model)
        if light is not None:
            built.append(operation_model.name)
        return light

    rest_calls.light_request = spy  # type: ignore[assignment]
    try:
        fast = _run(fast=True)
    finally:
        rest_calls.light_request = original  # type: ignore[assignment]
    plain = _run(fast=False)

    for n, (got, expected) in enumerate(zip(fast[0], plain[0], strict=True)):
        assert got == expected, n
    assert fast[1:] == plain[1:]  # stored mail and schedules, counted calls, handler errors
    assert {"Invoke", "DeleteSchedule", "GetEmailIdentity"} <= set(built)  # (SendEmail, CreateSchedule: fast path 74)
    assert len(fast[1]["sent"]) == 2 and fast[1]["schedules"]  # the conversation did send and schedule
    assert {"ok", "error", "invalid"} <= {answer[0] for answer in plain[0]}


# -- fast path 27: the operation a REST request routes to, found once per route ------------------------------------
CONCURRENCY = "https://lambda.us-east-1.amazonaws.com/2019-09-30/functions/f/provisioned-concurrency"
ROUTED = [
    ("awslambda", "POST", f"{LAMBDA}/f/invocations", {}),
    ("awslambda", "POST", f"{LAMBDA}/f/invocations?Qualifier=1", {}),
    ("awslambda", "POST", f"{LAMBDA}/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2021-10-31/functions/f/url", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2021-10-31/functions/f/url?Qualifier=q", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f?Qualifier=2", {}),
    ("awslambda", "DELETE", f"{LAMBDA}/f/invocations", {}),  # no such route
    ("sesv2", "POST", "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails", {}),
    ("sesv2", "GET", "https://email.us-east-1.amazonaws.com/v2/email/identities/a%2Bb%40example.com", {}),
    ("sesv2", "GET", "https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses/x%40y.de", {}),
    ("scheduler", "POST", "https://scheduler.us-east-1.amazonaws.com/schedules/n-1", {}),
    ("scheduler", "DELETE", "https://scheduler.us-east-1.amazonaws.com/schedules/n-1?groupName=g", {}),
    # one path, the operation picked by the query arguments the rules require
    ("awslambda", "GET", f"{CONCURRENCY}?Qualifier=1", {}),
    ("awslambda", "GET", f"{CONCURRENCY}?List=ALL", {}),
    ("awslambda", "GET", f"{CONCURRENCY}?List=SOME", {}),
    ("awslambda", "GET", CONCURRENCY, {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2018-10-31/layers?find=LayerVersion&Arn=a", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2018-10-31/layers?find=LayerVersion", {}),
    ("awslambda", "GET", "https://lambda.us-east-1.amazonaws.com/2018-10-31/layers", {}),
    ("iot", "POST", "https://iot.us-east-1.amazonaws.com/target-policies/p", {"x-amzn-iot-principal": "me"}),
    ("iot", "POST", "https://iot.us-east-1.amazonaws.com/target-policies/p", {}),
]


def _route(service: str, method: str, url: str, headers: dict[str, str], route: Any) -> Any:
    from moto.core.responses import BaseResponse

    light = rest_calls.light_request(_prepared(url, method, b"", headers), _REST_JSON)
    assert light is not None
    response = BaseResponse(service_name=service)
    response.uri_match = {}
    try:
        operation = route(response, light.moto_request)
    except Exception as exc:  # moto's router refuses it (a redirect): the same either way
        return ("raised", type(exc).__name__)
    return operation, response.uri_match


def test_given_rest_requests_when_routed_twice_then_each_finds_the_operation_and_labels_moto_finds():
    rest_calls.clear()
    try:
        first = [_route(*request, rest_calls._route_once) for request in ROUTED]
        again = [_route(*request, rest_calls._route_once) for request in ROUTED]
        moto = [_route(*request, rest_calls._original_route) for request in ROUTED]
        assert rest_calls._routes  # routes were kept
    finally:
        rest_calls.clear()

    assert first == moto
    assert again == moto
    operations = [operation for operation, *_ in moto]
    assert {"Invoke", "SendEmail", "GetProvisionedConcurrencyConfig", "ListProvisionedConcurrencyConfigs"} <= set(
        operations
    )
    assert {"GetLayerVersionByArn", "ListLayers"} <= set(operations)  # query arguments the rules require decide
    assert None in operations or "raised" in operations  # and a request no rule accepts is not kept


# -- fast path 52: a new URL's handler, found among each service's URL patterns compiled once per run ------------
def _moto_s_search(clean_url: str) -> Any:
    """``BotocoreStubber.process_request``'s search for the handler of ``clean_url``, as moto makes it."""
    import re

    import moto.backends as backends
    from moto.backend_index import backend_url_patterns
    from moto.core.base_backend import BackendDict

    for service, pattern in backend_url_patterns:
        if pattern.match(clean_url):
            backend_dict: Any = backends.get_backend(service)  # type: ignore[call-overload]
            if isinstance(backend_dict, BackendDict):
                regions = backend_dict[DEFAULT_ACCOUNT_ID]
                backend = regions["us-east-1"] if "us-east-1" in regions else regions["aws"]
            else:
                backend = backend_dict["global"]
            for url, method in backend.urls.items():
                if re.compile(url).match(clean_url):
                    return method
    return None


@pytest.mark.parametrize(
    "clean_url",
    [
        "https://scheduler.us-east-1.amazonaws.com/schedules/order-SO-1-production",
        "https://scheduler.us-east-1.amazonaws.com/schedules/a.b_c-9",
        "https://scheduler.eu-west-1.amazonaws.com/schedule-groups/timers",
        "https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses/a%2Bb%40example.com",
        "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails",
        "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/outreach-timeline/invocations",
        "https://dynamodb.us-east-1.amazonaws.com/",
        "https://states.us-east-1.amazonaws.com/",
        "https://sns.us-east-1.amazonaws.com/",
        "https://sqs.us-east-1.amazonaws.com/123456789012/alerts",
        "https://nothing.example.com/at/all",
        "https://email.us-east-1.amazonaws.com/v2/email/no/such/route.amazonaws.com",
    ],
)
def test_given_a_url_seen_for_the_first_time_then_its_handler_is_the_one_moto_finds(clean_url):
    with mock_aws(), moto_runtime.patched({}, fast=True):
        assert moto_runtime._moto_handler.__wrapped__(clean_url) == _moto_s_search(clean_url)
