"""Contact texts: every date a customer reads is the ledger's latest promise, in the customer's calendar."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from domain_builders import OrderRun, at, shipped
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import parse_detail
from outreach_lambda.domain.model import ContactOrder, OrderState
from outreach_lambda.domain.rendering import render, render_catalog_contact
from outreach_lambda.domain.rules import SUGGESTED_FIX
from pydantic import ValidationError

FIRST_PROMISE_TEXT = "Monday, 30 November 2026"
NEW_PROMISE_TEXT = "Thursday, 10 December 2026"
NEW_PROMISE_SMS = "10 Dec 2026"
DATED_KINDS = ["order_confirmation", "production_update", "shipped", "delay_notice"]


def contact(kind: str, channel: str = "email") -> ContactOrder:
    return ContactOrder(key=f"{kind}#{channel}", kind=kind, channel=channel, dueAt=at("2026-11-20T10:00:00Z"))


def ship(run: OrderRun, estimated_delivery: str | None = None, details: str | None = None) -> None:
    detail = shipped(estimated_delivery)
    if details:
        detail["deliveryDetails"] = details
    run.feed("Order Shipped", detail, at("2026-11-20T10:00:00Z"))


@pytest.fixture
def requoted(order: OrderRun) -> OrderState:
    """Promised 30 Nov, then re-quoted to 10 Dec (production slipped to 26 Nov), then shipped without an ETA."""
    order.place(line2="Hinterhaus, 2. OG")
    order.feed(
        "Production Delayed",
        {"orderId": "SO-1", "estimatedCompletion": "2026-11-26T09:00:00Z", "reason": "fabric arrived late"},
        at("2026-11-12T10:00:00Z"),
    )
    ship(order)
    assert [q.promised_date.isoformat() for q in order.state.quotes] == ["2026-11-30", "2026-12-10"]
    return order.state


@pytest.mark.parametrize("kind", DATED_KINDS)
def test_given_requoted_order_when_dated_contact_rendered_then_it_states_the_latest_promised_date(
    requoted: OrderState, config: OutreachConfig, kind: str
) -> None:
    message = render(requoted, contact(kind), config)
    assert NEW_PROMISE_TEXT in message.text
    assert message.promised_date == requoted.promised


@pytest.mark.parametrize("kind", ["order_confirmation", "production_update", "shipped"])
def test_given_requoted_order_when_non_delay_contact_rendered_then_the_old_date_is_not_repeated(
    requoted: OrderState, config: OutreachConfig, kind: str
) -> None:
    assert FIRST_PROMISE_TEXT not in render(requoted, contact(kind), config).text


@pytest.mark.parametrize("kind", ["order_confirmation", "production_update", "delay_notice"])
def test_given_requoted_order_when_dated_sms_rendered_then_it_states_the_latest_promised_date(
    requoted: OrderState, config: OutreachConfig, kind: str
) -> None:
    message = render(requoted, contact(kind, "sms"), config)
    assert NEW_PROMISE_SMS in message.sms
    assert len(message.sms) <= 300


@pytest.mark.parametrize("kind", ["satisfaction_check", "feedback_acknowledgement", "cancellation_confirmation"])
def test_given_undated_kind_when_rendered_then_no_promised_date_is_attached(
    requoted: OrderState, config: OutreachConfig, kind: str
) -> None:
    message = render(requoted, contact(kind), config)
    assert message.promised_date is None
    assert NEW_PROMISE_TEXT not in message.text


def test_given_new_order_when_confirmation_rendered_then_thanks_items_next_steps_date_and_phone(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    message = render(order.state, contact("order_confirmation"), config)
    assert "SO-1" in message.subject
    assert message.text.startswith("Dear Ada,")
    assert "thank you" in message.text.lower()
    assert "1 x Three-seat sofa, green velvet" in message.text
    assert "What happens next" in message.text
    assert f"We promise delivery by {FIRST_PROMISE_TEXT}." in message.text
    assert "+1 555 0100" in message.text
    assert "Outreach Sofas" in message.text


def test_given_requoted_order_when_delay_notice_rendered_then_old_and_new_date_reason_and_goodwill_are_named(
    requoted: OrderState, config: OutreachConfig
) -> None:
    message = render(requoted, contact("delay_notice"), config)
    assert f"cannot deliver by {FIRST_PROMISE_TEXT}" in message.text
    assert f"new delivery date is {NEW_PROMISE_TEXT}" in message.text
    assert "fabric arrived late" in message.text
    assert "a free upgrade to express delivery" in message.text
    assert "sorry" in message.text.lower()


def test_given_shop_goodwill_gesture_when_delay_notice_rendered_then_that_gesture_is_offered(
    requoted: OrderState,
) -> None:
    config = OutreachConfig.model_validate({"goodwillGesture": "a free set of scatter cushions"})
    assert "we offer you a free set of scatter cushions" in render(requoted, contact("delay_notice"), config).text


def test_given_order_nearly_finished_when_production_update_rendered_then_it_asks_to_confirm_delivery_address(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place(line2="Hinterhaus, 2. OG")
    message = render(order.state, contact("production_update"), config)
    assert "Hauptstrasse 1, Hinterhaus, 2. OG, 10115 Berlin, DE" in message.text
    assert "confirm the delivery address" in message.text
    assert "nearly finished" in message.subject
    assert FIRST_PROMISE_TEXT in message.text


def test_given_production_completed_when_production_update_rendered_then_it_says_finished(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-14T10:00:00Z"))  # 2 days early
    message = render(order.state, contact("production_update"), config)
    assert message.subject == "Your order SO-1 is finished"
    assert "Hauptstrasse 1, 10115 Berlin, DE" in message.text


def test_given_production_finished_well_ahead_when_update_rendered_then_it_brings_the_good_news(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-10T10:00:00Z"))  # due 16 Nov
    message = render(order.state, contact("production_update"), config)
    assert message.subject == "Your order SO-1 is finished 6 days early"
    assert "well before the date we promised" in message.text
    assert "Monday, 30 November 2026" in message.text  # the promise itself stays the ledger's


def test_given_a_higher_good_news_threshold_when_update_rendered_then_six_days_is_not_news(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    order.feed("Production Completed", {"orderId": "SO-1"}, at("2026-11-10T10:00:00Z"))
    strict = config.model_copy(update={"good_news_days": 7})
    assert render(order.state, contact("production_update"), strict).subject == "Your order SO-1 is finished"


def test_given_order_shipped_when_shipped_rendered_then_carrier_tracking_link_and_delivery_description(
    requoted: OrderState, config: OutreachConfig
) -> None:
    message = render(requoted, contact("shipped"), config)
    assert "DHL Freight" in message.text
    assert "JJD0099887766" in message.text
    assert "https://track.example/JJD0099887766" in message.text
    assert "call ahead" in message.text  # the default description of what the delivery involves
    assert "Hauptstrasse 1" in message.text
    assert "JJD0099887766" in message.sms


def test_given_carrier_delivery_details_when_shipped_rendered_then_they_replace_the_default_description(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    ship(order, details="Two people, 4th floor, no lift: please clear the stairwell.")
    message = render(order.state, contact("shipped"), config)
    assert "Two people, 4th floor, no lift" in message.text
    assert "call ahead" not in message.text


@pytest.mark.parametrize(
    ("eta", "promised_text"),
    [
        pytest.param("2026-11-25", FIRST_PROMISE_TEXT, id="eta-inside-promise"),
        pytest.param("2026-12-02", "Friday, 11 December 2026", id="eta-past-promise-requoted"),
    ],
)
def test_given_carrier_eta_when_shipped_rendered_then_it_states_the_ledgers_promised_date(
    order: OrderRun, config: OutreachConfig, eta: str, promised_text: str
) -> None:
    order.place()
    ship(order, estimated_delivery=eta)
    message = render(order.state, contact("shipped"), config)
    assert promised_text in message.text


def test_given_cancelled_order_when_confirmation_rendered_then_reason_and_no_more_contact_promised(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    order.feed("Order Cancelled", {"orderId": "SO-1", "reason": "moving abroad"}, at("2026-11-03T10:00:00Z"))
    message = render(order.state, contact("cancellation_confirmation"), config)
    assert message.subject == "Your order SO-1 is cancelled"
    assert "(moving abroad)" in message.text
    assert "hear nothing more" in message.text


def test_given_delivered_order_when_satisfaction_check_rendered_then_it_invites_small_problems_for_a_free_fix(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    message = render(order.state, contact("satisfaction_check"), config)
    assert "cushion too firm" in message.text
    assert "fixed for free" in message.text


def test_given_feedback_when_acknowledgement_rendered_then_it_thanks_the_customer(
    order: OrderRun, config: OutreachConfig
) -> None:
    order.place()
    message = render(order.state, contact("feedback_acknowledgement"), config)
    assert "thank you" in message.text.lower()
    assert "SO-1" in message.subject


def test_given_custom_shop_name_and_phone_when_rendered_then_signature_uses_them(order: OrderRun) -> None:
    config = OutreachConfig.model_validate({"shopName": "Sofa Atelier", "supportPhone": "+49 30 1234567"})
    order.place()
    message = render(order.state, contact("order_confirmation"), config)
    assert "Sofa Atelier" in message.text
    assert "+49 30 1234567" in message.text
    assert "Sofa Atelier" in message.sms


def test_given_whitespace_only_customer_name_when_order_placed_and_rendered_then_rejected_or_rendered(
    order: OrderRun, config: OutreachConfig
) -> None:
    try:
        order.place(name="   ")
    except ValidationError as exc:
        assert ("customer", "name") in [e["loc"] for e in exc.errors()]
        return
    message = render(order.state, contact("order_confirmation"), config)
    assert "SO-1" in message.subject


def test_given_catalog_request_when_follow_up_rendered_then_catalog_swatches_and_design_advice(
    config: OutreachConfig,
) -> None:
    request = parse_detail(
        "Catalog Requested",
        {
            "requestId": "CR-1",
            "customer": {"name": "Grace Hopper", "email": "grace@example.com"},
            "postalAddress": {"line1": "1 Main St", "city": "Arlington", "postalCode": "22201", "country": "US"},
        },
    )
    message = render_catalog_contact(request, config)
    assert message.text.startswith("Dear Grace,")
    assert "catalog" in message.subject.lower()
    assert "1 Main St, Arlington 22201, US" in message.text  # as the US post writes it
    assert "free fabric swatches" in message.text
    assert "free design advice" in message.text
    assert message.promised_date is None


@pytest.mark.parametrize("mode", ["html", "text"])
def test_every_phrase_taken_as_its_own_text_is_what_jinja2_renders_of_it(mode: str) -> None:
    # rendering skips jinja2 for a phrase without template syntax: it must read exactly as jinja2 would render it
    from outreach_lambda.domain.rendering import _compiled, _engine, _is_static, languages

    engine = _engine()
    static = 0
    for language in languages():
        for section in engine.copy(language).values():
            for source in section.values():
                if isinstance(source, str) and _is_static(source):
                    static += 1
                    assert str(_compiled(engine, mode, source).render({})) == source
    assert static > 0
    assert not _is_static("Hello {{ first_name }}") and not _is_static("a\r\nb") and not _is_static("{% if x %}")


@pytest.mark.parametrize("kind", DATED_KINDS)
def test_given_a_text_message_contact_when_rendered_then_the_sms_and_subject_are_the_e_mails_and_no_pages_are_made(
    requoted: OrderState, config: OutreachConfig, kind: str
) -> None:
    by_email, by_sms = render(requoted, contact(kind), config), render(requoted, contact(kind, "sms"), config)
    said = (by_sms.sms, by_sms.subject, by_sms.promised_date)
    assert said == (by_email.sms, by_email.subject, by_email.promised_date)
    assert by_sms.html == by_sms.text == ""  # an SMS-only contact renders no e-mail pages (~0.3 ms saved)


def test_given_an_order_recorded_with_the_ops_free_fix_offer_when_acknowledged_then_the_customer_reads_no_ops_text(
    order: OrderRun, config: OutreachConfig
) -> None:
    """Orders recorded before the general offer was kept for ops alone still hold it as their remedy: the
    acknowledgement (e-mail and SMS) apologises and promises the call, and names no fix."""
    order.place()
    order.state.feedback_rating = 2
    order.state.feedback_remedy = SUGGESTED_FIX
    mail = render(order.state, contact("feedback_acknowledgement"), config)
    sms = render(order.state, contact("feedback_acknowledgement", "sms"), config).sms
    for text in (mail.text, mail.html, sms):
        assert "free fix" not in text and "the customer" not in text, text
    assert "call you within one business day" in mail.text
    assert "We call you within one business day" in sms


def test_given_unsent_notices_when_the_next_delay_notice_rendered_then_it_cites_what_the_customer_heard(
    config: OutreachConfig, order: OrderRun
) -> None:
    """Promised 30 Nov, re-quoted 10 Dec, then again: the notice cites the latest date a contact that really went
    out (any channel) stated, never one of a notice superseded, skipped, parked or failed before it was sent."""
    order.place()
    for when, estimate in (("2026-11-12T10:00:00Z", "2026-11-26T09:00:00Z"), ("2026-11-14T10:00:00Z", "2026-12-20")):
        order.feed("Production Delayed", {"orderId": "SO-1", "estimatedCompletion": estimate}, at(when))
    state = order.state
    first, second, current = (q.promised_date for q in state.quotes)
    confirmed, notified, now = at("2026-11-02T09:00:00Z"), at("2026-11-12T10:00:00Z"), at("2026-11-14T10:00:00Z")

    def previous(told: list[tuple[datetime, date]]) -> str:
        text = render(state, contact("delay_notice"), config, told=told).text
        return text.split("we cannot deliver by ")[1].split(" as promised")[0]

    assert previous([(confirmed, first)]) == FIRST_PROMISE_TEXT  # the 10 Dec notice never went out
    assert previous([(confirmed, first), (notified, second)]) == NEW_PROMISE_TEXT  # it did (e-mail or SMS)
    # This notice's own SMS went first: the customer still heard 10 Dec last before the new date.
    assert previous([(confirmed, first), (notified, second), (now, current)]) == NEW_PROMISE_TEXT
    assert previous([]) == FIRST_PROMISE_TEXT  # nothing dated reached them: the promise they ordered with
