"""A fault may delay a contact, never lose it and never send it twice: the sender over fakes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.domain.contacts import RETRY_ATTEMPTS
from outreach_lambda.domain.model import ContactOrder

NOW = at("2026-11-02T09:00:00Z")
THROTTLED = ClientError(
    {"Error": {"Code": "TooManyRequestsException", "Message": "Maximum sending rate exceeded."}}, "SendEmail"
)
PAUSED = ClientError({"Error": {"Code": "SendingPausedException", "Message": "sending is paused"}}, "SendEmail")


@pytest.fixture
def shop() -> Shop:
    """SO-1 placed; its first step (which sends the confirmation) is each test's to run."""
    shop = Shop()
    shop.event("Order Placed", placed_detail(), NOW)
    return shop


def confirmation(key: str = "order_confirmation#email") -> ContactOrder:
    return ContactOrder(key=key, kind="order_confirmation", channel="email", due_at=NOW)


def entry(shop: Shop, key: str = "order_confirmation#email") -> dict:
    return shop.ledger.entries[("ORDER#SO-1", key)]


def test_given_ses_throttles_once_then_the_contact_goes_on_the_retry_once(shop: Shop) -> None:
    shop.customer.fail_with, shop.customer.failures = THROTTLED, 1

    first = shop.start("SO-1", NOW)

    assert first.wake_at is not None and NOW + timedelta(seconds=30) <= first.wake_at <= NOW + timedelta(minutes=1)
    assert entry(shop)["status"] == "RETRY"
    assert shop.customer.sent == []

    second = shop.sender.send("SO-1", confirmation(), first.wake_at)

    assert second.status == "sent"
    assert len(shop.customer.sent) == 1
    assert entry(shop)["attempts"] == 2
    assert shop.ops.published == []


def test_given_ses_throttles_for_hours_then_the_contact_is_parked_for_ops_not_lost(shop: Shop) -> None:
    shop.customer.fail_with = THROTTLED
    shop.start("SO-1", NOW)
    when, statuses = NOW, ["retry"]
    for _ in range(RETRY_ATTEMPTS - 1):
        when = datetime.fromisoformat(entry(shop)["retryAt"])
        statuses.append(shop.sender.send("SO-1", confirmation(), when).status)

    assert statuses == ["retry"] * (RETRY_ATTEMPTS - 1) + ["parked"]
    assert entry(shop)["status"] == "PARKED"
    assert shop.ops.kinds() == ["contact_parked"]
    assert when - NOW < timedelta(hours=4)


def test_given_sending_paused_then_every_contact_is_parked_and_ops_hear_once(shop: Shop) -> None:
    shop.customer.fail_with = PAUSED

    shop.start("SO-1", NOW)
    second = shop.sender.send("SO-1", confirmation("order_confirmation#email-2"), NOW)

    assert (entry(shop)["status"], second.status) == ("PARKED", "parked")
    assert shop.ops.kinds() == ["contact_parked"]
    assert shop.ops.published[0]["details"]["cause"] == "SendingPausedException"
    assert shop.sender.send("SO-1", confirmation(), NOW).status == "duplicate"  # parked waits for a redrive


def test_given_no_answer_after_the_request_left_then_it_is_never_sent_again_blindly(shop: Shop) -> None:
    shop.customer.fail_with = ReadTimeoutError(endpoint_url="https://email.example")

    shop.start("SO-1", NOW)
    assert entry(shop)["status"] == "UNCONFIRMED"
    shop.customer.fail_with = None
    assert shop.sender.send("SO-1", confirmation(), NOW).status == "duplicate"

    assert shop.customer.sent == []
    assert entry(shop)["status"] == "UNCONFIRMED"
    assert shop.ops.kinds() == ["contact_unconfirmed"]


def test_given_a_delivered_order_when_a_late_shipping_notice_is_asked_for_then_it_is_not_sent(shop: Shop) -> None:
    shop.start("SO-1", NOW)
    shop.event("Order Delivered", {"orderId": "SO-1"}, NOW + timedelta(days=20))
    shop.timeline.step("SO-1", NOW + timedelta(days=20))
    late = ContactOrder(key="shipped#email", kind="shipped", channel="email", due_at=NOW)

    result = shop.sender.send("SO-1", late, NOW + timedelta(days=20))

    assert (result.status, result.reason) == ("suppressed", "order is delivered")
    assert [m.subject for m in shop.customer.sent] == ["Thank you for your order SO-1"]
