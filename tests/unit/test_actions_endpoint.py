"""The customer action endpoint, through its real handler and adapters (on moto): what a customer clicking a
link sees, and what reaches the bus. A GET never acts; a link acts once; a bad link gets one friendly page."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
import time_machine
from moto import mock_aws
from outreach_lambda import cold_start
from outreach_lambda.domain.links import Action, LinkKeys, claims_for, sign
from outreach_lambda.handlers import actions

from tests.dynamo import create_keyed_table

NOW = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
SECRET = {"current": "k1", "k1": "test-link-key-0123456789abcdef0123456789abcdef"}
KEYS = LinkKeys.from_secret(json.dumps(SECRET))
REGION = "eu-central-1"


class Context:
    function_name = "outreach-actions"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-central-1:123456789012:function:outreach-actions"
    aws_request_id = "test-request"


class Endpoint:
    def __init__(self, tap_url: str) -> None:
        self._sqs = boto3.client("sqs", region_name=REGION)
        self._tap = tap_url

    def request(
        self, method: str, token: str, form: dict[str, str] | None = None, language: str | None = None, b64=False
    ) -> dict[str, Any]:
        body = urlencode(form or {}) if method == "POST" else None
        if body is not None and b64:
            body = base64.b64encode(body.encode()).decode()
        headers = {"Accept-Language": language} if language else {}
        event = {
            "version": "2.0",
            "routeKey": f"{method} /a/{{token}}",
            "headers": headers,
            "pathParameters": {"token": token},
            "requestContext": {"http": {"method": method}},
            "body": body,
            "isBase64Encoded": b64,
        }
        return actions.handler(event, Context())

    def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(source, detail-type, detail) of every event the endpoint put on the bus so far."""
        out = []
        while messages := self._sqs.receive_message(QueueUrl=self._tap, MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                event = json.loads(message["Body"])
                out.append((event["source"], event["detail-type"], event["detail"]))
                self._sqs.delete_message(QueueUrl=self._tap, ReceiptHandle=message["ReceiptHandle"])
        return out


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[Endpoint]:
    for key, value in {
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_NAMESPACE": "Outreach",
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws(), time_machine.travel(NOW, tick=False):
        create_keyed_table("orders", REGION)
        sqs = boto3.client("sqs", region_name=REGION)
        tap = sqs.create_queue(QueueName="tap")["QueueUrl"]
        tap_arn = sqs.get_queue_attributes(QueueUrl=tap, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        events = boto3.client("events", region_name=REGION)
        events.create_event_bus(Name="orders")
        events.put_rule(Name="all", EventBusName="orders", EventPattern=json.dumps({"source": [{"prefix": ""}]}))
        events.put_targets(Rule="all", EventBusName="orders", Targets=[{"Id": "tap", "Arn": tap_arn}])
        secret = boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name="links", SecretString=json.dumps(SECRET)
        )["ARN"]
        monkeypatch.setenv("ORDERS_TABLE", "orders")
        monkeypatch.setenv("EVENT_BUS_NAME", "orders")
        monkeypatch.setenv("LINK_KEY_SECRET_ARN", secret)
        cold_start.reset()
        yield Endpoint(tap)
        cold_start.reset()


def link(action: Action, ref: str = "SO-1", **kw: Any) -> str:
    return sign(claims_for(action, ref, NOW, timedelta(days=60), **kw), KEYS)


def test_given_a_mail_scanner_fetching_the_link_then_it_sees_a_confirm_page_and_nothing_happens(endpoint) -> None:
    token = link(Action.CONFIRM_ADDRESS, lang="en-GB")

    for method in ("GET", "HEAD", "GET"):
        page = endpoint.request(method, token)
        assert page["statusCode"] == 200

    assert endpoint.events() == []
    shown = endpoint.request("GET", token)
    assert '<html lang="en-GB">' in shown["body"] and '<form method="post"' in shown["body"]
    assert shown["headers"]["referrer-policy"] == "no-referrer" and shown["headers"]["cache-control"] == "no-store"


def test_given_a_click_when_posted_twice_then_the_event_goes_on_the_bus_once(endpoint) -> None:
    token = link(Action.RATE, argument=5)

    first = endpoint.request("POST", token, {"comment": "Lovely"})
    second = endpoint.request("POST", token, {"comment": "Lovely"})

    assert (first["statusCode"], second["statusCode"]) == (200, 200)
    assert "Thank you for your rating" in first["body"]
    assert "already used" in second["body"]
    assert endpoint.events() == [
        ("outreach.actions", "Feedback Received", {"orderId": "SO-1", "rating": 5, "comment": "Lovely"})
    ]


def test_given_each_action_then_its_click_becomes_its_order_event(endpoint) -> None:
    address = {"line1": "1 New Road", "postalCode": "10115", "city": "Berlin", "country": "DE", "line2": ""}
    endpoint.request("POST", link(Action.CONFIRM_ADDRESS))
    endpoint.request("POST", link(Action.CHANGE_ADDRESS), address, b64=True)
    endpoint.request("POST", link(Action.CALLBACK), {"note": "after 6pm"})
    endpoint.request("POST", link(Action.UNSUBSCRIBE, "CR-7", scope="catalog"))

    assert endpoint.events() == [
        ("outreach.actions", "Address Confirmed", {"orderId": "SO-1"}),
        (
            "outreach.actions",
            "Address Change Requested",
            {
                "orderId": "SO-1",
                "newAddress": {"line1": "1 New Road", "city": "Berlin", "postalCode": "10115", "country": "DE"},
            },
        ),
        ("outreach.actions", "Callback Requested", {"orderId": "SO-1", "note": "after 6pm"}),
        ("outreach.actions", "Unsubscribed", {"requestId": "CR-7"}),
    ]


def test_given_a_new_address_missing_its_city_then_the_form_comes_back_naming_it_and_nothing_is_used(endpoint) -> None:
    token = link(Action.CHANGE_ADDRESS, lang="de-DE")
    form = {"line1": "<script>alert(1)</script>", "postalCode": "10115", "city": " ", "country": "DE"}

    page = endpoint.request("POST", token, form)

    assert page["statusCode"] == 400
    assert "Ort: bitte ausfüllen" in page["body"] and 'aria-invalid="true"' in page["body"]
    assert "<script>" not in page["body"] and "&lt;script&gt;" in page["body"]
    assert endpoint.events() == []
    fixed = endpoint.request("POST", token, {**form, "line1": "Neue Str. 1", "city": "Berlin"})
    assert fixed["statusCode"] == 200 and len(endpoint.events()) == 1


@pytest.mark.parametrize(
    "token",
    [
        link(Action.RATE, argument=1)[:-3] + "abc",  # signature changed
        link(Action.RATE, argument=1).replace("v1.", "v2.", 1),  # another version
        link(Action.RATE, "SO-DOES-NOT-EXIST", argument=1)[:-1] + "Q",
        "v1.k9.e30.AAAA",  # unknown key
        "",
        "x" * 5000,
    ],
)
def test_given_a_tampered_or_unknown_link_then_one_friendly_page_and_nothing_else(endpoint, token) -> None:
    for method in ("GET", "POST"):
        page = endpoint.request(method, token, {"comment": "hi"}, language="de-AT, en;q=0.5")
        assert page["statusCode"] == 404
        assert "Dieser Link funktioniert nicht" in page["body"] and '<html lang="de-DE">' in page["body"]
    assert endpoint.events() == []


def test_given_an_expired_link_then_the_same_friendly_page_as_a_tampered_one(endpoint) -> None:
    token = link(Action.CALLBACK)
    tampered = endpoint.request("GET", token[:-2] + "xx")

    with time_machine.travel(NOW + timedelta(days=62), tick=False):
        expired = endpoint.request("POST", token)

    assert expired["statusCode"] == tampered["statusCode"] == 404
    assert expired["body"] == tampered["body"]
    assert endpoint.events() == []


def test_given_another_method_then_it_is_refused_without_acting(endpoint) -> None:
    page = endpoint.request("DELETE", link(Action.CONFIRM_ADDRESS))

    assert page["statusCode"] == 405 and page["headers"]["allow"] == "GET, HEAD, POST"
    assert endpoint.events() == []


def test_given_a_flood_of_form_fields_then_the_form_counts_as_empty_and_nothing_crashes(endpoint) -> None:
    token = link(Action.CHANGE_ADDRESS)
    form = {f"f{i}": "x" for i in range(50)}

    page = endpoint.request("POST", token, form)

    assert page["statusCode"] == 400 and endpoint.events() == []


def test_given_a_link_replayed_days_later_then_it_does_not_act_again(endpoint) -> None:
    token = link(Action.CALLBACK)
    endpoint.request("POST", token)

    with time_machine.travel(NOW + timedelta(days=20), tick=False):
        replay = endpoint.request("POST", token)

    assert "already used" in replay["body"]
    assert [t for _, t, _ in endpoint.events()] == ["Callback Requested"]


def test_given_an_invocation_that_died_after_claiming_then_the_customers_next_click_still_acts(endpoint) -> None:
    """A timeout or crash between the claim and the bus leaves the link 'claimed' with no event sent: a click a
    few seconds later is still 'already' (the first may yet finish), one after the stale bound acts."""
    from outreach_lambda.adapters.actions import STALE_CLAIM, LinkUses
    from outreach_lambda.domain.links import link_id

    token = link(Action.CONFIRM_ADDRESS)
    assert LinkUses("orders").claim(link_id(token), "confirm_address", NOW)  # ... and then the function died

    soon = endpoint.request("POST", token)
    with time_machine.travel(NOW + STALE_CLAIM + timedelta(seconds=1), tick=False):
        later = endpoint.request("POST", token)
        again = endpoint.request("POST", token)

    assert "already used" in soon["body"]
    assert later["statusCode"] == 200 and "already used" not in later["body"]
    assert "already used" in again["body"]  # done now: never acts twice
    assert [t for _, t, _ in endpoint.events()] == ["Address Confirmed"]
