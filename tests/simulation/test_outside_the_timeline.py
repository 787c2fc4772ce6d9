"""Contacts that are not part of a running order timeline: catalog requests, feedback after the end."""

from __future__ import annotations

from tests.simulation.conftest import event, placed, simulate, timeline

CATALOG = {
    "at": "PT1H",
    "detailType": "Catalog Requested",
    "detail": {
        "requestId": "CR-7",
        "customer": {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"},
        "postalAddress": {"line1": "1 Navy Way", "city": "Arlington", "postalCode": "22202", "country": "US"},
    },
}


def test_given_a_catalog_request_then_the_follow_up_goes_at_once_and_only_once():
    result = simulate([CATALOG, dict(CATALOG, at="PT2H")], until="P1D")

    assert [(c["at"], c.get("requestId"), c["kind"], c["to"]) for c in result.contacts] == [
        ("2026-11-02T10:00:00Z", "CR-7", "catalog_follow_up", "grace@example.com")
    ]
    assert "orderId" not in result.contacts[0]
    assert result.orders == []


def test_given_feedback_after_the_timeline_ended_then_it_is_acknowledged_and_ops_hear_of_a_low_rating(happy_events):
    result = simulate([*happy_events, event("P25D", "Feedback Received", rating=2, comment="cushion too firm")])

    assert result.orders[0]["status"] == "SUCCEEDED"
    assert timeline(result)[-1] == ("2026-11-27T09:00:00Z", "SO-1", "feedback_acknowledgement", "email")
    [alert] = result.alerts
    assert (alert["at"], alert["orderId"], alert["kind"]) == ("2026-11-27T09:00:00Z", "SO-1", "negative_feedback")
    assert alert["details"]["rating"] == 2 and "free" in alert["details"]["suggestedFix"]


def test_given_feedback_on_a_cancelled_order_then_nothing_is_sent():
    result = simulate([placed(), event("P1D", "Order Cancelled"), event("P3D", "Feedback Received", rating=1)])

    assert [kind for _, _, kind, _ in timeline(result)] == ["order_confirmation", "cancellation_confirmation"]
    assert result.alerts == []
