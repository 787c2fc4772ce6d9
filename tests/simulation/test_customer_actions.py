"""Customers answer back, end to end in the simulator: clicks on the links of the messages they really
received (taken from SES), through the real action endpoint, the bus and intake; customer messages and their
reply SLA; the catalog's one design-advice offer."""

from __future__ import annotations

from typing import Any

from tests.simulation.conftest import event, placed, simulate

NEW_ADDRESS = {"line1": "1 New Road", "postalCode": "10115", "city": "Berlin", "country": "DE"}


def click(at: str, action: str, order_id: str = "SO-1", **extra: Any) -> dict[str, Any]:
    return {"at": at, "click": {"orderId": order_id, "action": action, **extra}}


def kinds(result, owner: str = "SO-1") -> list[str]:
    return [c["kind"] for c in result.contacts if owner in (c.get("orderId"), c.get("requestId"))]


def alerts(result, prefix: str = "") -> list[tuple[str, str | None, str]]:
    return [(a["at"], a["orderId"], a["kind"]) for a in result.alerts if a["kind"].startswith(prefix)]


def pages(result) -> list[tuple[str, str, int, str]]:
    return [(c["at"], c["method"], c["status"], c["page"]) for c in result.clicks]


def test_given_the_production_update_then_confirming_the_address_is_one_event_however_often_clicked(happy_events):
    result = simulate(
        [
            placed(customer={"locale": "en-GB"}),
            *happy_events[1:],
            click("P13DT1H", "confirm_address", method="GET"),  # the mail scanner
            click("P13DT2H", "confirm_address"),
            click("P13DT2H1M", "confirm_address"),  # the double click
        ]
    )

    assert pages(result) == [
        ("2026-11-15T10:00:00Z", "GET", 200, "Confirm your delivery address"),
        ("2026-11-15T11:00:00Z", "POST", 200, "Thank you"),
        ("2026-11-15T11:01:00Z", "POST", 200, "We already have this"),
    ]
    assert {c["lang"] for c in result.clicks} == {"en-GB"}
    assert alerts(result, "address") == []
    assert result.rejected == []
    assert kinds(result) == ["order_confirmation", "production_update", "shipped", "satisfaction_check"]


def test_given_a_tampered_or_expired_link_then_a_friendly_page_and_nothing_happens(happy_events):
    address = {"form": NEW_ADDRESS}
    result = simulate(
        [
            *happy_events[:2],
            click("P13DT1H", "change_address", tamper=True, **address),
            click("P13DT2H", "change_address", acceptLanguage="de-DE,de;q=0.9", tamper=True, **address),
            click("P30D", "change_address", **address),  # links work 5 days here
        ],
        config={"actionLinkDays": 5},
    )

    assert [(s, p) for _, _, s, p in pages(result)] == [
        (404, "This link does not work"),
        (404, "Dieser Link funktioniert nicht"),
        (404, "This link does not work"),
    ]
    assert alerts(result, "address") == []


def test_given_an_address_change_after_shipping_then_ops_get_an_urgent_alert_with_old_and_new(happy_events):
    result = simulate([*happy_events[:3], click("P15D", "change_address", form=NEW_ADDRESS)])

    [alert] = [a for a in result.alerts if a["kind"].startswith("address")]
    assert (alert["at"], alert["kind"]) == ("2026-11-17T09:00:00Z", "address_changed")
    assert alert["details"]["urgent"] is True
    assert alert["details"]["oldAddress"]["city"] == "Hamburg" and alert["details"]["newAddress"]["city"] == "Berlin"


def test_given_an_address_change_before_shipping_then_ops_get_address_change(happy_events):
    result = simulate(
        [*happy_events[:2], click("P13DT1H", "change_address", form={**NEW_ADDRESS, "note": "Ring twice"})]
    )

    [alert] = [a for a in result.alerts if a["kind"].startswith("address")]
    assert alert["kind"] == "address_changed" and alert["details"]["note"] == "Ring twice"
    assert alert["details"]["urgent"] is False


def test_given_a_5_star_and_a_2_star_click_then_the_acknowledgements_differ_and_ops_hear_of_the_2(happy_events):
    second = [placed(orderId="SO-2", customer={"email": "bob@example.com"})] + [
        {**e, "detail": {**e["detail"], "orderId": "SO-2"}} for e in happy_events[1:]
    ]
    result = simulate(
        [
            *happy_events,
            *second,
            click("P24D", "rate", rating=5),
            click("P24D", "rate", "SO-2", rating=2, form={"comment": "The seat is too firm"}),
            click("P24DT1M", "rate", "SO-2", rating=2),  # clicked again: nothing more
        ]
    )

    acks = {c["orderId"]: c["subject"] for c in result.contacts if c["kind"] == "feedback_acknowledgement"}
    assert acks == {
        "SO-1": "We are delighted you love your order SO-1",
        "SO-2": "We will put it right: your order SO-2",
    }
    [alert] = [a for a in result.alerts if a["kind"] == "negative_feedback"]
    assert alert["orderId"] == "SO-2"
    assert alert["details"]["suggestedFix"] == "free softer cushion inserts, sent at once"
    assert alert["details"]["comment"] == "The seat is too firm"
    assert alert["details"]["context"]["contactsSoFar"][-1] == "satisfaction_check#email"


def test_given_please_call_me_then_ops_are_asked_to_call_with_the_order_context(happy_events):
    result = simulate([*happy_events, click("P23D", "callback", form={"note": "after 6pm"})])

    [alert] = [a for a in result.alerts if a["kind"] == "callback_requested"]
    assert alert["orderId"] == "SO-1" and alert["details"]["note"] == "after 6pm"
    assert alert["details"]["context"]["stage"] in ("delivered", "closed")


MESSAGE = {"messageId": "M-1", "orderId": "SO-1", "channel": "email", "text": "Can you deliver on a Saturday?"}


def test_given_a_customer_message_unanswered_past_the_sla_then_reply_overdue_escalates():
    # 2026-11-06 is a Friday: received 16:30 UTC, one business hour is due Monday 09:30 UTC.
    result = simulate([placed(), {"at": "2026-11-06T16:30:00Z", "customerMessage": MESSAGE}], until="P10D")

    [ack] = [c for c in result.contacts if c["kind"] == "message_acknowledgement"]
    assert (ack["at"], ack["to"], ack["orderId"]) == ("2026-11-06T16:30:00Z", "ada@example.com", "SO-1")
    [received] = [a for a in result.alerts if a["kind"] == "customer_message"]
    assert received["details"]["text"] == "Can you deliver on a Saturday?"
    assert received["details"]["answerBy"] == "2026-11-09T09:30:00+00:00"
    assert received["details"]["context"]["promiseLedger"][0]["promisedDate"] == "2026-11-30"
    assert alerts(result, "reply") == [("2026-11-09T09:30:00Z", "SO-1", "reply_overdue")]


def test_given_a_customer_message_answered_in_time_then_no_escalation():
    answered = {"at": "2026-11-09T09:10:00Z", "detailType": "Customer Message Answered", "detail": {"messageId": "M-1"}}
    result = simulate([placed(), {"at": "2026-11-06T16:30:00Z", "customerMessage": MESSAGE}, answered], until="P10D")

    assert alerts(result, "reply") == []
    assert result.rejected == []


CATALOG = {
    "at": "PT1H",
    "detailType": "Catalog Requested",
    "detail": {
        "requestId": "CR-7",
        "customer": {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"},
    },
}


def test_given_a_catalog_requester_who_writes_then_they_get_an_answer_without_an_order():
    message = {"messageId": "M-2", "requestId": "CR-7", "text": "Do you have the Oslo in blue?"}
    result = simulate([CATALOG, {"at": "PT2H", "customerMessage": message}], until="P1D")

    [ack] = [c for c in result.contacts if c["kind"] == "message_acknowledgement"]
    assert (ack["to"], ack["requestId"]) == ("grace@example.com", "CR-7")
    # Monday 11:00 UTC, not answered: overdue at 12:00 (business hours 09:00-17:00 UTC by default).
    assert [(a["at"], a["kind"]) for a in result.alerts] == [
        ("2026-11-02T11:00:00Z", "customer_message"),
        ("2026-11-02T12:00:00Z", "reply_overdue"),
    ]


def test_given_a_catalog_request_and_no_order_then_one_design_advice_offer_a_week_later():
    result = simulate([CATALOG, dict(CATALOG, at="PT3H")], until="P20D")

    assert [(c["at"], c["kind"]) for c in result.contacts] == [
        ("2026-11-02T10:00:00Z", "catalog_follow_up"),
        ("2026-11-09T14:00:00Z", "design_advice_offer"),  # 09:00 in New York, after quiet hours
    ]


def test_given_a_catalog_requester_who_orders_then_no_design_advice_offer():
    result = simulate([CATALOG, placed("P2D", customer={"email": "grace@example.com"})], until="P20D")

    assert "design_advice_offer" not in [c["kind"] for c in result.contacts]


def test_given_a_catalog_requester_who_unsubscribes_from_the_follow_up_then_no_offer():
    result = simulate([CATALOG, {"at": "P1D", "click": {"requestId": "CR-7", "action": "unsubscribe"}}], until="P20D")

    assert pages(result) == [("2026-11-03T09:00:00Z", "POST", 200, "Thank you")]
    assert [c["kind"] for c in result.contacts] == ["catalog_follow_up"]


def test_given_an_address_change_after_the_timeline_ended_then_ops_still_hear_of_it(happy_events):
    result = simulate([*happy_events, click("P26D", "change_address", form=NEW_ADDRESS)])

    assert result.orders[0]["status"] == "SUCCEEDED"
    assert [a["kind"] for a in result.alerts if a["kind"].startswith("address")] == ["address_changed"]


def test_given_a_cancelled_orders_customer_writes_then_ops_answer_by_hand_and_nothing_automatic_is_sent():
    result = simulate(
        [placed(), event("P1D", "Order Cancelled"), {"at": "2026-11-04T10:00:00Z", "customerMessage": MESSAGE}],
        until="P5D",
    )

    assert kinds(result) == ["order_confirmation", "cancellation_confirmation"]
    assert [a["kind"] for a in result.alerts] == ["customer_message", "reply_overdue"]
