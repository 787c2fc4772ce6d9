"""Suppression and opt-out: every send honours the SES account suppression list and the shop's own opt-out
list; an opted-out customer still gets what they cannot do without; every skip is in the ledger, never retried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from botocore.exceptions import ClientError
from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import ContactOrder
from outreach_lambda.domain.opt_outs import InvalidAddress, normalise

NOW = at("2026-11-02T09:00:00Z")
SMS = {"channels": ["email", "sms"], "phone": "+4915112345678"}


def order(shop: Shop, **detail: object) -> Shop:
    shop.event("Order Placed", placed_detail(**detail), NOW)  # type: ignore[arg-type]
    return shop


def update(channel: str = "email") -> ContactOrder:
    return ContactOrder(
        key=f"production_update#{channel}", kind="production_update", channel=channel, due_at=NOW + timedelta(days=8)
    )


def entry(shop: Shop, key: str) -> dict:
    return shop.ledger.entries[("ORDER#SO-1", key)]


def test_given_an_opted_out_customer_then_the_confirmation_goes_but_the_production_update_is_skipped() -> None:
    shop = order(Shop())
    shop.opt_outs.add("ADA@example.com ", "unsubscribed", NOW)

    shop.start("SO-1", NOW)
    skipped = shop.sender.send("SO-1", update(), NOW + timedelta(days=8))

    assert [m.subject for m in shop.customer.sent] == ["Thank you for your order SO-1"]
    assert (skipped.status, skipped.reason) == ("skipped", "opted_out")
    assert entry(shop, "production_update#email")["status"] == "SKIPPED"
    assert entry(shop, "production_update#email")["reason"] == "opted_out"
    assert shop.ops.published == []


def test_given_a_skipped_contact_when_it_is_asked_for_again_then_it_is_never_sent() -> None:
    shop = order(Shop())
    shop.start("SO-1", NOW)
    shop.opt_outs.add("ada@example.com", "unsubscribed", NOW)
    shop.sender.send("SO-1", update(), NOW)
    assert shop.opt_outs.remove("ada@example.com")

    again = shop.sender.send("SO-1", update(), NOW + timedelta(hours=1))

    assert again.status == "duplicate"
    assert [m.subject for m in shop.customer.sent] == ["Thank you for your order SO-1"]


def test_given_a_phone_number_opted_out_then_only_the_sms_is_skipped() -> None:
    shop = order(Shop(), **SMS)
    shop.start("SO-1", NOW)
    shop.opt_outs.add("+49 151 1234 5678", "replied STOP", NOW)

    shop.sender.send("SO-1", update("email"), NOW)
    sms = shop.sender.send("SO-1", update("sms"), NOW)

    assert [m.channel for m in shop.customer.sent] == ["email", "sms", "email"]  # the confirmation went on both
    assert (sms.status, sms.reason) == ("skipped", "opted_out")


def test_given_an_address_on_the_ses_suppression_list_then_no_email_goes_to_it_not_even_the_confirmation() -> None:
    shop = order(Shop(), **SMS)
    shop.suppression.addresses.add("ada@example.com")

    shop.start("SO-1", NOW + timedelta(hours=1))  # 10:00 local time: the SMS may go too

    assert [m.channel for m in shop.customer.sent] == ["sms"]
    assert entry(shop, "order_confirmation#email")["status"] == "SKIPPED"
    assert entry(shop, "order_confirmation#email")["reason"] == "suppressed"
    assert shop.ops.published == []


def test_given_the_suppression_list_unreadable_then_the_email_goes_and_ses_still_guards_the_address() -> None:
    shop = order(Shop())
    shop.suppression.fail_with = ClientError({"Error": {"Code": "TooManyRequestsException", "Message": "slow"}}, "Get")

    shop.start("SO-1", NOW)

    assert [m.channel for m in shop.customer.sent] == ["email"]


def test_given_a_configuration_that_spares_opted_out_customers_everything_then_even_the_confirmation_is_skipped() -> (
    None
):
    shop = order(Shop(OutreachConfig.model_validate({"optedOutStillGet": []})))
    shop.opt_outs.add("ada@example.com", "unsubscribed", NOW)

    shop.start("SO-1", NOW)

    assert shop.customer.sent == []
    assert entry(shop, "order_confirmation#email")["reason"] == "opted_out"


def test_given_an_opted_out_customer_when_the_order_is_cancelled_then_the_cancellation_is_still_confirmed() -> None:
    shop = order(Shop())
    shop.start("SO-1", NOW)
    shop.opt_outs.add("ada@example.com", "unsubscribed", NOW)
    shop.event("Order Cancelled", {"orderId": "SO-1"}, NOW + timedelta(days=1))
    shop.timeline.step("SO-1", NOW + timedelta(days=1))

    assert [m.subject for m in shop.customer.sent][-1].startswith("Your order SO-1 is cancelled")


@pytest.mark.parametrize(
    ("address", "key"),
    [(" Ada@Example.COM ", "ada@example.com"), ("+49 (151) 1234-5678", "+4915112345678")],
)
def test_given_an_address_then_it_is_keyed_by_its_normalised_form(address: str, key: str) -> None:
    assert normalise(address) == key


@pytest.mark.parametrize("address", ["", "ada", "ada@", "0151 1234", "a@b@c.de", "x" * 300 + "@example.com"])
def test_given_text_that_is_no_address_then_the_error_names_the_field(address: str) -> None:
    with pytest.raises(InvalidAddress, match=r"^address: "):
        normalise(address)


def test_given_an_opted_out_catalog_requester_then_the_design_advice_offer_is_skipped_and_never_sent() -> None:
    from outreach_lambda.domain.events import parse_detail

    shop = Shop()
    request = parse_detail(
        "Catalog Requested", {"requestId": "CR-7", "customer": {"name": "Ada Lovelace", "email": "ada@example.com"}}
    )
    shop.orders.put_catalog_request(request, "e-1", NOW)  # type: ignore[arg-type]
    shop.opt_outs.add("ada@example.com", "unsubscribed by one-click link", NOW)

    offer = shop.sender.send_catalog_follow_up("CR-7", NOW + timedelta(days=8), kind="design_advice_offer")

    assert (offer.status, offer.reason) == ("skipped", "opted_out")
    assert shop.customer.sent == []


def test_given_a_config_that_lets_opted_out_customers_get_the_design_advice_offer_then_it_is_refused() -> None:
    with pytest.raises(ValueError, match="design_advice_offer: an offer never goes to a customer who opted out"):
        OutreachConfig.model_validate({"optedOutStillGet": ["order_confirmation", "design_advice_offer"]})


def test_given_the_opt_out_list_unreadable_then_the_contact_is_retried_and_sent_once_later() -> None:
    shop = order(Shop())
    shop.start("SO-1", NOW)
    throttled = {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}
    shop.opt_outs.fail_with = ClientError(throttled, "GetItem")  # type: ignore[arg-type]

    first = shop.sender.send("SO-1", update(), NOW + timedelta(days=8))

    assert first.status == "retry" and first.retry_at is not None
    assert entry(shop, "production_update#email")["status"] == "RETRY"  # never left SENDING: nothing went out
    shop.opt_outs.fail_with = None
    again = shop.sender.send("SO-1", update(), first.retry_at)
    assert again.status == "sent"
    assert [m.subject for m in shop.customer.sent][-1].startswith("Your order SO-1")
    assert len(shop.customer.sent) == 2  # the confirmation, then the update once


def test_given_the_order_cancelled_after_intake_then_a_late_message_acknowledgement_is_not_sent() -> None:
    """Intake checks the order once when it hands the acknowledgement on; a late or retried invocation, or a
    redrive, must see the cancellation too."""
    from dataclasses import replace

    from outreach_lambda.domain.events import parse_detail

    shop = order(Shop())
    shop.start("SO-1", NOW)
    shop.event("Order Cancelled", {"orderId": "SO-1", "reason": "changed my mind"}, NOW + timedelta(hours=1))
    shop.timeline.step("SO-1", NOW + timedelta(hours=1))
    message = parse_detail("Customer Message Received", {"messageId": "M-1", "orderId": "SO-1", "text": "Hello"})

    class OneMessage:
        def get(self, message_id: str) -> dict:
            return {"message": message, "to": "ada@example.com", "answerBy": (NOW + timedelta(hours=3)).isoformat()}

    sender = replace(shop.sender, conversations=OneMessage())  # type: ignore[arg-type]
    sent_before = len(shop.customer.sent)

    result = sender.send_message_acknowledgement("M-1", NOW + timedelta(hours=2))

    assert (result.status, result.reason) == ("suppressed", "order is cancelled")
    assert len(shop.customer.sent) == sent_before
