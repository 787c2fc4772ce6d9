"""Contact planning: the contact and trigger keys (persisted in the order state and the sender's records).

The key strings are a storage contract: an order saved before a deploy must find its issued contacts after it.
"""

from __future__ import annotations

import pytest
from domain_builders import OrderRun, at
from outreach_lambda.domain.contacts import contact_key, trigger_key

SMS = {"channels": ["email", "sms"], "phone": "+4915112345678"}


@pytest.mark.parametrize(
    ("kind", "channel", "key"),
    [
        ("order_confirmation", "email", "order_confirmation#email"),
        ("order_confirmation", "sms", "order_confirmation#sms"),
        ("production_update", "email", "production_update#email"),
        ("shipped", "sms", "shipped#sms"),
        ("satisfaction_check", "email", "satisfaction_check#email"),
        ("cancellation_confirmation", "sms", "cancellation_confirmation#sms"),
        ("feedback_acknowledgement", "email", "feedback_acknowledgement#email"),
        ("catalog_follow_up", "email", "catalog_follow_up#email"),
    ],
)
def test_given_kind_and_channel_when_keyed_then_key_is_kind_hash_channel(kind, channel, key) -> None:
    assert contact_key(kind, channel) == key


def test_given_nth_delay_notice_when_keyed_then_its_number_sits_between_kind_and_channel() -> None:
    assert contact_key("delay_notice", "email", 1) == "delay_notice#1#email"
    assert contact_key("delay_notice", "sms", 2) == "delay_notice#2#sms"


def test_given_event_driven_contact_when_trigger_keyed_then_kind_alone_or_kind_hash_number() -> None:
    assert trigger_key("shipped") == "shipped"
    assert trigger_key("order_confirmation") == "order_confirmation"
    assert trigger_key("delay_notice", 1) == "delay_notice#1"
    assert trigger_key("delay_notice", 12) == "delay_notice#12"


def test_given_sms_order_with_a_broken_promise_when_contacts_issued_then_persisted_keys_are_exactly_these(
    order: OrderRun,
) -> None:
    order.place(**SMS)
    broken = {"orderId": "SO-1", "estimatedCompletion": "2026-11-26T09:00:00Z"}
    order.feed("Production Delayed", broken, at("2026-11-12T10:00:00Z"))

    assert order.state is not None
    assert order.state.issued == [
        "order_confirmation#email",
        "order_confirmation#sms",
        "delay_notice#1#email",
        "delay_notice#1#sms",
    ]
    assert sorted(order.state.triggers) == ["delay_notice#1", "order_confirmation"]
    assert '"issued":["order_confirmation#email","order_confirmation#sms",' in order.state.to_json()
