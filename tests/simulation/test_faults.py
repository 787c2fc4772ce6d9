"""Faults, through the real state machine and handlers: what the customer receives and when, what ops see,
and that nothing is lost or doubled. Each scenario uses the ``faults`` section users have too."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from outreach.simulator import runner
from outreach.simulator.scenario import parse
from tests.simulation.conftest import START, event, placed, timeline

SMS = {"phone": "+4915112345678", "channels": ["email", "sms"]}


def run(events: list[dict[str, Any]], faults: list[dict[str, Any]], **extra: Any):
    scenario = parse({"name": "faults", "start": START, "until": "P30D", "events": events, "faults": faults, **extra})
    return runner.run(scenario)


def sent(result, kind: str) -> list[tuple[str, str]]:
    return [(at, channel) for at, _, k, channel in timeline(result) if k == kind]


def alerts(result, kind: str) -> list[dict[str, Any]]:
    return [a for a in result.alerts if a["kind"] == kind]


def test_given_ses_throttling_for_two_hours_then_the_confirmation_goes_once_when_it_ends() -> None:
    result = run([placed()], [{"from": "PT0S", "until": "PT2H", "target": "ses", "error": "TooManyRequestsException"}])

    [(at, channel)] = sent(result, "order_confirmation")
    assert channel == "email"
    assert "2026-11-02T11:00:00Z" <= at <= "2026-11-02T12:30:00Z"  # retried 1, 2, 4 ... minutes apart
    assert alerts(result, "contact_parked") == alerts(result, "contact_failed") == []
    assert result.errors == []


def test_given_an_ses_outage_then_nothing_is_lost_and_the_timeline_goes_on() -> None:
    # The production update is due 13 Nov 09:00Z, in the middle of an hour-long outage.
    result = run(
        [placed(), event("P13D", "Production Completed")],
        [{"from": "P10DT23H50M", "until": "P11DT50M", "target": "ses", "error": "ServiceUnavailable"}],
    )

    [(at, _)] = sent(result, "production_update")
    assert "2026-11-13T09:50:00Z" <= at <= "2026-11-13T11:00:00Z"
    assert [k for _, _, k, _ in timeline(result)] == ["order_confirmation", "production_update"]


def test_given_a_sender_not_yet_verified_then_contacts_are_parked_ops_told_once_and_sent_once_after_the_fix() -> None:
    unverified = {
        "from": "PT0S",
        "until": "P1D",
        "target": "ses",
        "error": "MessageRejected",
        "message": "Email address is not verified. The following identities failed the check: orders@shop",
    }
    orders = [placed(), placed(at="PT1H", orderId="SO-2")]

    result = run(orders, [unverified], redrives=["P1DT2H"])

    [parked] = alerts(result, "contact_parked")
    assert parked["details"]["cause"] == "MessageRejected"
    confirmations = [(at, order) for at, order, k, _ in timeline(result) if k == "order_confirmation"]
    assert confirmations == [("2026-11-03T11:00:00Z", "SO-1"), ("2026-11-03T11:00:00Z", "SO-2")]


def test_given_sms_failing_for_an_hour_then_email_goes_at_once_and_the_sms_once_afterwards() -> None:
    result = run([placed(customer=SMS)], [{"from": "PT0S", "until": "PT1H", "target": "sms", "error": "InternalError"}])

    assert sent(result, "order_confirmation")[0] == ("2026-11-02T09:00:00Z", "email")
    [(at, _)] = [c for c in sent(result, "order_confirmation") if c[1] == "sms"]
    assert "2026-11-02T10:00:00Z" <= at <= "2026-11-02T11:00:00Z"


def test_given_a_lost_timer_then_the_wait_times_out_and_the_update_goes_an_hour_late_once() -> None:
    # The production update is due 13 Nov 09:00Z; its timer is never delivered.
    result = run([placed()], [{"from": "P11D", "until": "P11DT1M", "target": "timers"}], until="P12D")

    assert sent(result, "production_update") == [("2026-11-13T10:00:00Z", "email")]


def test_given_a_timeline_that_keeps_failing_then_ops_are_told_which_order_and_the_execution_fails() -> None:
    result = run([placed()], [{"from": "PT0S", "until": "PT1H", "target": "timeline", "error": "table unavailable"}])

    [failed] = alerts(result, "timeline_failed")
    assert failed["orderId"] == "SO-1"
    assert "table unavailable" in failed["details"]["error"]["Cause"]
    assert result.orders[0]["status"] == "FAILED"
    assert timeline(result) == []  # nothing was sent: resume it (outreach resume) once the cause is fixed


def test_given_a_crash_after_the_claim_before_the_provider_call_then_nothing_goes_twice_and_ops_resolve_it() -> None:
    crash = {"from": "PT0S", "until": "PT1M", "target": "claim", "when": "before_send"}
    result = run([placed(), event("P13D", "Production Completed")], [crash], until="P14D")

    # The customer: the confirmation was claimed, never sent, and never sent blindly afterwards; the timeline
    # went on (the retried step found the claim) and the production update arrived as planned.
    assert [k for _, _, k, _ in timeline(result)] == ["production_update"]
    # Ops: the reconciler's first run with the claim older than 15 minutes (09:30, runs every 15 minutes from
    # 09:00) marks it UNCONFIRMED and says what to check and which command resends it.
    [unconfirmed] = alerts(result, "contact_unconfirmed")
    assert unconfirmed["at"] == "2026-11-02T09:30:00Z"
    assert unconfirmed["orderId"] == "SO-1"
    details = unconfirmed["details"]
    assert (details["kind"], details["channel"]) == ("order_confirmation", "email")
    assert details["action"]["ifNotSent"] == "outreach contacts resend SO-1 order_confirmation#email"
    assert result.orders[0]["status"] == "RUNNING"
    assert [e["type"] for e in result.errors] == ["ProcessDied"]  # the one crash, as the function's logs show it


def test_given_a_crash_after_the_provider_accepted_then_the_customer_has_it_once_and_ops_are_asked_to_confirm() -> None:
    crash = {"from": "PT0S", "until": "PT1M", "target": "claim", "when": "after_send"}
    result = run([placed(customer=SMS)], [crash], until="P1D")

    # SES took the e-mail (the ledger never heard): the retried step does not send it again; the SMS goes.
    assert result.stats["providerMessages"] == {"email": 1, "sms": 1}
    assert [(k, ch) for _, _, k, ch in timeline(result)] == [("order_confirmation", "sms")]
    [unconfirmed] = alerts(result, "contact_unconfirmed")
    assert unconfirmed["details"]["action"]["ifSent"] == "outreach contacts skip SO-1 order_confirmation#email --sent"


# --- A function that crashes while invoked asynchronously: Lambda retries it a minute, then two minutes later ---

CATALOG = {
    "at": "PT0S",
    "detailType": "Catalog Requested",
    "detail": {
        "requestId": "CR-1",
        "customer": {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"},
    },
}


def test_given_intake_crashing_for_a_minute_then_the_order_is_confirmed_a_minute_late_once_and_goes_on() -> None:
    crash = {"from": "PT0S", "until": "PT1M", "target": "intake", "error": "boom"}
    result = run([placed(), event("P5D", "Production Delayed", estimatedCompletion="2026-12-10")], [crash])

    assert sent(result, "order_confirmation") == [("2026-11-02T09:01:00Z", "email")]
    assert sent(result, "delay_notice") == [("2026-11-07T09:00:00Z", "email")]  # the order exists: the delay is told
    assert result.rejected == []


def test_given_intake_crashing_longer_than_lambdas_retries_then_the_event_is_dead_lettered_with_its_reason() -> None:
    crash = {"from": "PT0S", "until": "PT10M", "target": "intake", "error": "boom"}
    result = run([placed()], [crash])

    assert timeline(result) == []
    [letter] = [r for r in result.rejected if r["detailType"] == "Order Placed"]
    assert letter["orderId"] == "SO-1"
    assert letter["error"] == "not processed: outreach-intake failed 3 times, last with InjectedCrash: boom"
    assert len(result.errors) == 3  # the first attempt, then a minute and two minutes later


def test_given_the_timeline_crashing_for_a_minute_as_a_delay_arrives_then_the_notice_goes_a_minute_later() -> None:
    # The hand-over of the delay to the timeline fails once; Lambda's retry a minute later applies it, not the
    # order's next timer days later.
    crash = {"from": "P3D", "until": "P3DT1M", "target": "timeline", "error": "boom"}
    result = run([placed(), event("P3D", "Production Delayed", estimatedCompletion="2026-12-10")], [crash])

    assert sent(result, "delay_notice") == [("2026-11-05T09:01:00Z", "email")]
    assert [k for _, _, k, _ in timeline(result)].count("delay_notice") == 1


def test_given_the_sender_crashing_for_a_minute_then_the_catalog_follow_up_goes_a_minute_late_once() -> None:
    result = run([CATALOG], [{"from": "PT0S", "until": "PT1M", "target": "sender", "error": "boom"}], until="P1D")

    assert [(c["at"], c["kind"]) for c in result.contacts] == [("2026-11-02T09:01:00Z", "catalog_follow_up")]
    assert result.rejected == []


def test_given_the_sender_crashing_longer_than_lambdas_retries_then_its_request_is_dead_lettered_not_lost() -> None:
    result = run([CATALOG], [{"from": "PT0S", "until": "PT10M", "target": "sender", "error": "boom"}], until="P1D")

    assert result.contacts == []
    assert result.rejected == [
        {
            "at": "2026-11-02T09:03:00Z",  # the third attempt failed: Lambda puts it in the dead-letter queue
            "detailType": None,
            "error": "not processed: outreach-sender failed 3 times, last with InjectedCrash: boom",
            "requestId": "CR-1",
        }
    ]


def _delay_notice_text(result) -> str:
    """The plain text of the one delay notice e-mail the customer got."""
    [mail] = [
        email.message_from_bytes(content, policy=email.policy.default)
        for contact, content in zip(result.contacts, result.sent, strict=True)
        if (contact["kind"], contact["channel"]) == ("delay_notice", "email")
    ]
    return str(mail.get_body(preferencelist=("plain",)).get_content())


TWO_DELAYS = [
    placed(customer={"locale": "en-GB", **SMS}),
    event("P3D", "Production Delayed", estimatedCompletion="2026-11-28", reason="one"),  # promise 17 Dec
    event("P3DT30M", "Production Delayed", estimatedCompletion="2027-01-20", reason="two"),  # promise 25 Feb
]


def test_given_a_delay_notice_superseded_before_it_went_out_then_the_next_one_cites_the_promise_the_customer_had():
    """E-mail and SMS throttled for two hours: the first notice (17 Dec) never reaches the customer, the second
    supersedes it; it must say the 30 November they were promised is broken, not a 17 December they never read."""
    throttled = [
        {"from": "P3D", "until": "P3DT2H", "target": "ses", "error": "TooManyRequestsException"},
        {"from": "P3D", "until": "P3DT2H", "target": "sms", "error": "Throttling"},
    ]
    result = run(TWO_DELAYS, throttled, until="P5D")

    assert [c["promisedDate"] for c in result.contacts if c["kind"] == "delay_notice"] == ["2027-02-25"] * 2
    text = _delay_notice_text(result)
    assert "we cannot deliver by Monday, 30 November 2026 as promised" in text
    assert "17 December" not in text
    assert "Your new delivery date is Thursday, 25 February 2027." in text


def test_given_the_first_delay_told_by_sms_only_then_the_next_e_mail_cites_that_date():
    """The customer is one person: the 17 December the first notice's SMS told them is what they know, though its
    e-mail never went out (throttled, then superseded)."""
    result = run(TWO_DELAYS, [{"from": "P3D", "until": "P3DT2H", "target": "ses", "error": "TooManyRequestsException"}])

    assert sorted((c["channel"], c["promisedDate"]) for c in result.contacts if c["kind"] == "delay_notice") == [
        ("email", "2027-02-25"),
        ("sms", "2026-12-17"),
        ("sms", "2027-02-25"),
    ]
    assert "we cannot deliver by Thursday, 17 December 2026 as promised" in _delay_notice_text(result)


def test_given_a_delay_notice_parked_then_the_next_one_cites_the_promise_the_customer_had():
    """Sending paused (an account fault): the first notice is parked, never sent; the next one, once sending
    works again, cites the order's 30 November, not the parked notice's 17 December."""
    events = [
        placed(customer={"locale": "en-GB"}),
        event("P3D", "Production Delayed", estimatedCompletion="2026-11-28", reason="one"),
        event("P4D", "Production Delayed", estimatedCompletion="2027-01-20", reason="two"),
    ]
    result = run(events, [{"from": "P3D", "until": "P3DT1H", "target": "ses", "error": "SendingPausedException"}])

    assert [a["at"] for a in alerts(result, "contact_parked")] == ["2026-11-05T09:00:00Z"]
    assert [c["promisedDate"] for c in result.contacts if c["kind"] == "delay_notice"] == ["2027-02-26"]
    assert "we cannot deliver by Monday, 30 November 2026 as promised" in _delay_notice_text(result)
