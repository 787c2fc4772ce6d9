"""What a customer's mail client receives, through the real handlers and SES v2 on moto: multipart e-mail
(plain text and HTML) in the customer's language, the shop as sender, Reply-To, and List-Unsubscribe with
one-click unsubscribe on the non-transactional messages only."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from outreach_lambda.domain.links import ACTION_PATH

from outreach.cli import main
from outreach.simulator import world
from tests.simulation.conftest import event, placed, simulate

BRANDING = {
    "shopName": "Sofa Atelier",
    "branding": {"unsubscribeUrl": "https://shop.example/unsubscribe", "replyTo": "help@shop.example"},
}


def _mails(result) -> dict[str, EmailMessage]:
    out = {}
    for contact, content in zip(result.contacts, result.sent, strict=True):
        if contact["channel"] == "email":
            out[contact["kind"]] = email.message_from_bytes(content, policy=email.policy.default)
    return out


def test_given_a_german_customer_when_the_timeline_runs_then_every_mail_is_german_html_and_text(happy_events):
    happy_events[0] = placed(customer={"locale": "de-DE", "phone": "+4915112345678", "channels": ["email", "sms"]})
    result = simulate(happy_events, config=BRANDING)
    mails = _mails(result)
    assert set(mails) == {"order_confirmation", "production_update", "shipped", "satisfaction_check"}
    confirmation = mails["order_confirmation"]
    assert confirmation["Subject"] == "Vielen Dank für Ihre Bestellung SO-1"
    assert confirmation["From"].addresses[0].display_name == "Sofa Atelier"
    assert confirmation["Reply-To"] == "help@shop.example"
    assert confirmation["Content-Language"] == "de-DE"
    assert confirmation.get_content_type() == "multipart/alternative"
    text = confirmation.get_body(preferencelist=("plain",)).get_content()
    html = confirmation.get_body(preferencelist=("html",)).get_content()
    assert "Montag, 30. November 2026" in text and "Montag, 30. November 2026" in html
    assert "Oslo three-seater sofa" in html
    sms = [c for c in result.contacts if c["channel"] == "sms"]
    assert sms and all(c["to"] == "+4915112345678" for c in sms)
    texts = [s for c, s in zip(result.contacts, result.sent, strict=True) if c["channel"] == "sms"]
    assert any("30.11.2026" in t for t in texts)


def test_given_unsubscribe_endpoint_then_only_the_satisfaction_check_offers_one_click_unsubscribe(happy_events):
    mails = _mails(simulate(happy_events, config=BRANDING))
    check = mails["satisfaction_check"]
    # The https one is the message's signed unsubscribe link to the customer action endpoint (it replaces the
    # shop's own unsubscribeUrl): a POST to it, as a mail client's one click, unsubscribes.
    signed, mailto = (uri.strip().strip("<>") for uri in check["List-Unsubscribe"].split(","))
    assert signed.startswith(world.ACTIONS_BASE_URL + ACTION_PATH + "v1.")
    assert mailto == "mailto:help@shop.example?subject=unsubscribe+SO-1"
    assert check["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = check.get_body(preferencelist=("html",)).get_content()
    assert signed in html and "https://shop.example/unsubscribe" not in html
    for kind in ("order_confirmation", "production_update", "shipped"):
        assert mails[kind]["List-Unsubscribe"] is None, kind


def test_given_no_shop_unsubscribe_url_nor_reply_to_then_the_signed_link_alone_gives_one_click(happy_events):
    check = _mails(simulate(happy_events))["satisfaction_check"]
    signed = check["List-Unsubscribe"].strip().strip("<>")
    assert signed.startswith(world.ACTIONS_BASE_URL + ACTION_PATH + "v1.") and "," not in signed
    assert check["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_given_catalog_request_then_its_follow_up_is_non_transactional():
    result = simulate(
        [
            {
                "at": "PT0S",
                "detailType": "Catalog Requested",
                "detail": {
                    "requestId": "CR-9",
                    "customer": {"name": "Grace Hopper", "email": "grace@example.com", "locale": "en-GB"},
                },
            }
        ],
        until="P1D",
        config=BRANDING,
    )
    mail = _mails(result)["catalog_follow_up"]
    assert mail["Subject"] == "Your Sofa Atelier catalog is on its way"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_given_simulate_out_then_every_sent_message_is_written(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr("outreach.preview.browser", lambda: None)  # screenshots: tests/unit/test_messages_browser
    assert main(["simulate", "examples/happy_path.json", "--out", str(tmp_path)]) == 0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len([n for n in names if n.endswith(".eml")]) == 4
    assert len([n for n in names if n.endswith(".html")]) == 4
    confirmation = next(tmp_path.glob("*-SO-1-order_confirmation.txt")).read_text(encoding="utf-8")
    assert confirmation.startswith("Subject: Thank you for your order SO-1\n\n")


def test_given_preview_of_a_kind_then_subject_html_text_sms_and_a_screenshot_are_written(tmp_path: Path, capsys):
    assert main(["preview", "shipped", "--locale", "de-DE", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "subject: Ihre Bestellung SO-1042 ist unterwegs" in out
    assert "sms (2 segment(s))" in out
    written = {p.name for p in tmp_path.iterdir()}
    assert {"shipped.de-DE.html", "shipped.de-DE.txt", "shipped.de-DE.sms.txt"} <= written
    from outreach import preview

    if preview.browser() is not None:
        png = tmp_path / "shipped.de-DE.png"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_given_preview_of_a_scenario_order_then_it_shows_what_was_sent(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setattr("outreach.preview.browser", lambda: None)
    args = ["preview", "delay_notice", "--scenario", "examples/production_delay.json", "--order", "SO-3"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    [text] = list(tmp_path.glob("*-SO-3-delay_notice.txt"))
    assert text.read_text(encoding="utf-8").startswith("Subject: Your order SO-3: a new delivery date")
    assert "(no screenshots: no chromium on PATH" in capsys.readouterr().out


def test_given_bad_preview_arguments_then_exit_2_naming_the_argument(tmp_path: Path, capsys):
    assert main(["preview", "thank_you_card", "--out", str(tmp_path)]) == 2
    assert "KIND: unknown contact kind 'thank_you_card'" in capsys.readouterr().err
    assert main(["preview", "shipped", "--order", "SO-1", "--out", str(tmp_path)]) == 2
    assert "--order needs --scenario" in capsys.readouterr().err
    args = ["preview", "shipped", "--scenario", "examples/happy_path.json", "--order", "SO-404"]
    assert main([*args, "--out", str(tmp_path)]) == 2
    assert "--order: no shipped was sent for 'SO-404'" in capsys.readouterr().err


def _texts(result, order_id: str, kind: str) -> dict[str, str]:
    """What the customer of ``order_id`` read in ``kind``, per channel: the e-mail's plain text and HTML, the SMS."""
    out = {}
    for contact, content in zip(result.contacts, result.sent, strict=True):
        if (contact["orderId"], contact["kind"]) != (order_id, kind):
            continue
        if contact["channel"] == "email":
            mail = email.message_from_bytes(content, policy=email.policy.default)
            out["text"] = mail.get_body(preferencelist=("plain",)).get_content()
            out["html"] = mail.get_body(preferencelist=("html",)).get_content()
        else:
            out["sms"] = content if isinstance(content, str) else content.decode()
    return out


def test_given_a_low_rating_matching_no_remedy_then_the_customer_gets_the_apology_and_call_but_no_ops_text():
    """The general free-fix offer is ops' instruction (suggestedFix); a customer is promised the call and no fix
    named, in every language, on every channel, during the timeline and after it ended. A comment matching the
    remedy table still names its fix."""
    sms = {"phone": "+4915112340003", "channels": ["email", "sms"]}
    events = [
        placed(orderId="FB-US", customer={"locale": "en-US", **sms}),
        placed(orderId="FB-GB", customer={"locale": "en-GB", "email": "gb@example.com"}),
        placed(orderId="FB-DE", customer={"locale": "de-DE", "email": "de@example.com"}),
        placed(orderId="FB-LATE", customer={"locale": "en-US", "email": "late@example.com"}),
        placed(orderId="FB-FIRM", customer={"locale": "en-US", "email": "firm@example.com"}),
        event("P2D", "Feedback Received", orderId="FB-US", rating=2),
        event("P2D", "Feedback Received", orderId="FB-GB", rating=3, comment="the legs wobble"),
        event("P2D", "Feedback Received", orderId="FB-DE", rating=1),
        event("P2D", "Feedback Received", orderId="FB-FIRM", rating=2, comment="cushions are too firm"),
        # FB-LATE: delivered, and its timeline over (satisfaction check sent) before the feedback comes.
        event("P1D", "Order Delivered", orderId="FB-LATE"),
        event("P9D", "Feedback Received", orderId="FB-LATE", rating=2),
    ]
    result = simulate(events, until="P10D")
    assert {o["orderId"]: o["status"] for o in result.orders}["FB-LATE"] == "SUCCEEDED"

    for order_id in ("FB-US", "FB-GB", "FB-DE", "FB-LATE"):
        texts = _texts(result, order_id, "feedback_acknowledgement")
        assert "text" in texts, order_id
        for channel, text in texts.items():
            assert "the customer" not in text and "offer a free fix" not in text, (order_id, channel, text)
            assert "free fix" not in text and "kostenlose Lösung" not in text, (order_id, channel, text)
    assert "call you within one business day" in _texts(result, "FB-US", "feedback_acknowledgement")["text"]
    assert "We call you within one business day" in _texts(result, "FB-US", "feedback_acknowledgement")["sms"]
    assert "innerhalb eines Werktags an" in _texts(result, "FB-DE", "feedback_acknowledgement")["text"]
    firm = _texts(result, "FB-FIRM", "feedback_acknowledgement")["text"]
    assert "As a free fix we would like to offer you free softer cushion inserts, sent at once." in firm
    # Ops still get the general offer to act on.
    fixes = {a["orderId"]: a["details"]["suggestedFix"] for a in result.alerts if a["kind"] == "negative_feedback"}
    assert fixes["FB-US"].startswith("offer a free fix") and fixes["FB-LATE"].startswith("offer a free fix")
    assert fixes["FB-FIRM"] == "free softer cushion inserts, sent at once"
