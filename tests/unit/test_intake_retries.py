"""Lambda retries intake's invocation when it fails (a minute, then two minutes later): an event that was recorded
before the failure must still have all its effects when the same event comes again, once each."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any

import pytest
from domain_builders import at
from fakes import FakeTimers, Shop
from outreach_lambda.adapters.conversations import ConversationsRepository
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.domain.events import CatalogRequested, CustomerMessageReceived

NOW = at("2026-11-02T09:00:00Z")
GRACE = {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"}
CATALOG = {"requestId": "CAT-1", "customer": GRACE}
MESSAGE = {"messageId": "M-1", "channel": "email", "text": "Where is my sofa?", "customer": GRACE}


class Flaky:
    """Raises the first time it is called (the invocation fails past the record), then does what it wraps."""

    def __init__(self, wrapped: Any) -> None:
        self.wrapped, self.calls = wrapped, 0

    def __call__(self, *args: Any) -> Any:
        self.calls += 1
        if self.calls == 1:
            raise RuntimeError("TooManyRequestsException")
        return self.wrapped(*args) if self.wrapped is not None else None


def test_given_intake_failing_after_recording_a_catalog_request_then_the_retry_hands_the_follow_up_over_once() -> None:
    shop = Shop()
    shop.intake = dataclasses.replace(shop.intake, timers=FakeTimers())
    shop.sender_invoker.then = Flaky(None)

    with pytest.raises(RuntimeError):
        shop.event("Catalog Requested", CATALOG, NOW, event_id="cat-1")
    retried = shop.event("Catalog Requested", CATALOG, NOW + timedelta(minutes=1), event_id="cat-1")
    again = shop.event("Catalog Requested", CATALOG, NOW + timedelta(minutes=3), event_id="cat-1")  # a redelivery
    other = shop.event("Catalog Requested", CATALOG, NOW + timedelta(hours=1), event_id="cat-2")

    assert retried["outcome"] == again["outcome"] == "accepted"
    assert other["outcome"] == "duplicate"  # another event with the same requestId is a duplicate request
    assert shop.sender_invoker.then.calls == 3  # handed over again each time; the ledger sends it once
    # the design-advice offer's timer is named by the time the request was first received: armed once
    assert len(shop.intake.timers.events) == 1


def test_given_intake_failing_after_recording_a_message_then_the_retry_tells_ops_acknowledges_and_starts_the_sla(
    orders_table: str,
) -> None:
    shop = Shop()
    conversations = ConversationsRepository(orders_table)
    shop.intake = dataclasses.replace(shop.intake, conversations=conversations, timers=FakeTimers())
    publish = Flaky(shop.ops.publish)
    shop.ops.publish = publish  # type: ignore[method-assign]

    with pytest.raises(RuntimeError):
        shop.event("Customer Message Received", MESSAGE, NOW, event_id="m-1")
    retried = shop.event("Customer Message Received", MESSAGE, NOW + timedelta(minutes=1), event_id="m-1")
    other = shop.event("Customer Message Received", MESSAGE, NOW + timedelta(minutes=2), event_id="m-2")

    assert retried["outcome"] == "accepted" and other["outcome"] == "duplicate"
    [told] = shop.ops.published
    assert told["kind"] == "customer_message"
    assert [p["messageId"] for p in shop.sender_invoker.payloads] == ["M-1"]  # the acknowledgement
    [(_, due, _)] = shop.intake.timers.events.values()
    assert due.isoformat() == told["details"]["answerBy"]  # the SLA from the first receipt, not the retry


def test_given_the_same_event_again_then_the_stored_records_keep_their_first_times(orders_table: str) -> None:
    orders, conversations = OrdersRepository(orders_table), ConversationsRepository(orders_table)
    request = CatalogRequested.model_validate(CATALOG)
    message = CustomerMessageReceived.model_validate(MESSAGE)
    later = NOW + timedelta(minutes=1)

    assert orders.put_catalog_request(request, "cat-1", NOW) == NOW
    assert orders.put_catalog_request(request, "cat-1", later) == NOW
    assert orders.put_catalog_request(request, "cat-2", later) is None
    assert orders.get_catalog_request("CAT-1") == request

    answer_by = NOW + timedelta(hours=1)
    assert conversations.open(message, {"to": "grace@example.com"}, answer_by, NOW, "m-1") == answer_by
    assert (
        conversations.open(message, {"to": "grace@example.com"}, later + timedelta(hours=1), later, "m-1") == answer_by
    )
    assert conversations.open(message, {"to": "grace@example.com"}, later, later, "m-2") is None
    stored = conversations.get("M-1")
    assert stored is not None and stored["status"] == "open" and stored["receivedAt"] == NOW.isoformat()
