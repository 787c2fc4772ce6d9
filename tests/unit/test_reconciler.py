"""Claims stuck in SENDING: found, marked UNCONFIRMED (never re-sent blindly), one alert per contact."""

from __future__ import annotations

import contextlib
from datetime import timedelta

from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.domain.model import ContactOrder
from outreach_lambda.services.reconciler import STUCK_AFTER, Reconciler

NOW = at("2026-11-02T09:00:00Z")


class Crash(BaseException):
    """The process dies (not an error the sender handles)."""


def crashed_confirmation(shop: Shop) -> None:
    """The sender claims the confirmation, then the process dies before the provider answers."""
    shop.event("Order Placed", placed_detail(), NOW)
    shop.customer.fail_with = Crash()  # type: ignore[assignment]
    with contextlib.suppress(Crash):
        shop.start("SO-1", NOW)
    shop.customer.fail_with = None


def test_given_a_claim_left_in_sending_past_the_bound_then_it_is_unconfirmed_and_ops_told_once() -> None:
    shop = Shop()
    crashed_confirmation(shop)
    reconciler = Reconciler(shop.ledger, shop.ops)

    early = reconciler.run(NOW + STUCK_AFTER - timedelta(seconds=1))
    later = reconciler.run(NOW + STUCK_AFTER + timedelta(minutes=1))
    again = reconciler.run(NOW + 2 * STUCK_AFTER)

    assert (early.stuck, later.stuck, again.stuck) == (0, 1, 0)
    assert later.unconfirmed == ["ORDER#SO-1/order_confirmation#email"]
    [alert] = shop.ops.published
    assert (alert["kind"], alert["orderId"]) == ("contact_unconfirmed", "SO-1")
    details = alert["details"]
    assert (details["kind"], details["channel"], details["key"]) == ("order_confirmation", "email", details["key"])
    assert details["action"]["ifNotSent"] == "outreach contacts resend SO-1 order_confirmation#email"
    assert details["action"]["ifSent"] == "outreach contacts skip SO-1 order_confirmation#email --sent"
    assert "ada" not in str(alert)  # no personal data in the alert


def test_given_a_crash_after_the_claim_then_neither_the_retried_step_nor_a_later_send_repeats_it() -> None:
    shop = Shop()
    crashed_confirmation(shop)
    shop.start("SO-1", NOW + timedelta(seconds=2))  # the state machine retries the failed step
    Reconciler(shop.ledger, shop.ops).run(NOW + timedelta(hours=1))
    confirmation = ContactOrder(key="order_confirmation#email", kind="order_confirmation", channel="email", due_at=NOW)

    result = shop.sender.send("SO-1", confirmation, NOW + timedelta(hours=2))

    assert result.status == "duplicate"
    assert shop.customer.sent == []
    assert shop.ops.kinds() == ["contact_unconfirmed"]
    assert shop.ledger.entries[("ORDER#SO-1", "order_confirmation#email")]["status"] == "UNCONFIRMED"


def test_given_a_claim_the_sender_finishes_while_the_reconciler_looks_then_the_sent_contact_stays_sent() -> None:
    shop = Shop()
    shop.event("Order Placed", placed_detail(), NOW)
    shop.start("SO-1", NOW)
    stuck = shop.ledger.entries[("ORDER#SO-1", "order_confirmation#email")]

    settled = shop.ledger.settle_stuck(stuck["pk"], stuck["sk"], "2026-11-02T09:00:00.000000Z", "UNCONFIRMED", {})

    assert settled is False
    assert stuck["status"] == "SENT"


def test_given_ledger_entries_then_a_resend_or_redrive_asks_the_sender_for_exactly_that_contact() -> None:
    """A design-advice offer is not the catalog follow-up; a late 1-star acknowledgement answers the 1 star; a
    message's acknowledgement is found under its message."""
    from outreach_lambda.services.reconciler import owner_args

    from outreach.operate import send_request

    offer = send_request({"sk": "design_advice_offer#email", "requestId": "CR-1", "kind": "design_advice_offer"}, False)
    late = send_request(
        {
            "sk": "feedback_acknowledgement#email",
            "orderId": "SO-1",
            "kind": "feedback_acknowledgement",
            "channel": "email",
            "dueAt": "2026-12-01T09:00:00+00:00",
            "feedbackRating": 1,
            "feedbackComment": "too firm",
        },
        True,
    )
    ack_entry = {"sk": "message_acknowledgement#email", "conversationId": "M-1", "orderId": "SO-1"}

    assert offer.to_payload()["kind"] == "design_advice_offer"
    assert late.to_payload()["feedback"] == {"rating": 1, "comment": "too firm"}
    assert send_request(ack_entry, False).to_payload()["messageId"] == "M-1"
    assert owner_args(ack_entry) == "--message M-1"
