"""Customers answer back (issue 13), on the pure domain: address confirmation and changes, small complaints
turned into free fixes, acknowledgements by rating, business hours, and the links in messages."""

from __future__ import annotations

from datetime import timedelta

from domain_builders import OrderRun, at, placed_detail, shipped
from outreach_lambda.domain.business_hours import add_business_minutes
from outreach_lambda.domain.config import BusinessHours, OutreachConfig
from outreach_lambda.domain.events import parse_detail
from outreach_lambda.domain.links import ActionLinks, LinkKeys, action_links
from outreach_lambda.domain.model import ContactOrder
from outreach_lambda.domain.rendering import render

NEW_ADDRESS = {"line1": "1 New Road", "city": "Potsdam", "postalCode": "14467", "country": "DE"}
KEYS = LinkKeys(current="k1", keys={"k1": b"k" * 32})


def contact(kind: str) -> ContactOrder:
    return ContactOrder(key=f"{kind}#email", kind=kind, channel="email", due_at=at("2026-11-20T09:00:00Z"))


def test_given_an_address_change_before_shipping_then_ops_get_old_and_new_and_the_shipped_message_uses_it(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Address Change Requested", {"orderId": "SO-1", "newAddress": NEW_ADDRESS}, at("2026-11-10T10:00:00Z"))

    [alert] = [a for a in order.alerts if a.kind.startswith("address")]
    assert alert.kind == "address_changed"
    assert alert.details["oldAddress"]["line1"] == "Hauptstrasse 1"
    assert alert.details["newAddress"]["city"] == "Potsdam"
    assert alert.details["urgent"] is False
    order.feed("Order Shipped", shipped(), at("2026-11-18T10:00:00Z"))
    assert order.state is not None
    text = render(order.state, contact("shipped"), order.config).text
    assert "It goes to the address you confirmed: 1 New Road, 14467 Potsdam, DE" in text


def test_given_an_address_change_after_shipping_then_ops_get_an_urgent_alert_with_the_shipment(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Order Shipped", shipped(), at("2026-11-18T10:00:00Z"))
    order.feed("Address Change Requested", {"orderId": "SO-1", "newAddress": NEW_ADDRESS}, at("2026-11-18T12:00:00Z"))

    [alert] = [a for a in order.alerts if a.kind.startswith("address")]
    assert alert.kind == "address_changed"
    assert alert.details["urgent"] is True and alert.details["trackingNumber"] == "JJD0099887766"


def test_given_the_address_confirmed_then_the_shipped_message_states_the_confirmed_address(order: OrderRun) -> None:
    order.place()
    order.feed("Address Confirmed", {"orderId": "SO-1"}, at("2026-11-13T10:00:00Z"))
    order.feed("Order Shipped", shipped(), at("2026-11-18T10:00:00Z"))

    assert not [a for a in order.alerts if a.kind.startswith("address")]
    assert order.state is not None
    text = render(order.state, contact("shipped"), order.config).text
    assert "It goes to the address you confirmed: Hauptstrasse 1, 10115 Berlin, DE" in text


def test_given_a_comment_matching_the_remedy_table_then_even_a_4_raises_negative_feedback_with_the_fix(
    order: OrderRun,
) -> None:
    order.place()
    order.feed(
        "Feedback Received", {"orderId": "SO-1", "rating": 4, "comment": "Cushion TOO FIRM"}, at("2026-12-01T10:00:00Z")
    )

    [alert] = [a for a in order.alerts if a.kind == "negative_feedback"]
    assert alert.details["suggestedFix"] == "free softer cushion inserts, sent at once"
    assert alert.details["context"]["items"] == ["1 x Three-seat sofa, green velvet (SOFA-3S-VELVET)"]
    assert alert.details["context"]["promiseLedger"][0]["reason"] == "order placed"
    assert "ada@example.com" not in str(alert.details)


def test_given_a_shops_own_remedy_table_then_its_fix_is_suggested() -> None:
    config = OutreachConfig.model_validate({"remedies": [{"pattern": "wobbl", "remedy": "a free technician visit"}]})
    run = OrderRun(config)
    run.place()
    run.feed("Feedback Received", {"orderId": "SO-1", "rating": 5, "comment": "It wobbles"}, at("2026-12-01T10:00:00Z"))

    assert [(a.kind, a.details["suggestedFix"]) for a in run.alerts if "suggestedFix" in a.details] == [
        ("negative_feedback", "a free technician visit")
    ]


def test_given_a_5_and_a_2_then_the_acknowledgements_differ(config: OutreachConfig) -> None:
    texts = {}
    for rating in (5, 2):
        run = OrderRun(config)
        run.place()
        run.feed("Feedback Received", {"orderId": "SO-1", "rating": rating}, at("2026-12-01T10:00:00Z"))
        assert run.state is not None
        texts[rating] = render(run.state, contact("feedback_acknowledgement"), config)

    assert "delighted" in texts[5].subject and "told them about us" in texts[5].text
    assert "put it right" in texts[2].subject and "within one business day" in texts[2].text
    # No comment, so no remedy of the table: the apology and the call, no fix named (the general offer is ops').
    assert "free fix" not in texts[2].text


def test_given_links_then_the_production_update_and_satisfaction_check_carry_them(order: OrderRun) -> None:
    order.place()
    assert order.state is not None
    maker = ActionLinks(base_url="https://actions.example", keys=KEYS, validity=timedelta(days=60))
    now = at("2026-11-13T09:00:00Z")

    update = render(
        order.state, contact("production_update"), order.config, action_links("production_update", "SO-1", now, maker)
    )
    check = render(
        order.state, contact("satisfaction_check"), order.config, action_links("satisfaction_check", "SO-1", now, maker)
    )

    assert "The address is right: https://actions.example/a/v1.k1." in update.text
    assert "The address has changed: https://actions.example/a/v1.k1." in update.text
    assert update.html.count('href="https://actions.example/a/v1.k1.') == 2  # two buttons
    # Five ratings and "please call me" in the text, each a link in the HTML, and the signed unsubscribe link
    # (also the one-click List-Unsubscribe of the e-mail's header).
    assert check.text.count("https://actions.example/a/") == 7
    assert "5 of 5 (delighted): https://actions.example/a/v1.k1." in check.text
    assert check.html.count('href="https://actions.example/a/v1.k1.') == 7
    assert check.list_unsubscribe[0].startswith("https://actions.example/a/v1.k1.") and check.one_click


def test_given_business_hours_then_the_reply_is_due_within_open_hours_only() -> None:
    hours = BusinessHours.model_validate({"start": "09:00", "end": "17:00", "timezone": "Europe/Berlin"})

    # Friday 16:30 Berlin: 30 minutes on Friday, 30 on Monday.
    assert add_business_minutes(at("2026-11-20T15:30:00Z"), 60, hours) == at("2026-11-23T08:30:00Z")
    # Saturday: Monday 10:00 Berlin.
    assert add_business_minutes(at("2026-11-21T12:00:00Z"), 60, hours) == at("2026-11-23T09:00:00Z")
    # Tuesday 10:00 Berlin: 11:00 the same day.
    assert add_business_minutes(at("2026-11-24T09:00:00Z"), 60, hours) == at("2026-11-24T10:00:00Z")


def test_given_a_customer_message_without_order_or_customer_then_it_names_what_is_missing() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="one of orderId, requestId or customer"):
        parse_detail("Customer Message Received", {"messageId": "M-1", "text": "Hello"})
    with pytest.raises(ValidationError, match="exactly one of orderId or requestId"):
        parse_detail("Unsubscribed", {"orderId": "SO-1", "requestId": "CR-1"})


def test_given_a_german_customer_who_finds_it_too_firm_then_the_free_fix_is_offered_in_german(
    config: OutreachConfig,
) -> None:
    run = OrderRun(config)
    run.feed(
        "Order Placed",
        {**placed_detail(), "customer": {"name": "Greta Schneider", "email": "greta@example.com", "locale": "de-DE"}},
        at("2026-11-02T09:00:00Z"),
    )
    run.feed(
        "Feedback Received",
        {"orderId": "SO-1", "rating": 3, "comment": "Das Kissen ist zu fest"},
        at("2026-12-01T10:00:00Z"),
    )
    assert run.state is not None

    ack = render(run.state, contact("feedback_acknowledgement"), config)

    assert "kostenlose weichere Polstereinlagen" in ack.text and "cushion" not in ack.text
    assert "innerhalb eines Werktags" in ack.text
    # Ops read the fix in the shop's language.
    assert [a.details["suggestedFix"] for a in run.alerts if "suggestedFix" in a.details] == [
        "free softer cushion inserts, sent at once"
    ]


def test_given_a_remedy_without_a_german_wording_then_a_german_customer_is_promised_the_call_alone() -> None:
    config = OutreachConfig.model_validate({"remedies": [{"pattern": "wobbly", "remedy": "a free technician visit"}]})
    run = OrderRun(config)
    run.feed(
        "Order Placed",
        {**placed_detail(), "customer": {"name": "Greta Schneider", "email": "greta@example.com", "locale": "de-DE"}},
        at("2026-11-02T09:00:00Z"),
    )
    run.feed(
        "Feedback Received", {"orderId": "SO-1", "rating": 4, "comment": "A bit wobbly"}, at("2026-12-01T10:00:00Z")
    )
    assert run.state is not None

    ack = render(run.state, contact("feedback_acknowledgement"), config)

    assert "technician" not in ack.text and "Als kostenlose Lösung" not in ack.text
    assert "ruft Sie innerhalb eines Werktags an" in ack.text
