"""Messages as customers get them: every kind in every shipped locale, from the template files.

Snapshots (``tests/snapshots/messages/<kind>.<locale>.{txt,html,sms.txt}``) hold the exact text, HTML and SMS
of the sample order (``outreach.preview``). After a deliberate change of copy or templates, review and update
them with ``UPDATE_SNAPSHOTS=1 make test`` (or ``UPDATE_SNAPSHOTS=1 pytest tests/unit/test_messages.py``).
"""

from __future__ import annotations

import os
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from domain_builders import OrderRun, at
from outreach_lambda.domain import sms
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import parse_detail
from outreach_lambda.domain.model import ContactOrder, Shipment
from outreach_lambda.domain.rendering import (
    COPY_DIR,
    KINDS,
    MAX_SMS_SEGMENTS,
    NON_TRANSACTIONAL_KINDS,
    NOT_ORDER_KINDS,
    render,
    render_catalog_contact,
    resolve_language,
)
from pydantic import ValidationError

from outreach import preview
from outreach import templates as template_build

LOCALES = ("en-US", "en-GB", "de-DE")
SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "messages"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"


def contact(kind: str, channel: str = "email") -> ContactOrder:
    return ContactOrder(key=f"{kind}#{channel}", kind=kind, channel=channel, dueAt=at("2026-11-20T10:00:00Z"))


def _check_snapshot(name: str, actual: str) -> None:
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"new snapshot {path.name} written: review it and run again")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} changed: review, then UPDATE_SNAPSHOTS=1 to accept"


# --- every kind x locale --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_given_sample_order_when_each_kind_rendered_in_each_locale_then_text_html_and_sms_match_snapshots(
    kind: str, locale: str, config: OutreachConfig
) -> None:
    message = preview.sample_message(kind, locale, config)
    _check_snapshot(f"{kind}.{locale}.txt", f"Subject: {message.subject}\n\n{message.text}")
    _check_snapshot(f"{kind}.{locale}.html", message.html)
    _check_snapshot(f"{kind}.{locale}.sms.txt", message.sms + "\n")


def test_given_the_snapshot_directory_then_it_holds_no_snapshot_of_a_kind_or_locale_that_is_gone() -> None:
    wanted = {f"{k}.{loc}.{ext}" for k in KINDS for loc in LOCALES for ext in ("txt", "html", "sms.txt")}
    assert {p.name for p in SNAPSHOTS.iterdir()} <= wanted


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_given_any_kind_and_locale_then_html_is_well_formed_and_in_the_customers_language(
    kind: str, locale: str, config: OutreachConfig
) -> None:
    message = preview.sample_message(kind, locale, config)
    checker = _Balanced()
    checker.feed(message.html)
    assert checker.open == [], f"unclosed elements {checker.open}"
    assert f'<html lang="{locale}"' in message.html
    assert message.locale == locale
    assert "{{" not in message.html + message.text + message.sms and "{%" not in message.html + message.text


class _Balanced(HTMLParser):
    VOID = frozenset({"meta", "br", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


# --- language and dates ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected_date", "greeting"),
    [
        pytest.param("en-US", "Monday, November 30, 2026", "Dear Ada,", id="en-US"),
        pytest.param("en-GB", "Monday, 30 November 2026", "Dear Ada,", id="en-GB"),
        pytest.param("de-DE", "Montag, 30. November 2026", "Hallo Ada,", id="de-DE"),
        pytest.param("de-AT", "Montag, 30. November 2026", "Hallo Ada,", id="de-AT-regional-dates"),
        pytest.param("de", "Montag, 30. November 2026", "Hallo Ada,", id="language-only"),
        pytest.param("en-AU", "Monday, 30 November 2026", "Dear Ada,", id="other-english-own-dates"),
        pytest.param("fr-FR", "Monday, November 30, 2026", "Dear Ada,", id="no-french-copy-default"),
        pytest.param("de-XX", "Montag, 30. November 2026", "Hallo Ada,", id="unknown-region-language"),
        pytest.param(None, "Monday, November 30, 2026", "Dear Ada,", id="no-locale-default"),
    ],
)
def test_given_customer_locale_when_confirmation_rendered_then_language_and_date_style_follow_it(
    config: OutreachConfig, locale: str | None, expected_date: str, greeting: str
) -> None:
    order = OrderRun(config)
    detail_locale = {"locale": locale} if locale else {}
    order.place()
    assert order.state is not None
    customer = order.state.order.customer.model_copy(update={"locale": None, **detail_locale})
    state = order.state.model_copy(update={"order": order.state.order.model_copy(update={"customer": customer})})
    message = render(state, contact("order_confirmation"), config)
    assert message.text.startswith(greeting)
    assert expected_date in message.text
    assert expected_date in message.html


def test_given_shop_default_locale_german_when_customer_gives_none_then_message_is_german(
    order: OrderRun,
) -> None:
    config = OutreachConfig.model_validate({"branding": {"defaultLocale": "de-DE"}})
    order.place()
    assert order.state is not None
    customer = order.state.order.customer.model_copy(update={"locale": None})
    state = order.state.model_copy(update={"order": order.state.order.model_copy(update={"customer": customer})})
    message = render(state, contact("order_confirmation"), config)
    assert message.subject == "Vielen Dank für Ihre Bestellung SO-1"
    assert "Montag, 30. November 2026" in message.text


def test_given_customer_far_west_when_rendered_then_the_date_is_the_ledgers_local_date(config: OutreachConfig) -> None:
    """Placed 02:00 UTC on 3 Nov is still 2 Nov in Los Angeles: the promise counts from the local date."""
    order = OrderRun(config)
    order.place(placed_at="2026-11-03T02:00:00Z", timezone="America/Los_Angeles")
    assert order.state is not None
    assert order.state.promised.isoformat() == "2026-11-30"
    assert "Monday, 30 November 2026" in render(order.state, contact("order_confirmation"), config).text


def test_given_a_shop_gesture_in_german_when_german_delay_notice_rendered_then_it_is_offered_in_german() -> None:
    config = OutreachConfig.model_validate(
        {"goodwillGesture": "a free set of cushions", "goodwillGestures": {"de": "ein Satz Kissen gratis"}}
    )
    assert "ein Satz Kissen gratis" in preview.sample_message("delay_notice", "de-DE", config).text
    assert "a free set of cushions" in preview.sample_message("delay_notice", "en-US", config).text
    assert "Expresslieferung" in preview.sample_message("delay_notice", "de-DE", OutreachConfig()).text


def test_every_language_has_every_phrase_english_has() -> None:
    english = tomllib.loads((COPY_DIR / "en.toml").read_text(encoding="utf-8"))
    for path in COPY_DIR.glob("*.toml"):
        copy = tomllib.loads(path.read_text(encoding="utf-8"))
        for section, phrases in english.items():
            missing = set(phrases) - set(copy.get(section, {}))
            assert not missing, f"{path.name} [{section}] lacks {sorted(missing)}"
        for kind in KINDS:
            for key in ("subject", "preheader", "heading", "sms"):
                assert key in copy[kind], f"{path.name} [{kind}] lacks {key}"


def test_given_a_locale_there_is_no_copy_for_as_shop_default_then_the_config_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError, match=r"branding\.defaultLocale[\s\S]*no copy for 'fr-FR'"):
        OutreachConfig.model_validate({"branding": {"defaultLocale": "fr-FR"}})
    assert resolve_language("fr-FR", "de-DE").copy == "de"


# --- branding -------------------------------------------------------------------------------------------------------


def test_given_branding_when_rendered_then_logo_colours_address_and_reply_to_are_the_shops(
    config: OutreachConfig,
) -> None:
    branded = OutreachConfig.model_validate(
        {
            "shopName": "Sofa Atelier",
            "branding": {
                "logoUrl": "https://cdn.shop.example/logo.png",
                "primaryColor": "#7A1F3D",
                "postalAddress": "Atelierweg 3, 10115 Berlin",
                "replyTo": "help@shop.example",
                "websiteUrl": "https://shop.example/",
            },
        }
    )
    message = preview.sample_message("order_confirmation", "de-DE", branded)
    assert 'src="https://cdn.shop.example/logo.png"' in message.html
    assert 'alt="Sofa Atelier"' in message.html
    assert "#7A1F3D" in message.html
    assert "Atelierweg 3, 10115 Berlin" in message.html
    assert "Atelierweg 3, 10115 Berlin" in message.text
    assert message.reply_to == "help@shop.example"
    assert message.from_name == "Sofa Atelier"


@pytest.mark.parametrize(
    ("branding", "field"),
    [
        pytest.param({"primaryColor": "red"}, "branding.primaryColor", id="colour-name"),
        pytest.param({"logoUrl": "http://cdn.example/logo.png"}, "branding.logoUrl", id="logo-not-https"),
        pytest.param({"logoUrl": 'https://x.example/a"onerror="x'}, "branding.logoUrl", id="logo-quote"),
        pytest.param({"unsubscribeUrl": "javascript:alert(1)"}, "branding.unsubscribeUrl", id="unsubscribe-js"),
        pytest.param({"replyTo": "not an address"}, "branding.replyTo", id="reply-to"),
        pytest.param({"postalAddress": "a\nBcc: x"}, "branding.postalAddress", id="address-newline"),
        pytest.param({"postalAddress": "x" * 201}, "branding.postalAddress", id="address-long"),
        pytest.param({"defaultLocale": "english"}, "branding.defaultLocale", id="locale"),
        pytest.param({"logoWidth": 5000}, "branding.logoWidth", id="logo-width"),
        pytest.param({"colour": "#000000"}, "branding.colour", id="unknown-key"),
    ],
)
def test_given_bad_branding_then_config_is_refused_naming_the_field(branding: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as error:
        OutreachConfig.model_validate({"branding": branding})
    assert field in str(error.value)


# --- hostile input --------------------------------------------------------------------------------------------------

HOSTILE_NAME = '<script>alert("x")</script> Mallory'
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt" * 2
RTL_LINE = "شارع الملك فهد ١٢"
EMOJI_ITEM = "Sofa 🛋️ <b>bold</b> & co"


@pytest.fixture
def hostile(config: OutreachConfig) -> OrderRun:
    order = OrderRun(config)
    order.place(name=HOSTILE_NAME, line2=RTL_LINE)
    assert order.state is not None
    order.state.order.items[0] = order.state.order.items[0].model_copy(update={"description": EMOJI_ITEM})
    address = order.state.order.shipping_address.model_copy(update={"line1": LONG_WORD})
    order.state.order = order.state.order.model_copy(update={"shipping_address": address})
    order.state.shipment = Shipment(
        carrier="DHL <Freight>",
        trackingNumber="JJD0099887766",
        trackingUrl='https://track.example/?a=1&b="2"',
        deliveryDetails="Line one <img src=x onerror=alert(1)>\nLine two",
        shippedAt=at("2026-11-20T10:00:00Z"),
    )
    order.state.cancel_reason = "<script>bad()</script>"
    return order


@pytest.mark.parametrize("kind", ["order_confirmation", "production_update", "shipped", "cancellation_confirmation"])
def test_given_hostile_names_and_addresses_when_rendered_then_html_escapes_them_and_text_keeps_them(
    hostile: OrderRun, config: OutreachConfig, kind: str
) -> None:
    assert hostile.state is not None
    message = render(hostile.state, contact(kind), config)
    assert "<script" not in message.html
    assert "<img src=x" not in message.html
    assert "<b>bold</b>" not in message.html
    assert "&lt;script&gt;" in message.html  # the name is shown, as text
    assert message.text.startswith("Dear <script>alert")  # plain text needs no escaping
    if kind in ("production_update", "shipped"):
        assert LONG_WORD in message.html and RTL_LINE in message.html
        assert 'dir="auto"' in message.html  # right-to-left lines run right to left
    if kind == "shipped":
        assert 'href="https://track.example/?a=1&amp;b=&#34;2&#34;"' in message.html
        assert "Line one &lt;img src=x" in message.html
    assert "Mallory" not in message.sms and "alert" not in message.sms
    assert "Sofa 🛋️" not in message.sms


def test_given_hostile_catalog_request_when_rendered_then_escaped(config: OutreachConfig) -> None:
    request = parse_detail(
        "Catalog Requested",
        {
            "requestId": "CR-1",
            "customer": {"name": "<b>Eve</b>", "email": "eve@example.com"},
            "postalAddress": {"line1": RTL_LINE, "city": LONG_WORD[:100], "postalCode": "1", "country": "SA"},
        },
    )
    message = render_catalog_contact(request, config)  # type: ignore[arg-type]
    assert "<b>Eve</b>" not in message.html and "&lt;b&gt;Eve&lt;/b&gt;" in message.html
    assert RTL_LINE in message.html


# --- SMS ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_given_sample_order_when_sms_rendered_then_gsm7_within_its_segment_bound_and_no_personal_data(
    kind: str, locale: str, config: OutreachConfig
) -> None:
    message = preview.sample_message(kind, locale, config)
    assert sms.is_gsm7(message.sms), [c for c in message.sms if not sms.is_gsm7(c)]
    assert 1 <= message.sms_segments <= MAX_SMS_SEGMENTS[kind]
    sample = preview.SAMPLE_CUSTOMERS[locale]
    for private in (sample["customer"]["name"].split()[0], sample["address"]["line1"], "customer@example.com"):
        assert private not in message.sms


def test_given_longest_names_and_ids_when_sms_rendered_then_still_within_the_bound(config: OutreachConfig) -> None:
    """A 100-character shop name, a 64-character order id and tracking number, a carrier in Cyrillic."""
    shop = OutreachConfig.model_validate({"shopName": "Ä" * 100, "supportPhone": "+49 (0) 30 1234 5678 90"})
    order = OrderRun(shop)
    order.place(order_id="S" * 64)
    assert order.state is not None
    order.state.shipment = Shipment(
        carrier="Почта России Экспресс Доставка" * 2,
        trackingNumber="T" * 64,
        trackingUrl="https://track.example/" + "x" * 470,
        shippedAt=at("2026-11-20T10:00:00Z"),
    )
    for kind in [k for k in KINDS if k not in NOT_ORDER_KINDS]:
        message = render(order.state, contact(kind, "sms"), shop)
        assert message.sms_segments <= MAX_SMS_SEGMENTS[kind], (kind, message.sms)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        pytest.param("", 0, id="empty"),
        pytest.param("a" * 160, 1, id="160-gsm"),
        pytest.param("a" * 161, 2, id="161-gsm"),
        pytest.param("a" * 306, 2, id="306-gsm"),
        pytest.param("a" * 307, 3, id="307-gsm"),
        pytest.param("€" * 80, 1, id="extension-counts-two"),
        pytest.param("€" * 81, 2, id="extension-81"),
        pytest.param("Grüße aus Köln" + "a" * 146, 1, id="german-umlauts-are-gsm"),
        pytest.param("ł" * 70, 1, id="70-ucs2"),
        pytest.param("ł" * 71, 2, id="71-ucs2"),
        pytest.param("ł" * 134, 2, id="134-ucs2"),
        pytest.param("ł" * 135, 3, id="135-ucs2"),
        pytest.param("🛋" * 35, 1, id="emoji-two-units"),
    ],
)
def test_segment_counts(text: str, parts: int) -> None:
    assert sms.segments(text) == parts


def test_given_typographic_characters_when_made_gsm7_then_look_alikes_replace_them() -> None:
    typographic = "\u201cReady\u201d \u2013 it\u2019s\u2026 café Ångström Łódź"
    assert sms.to_gsm7(typographic) == '"Ready" - it\'s... café Ångström Łodz'
    assert sms.is_gsm7(sms.to_gsm7(typographic[:-5]))


def test_given_text_too_long_when_fitted_then_cut_with_ellipsis_within_the_bound() -> None:
    assert sms.segments(sms.fit("word " * 100, 2)) == 2
    assert sms.fit("word " * 100, 2).endswith("...")
    assert sms.fit("short", 1) == "short"


# --- unsubscribe ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_given_kind_when_rendered_then_only_non_transactional_kinds_carry_unsubscribe_links(kind: str) -> None:
    config = OutreachConfig.model_validate(
        {"branding": {"unsubscribeUrl": "https://shop.example/unsubscribe", "replyTo": "help@shop.example"}}
    )
    message = preview.sample_message(kind, "en-US", config, signed_links=False)
    signed = preview.sample_message(kind, "en-US", config)
    if kind in NON_TRANSACTIONAL_KINDS:
        # With the action endpoint: its signed unsubscribe link (a POST to it unsubscribes: one click).
        assert signed.list_unsubscribe[0].startswith("https://actions.shop.example/a/v1.k1.") and signed.one_click
        assert signed.list_unsubscribe[1].startswith("mailto:help@shop.example?subject=unsubscribe")
        assert "https://shop.example/unsubscribe" not in signed.html
        # Without it: the shop's own unsubscribe endpoint.
        assert message.list_unsubscribe[0].startswith("https://shop.example/unsubscribe?ref=")
        assert message.list_unsubscribe[1].startswith("mailto:help@shop.example?subject=unsubscribe")
        assert message.one_click
        assert "https://shop.example/unsubscribe?ref=" in message.html
        assert "Unsubscribe: https://shop.example/unsubscribe?ref=" in message.text
    else:
        assert message.list_unsubscribe == () and signed.list_unsubscribe == ()
        assert "unsubscribe" not in message.html.lower() and "unsubscribe" not in signed.html.lower()


def test_no_message_carries_a_tracking_pixel_or_remote_image_but_the_logo(config: OutreachConfig) -> None:
    for kind in KINDS:
        html = preview.sample_message(kind, "en-US", config).html
        assert "<img" not in html


# --- the inlined templates are current ------------------------------------------------------------------------------


def test_the_checked_in_inlined_templates_are_what_make_templates_writes() -> None:
    assert template_build.stale() == [], "run `make templates` and commit templates/inlined/"


def test_given_a_template_tag_between_table_rows_when_built_then_the_build_refuses_it(tmp_path: Path) -> None:
    source = tmp_path / "bad.html"
    source.write_text("<table><tr><td>a</td></tr>{% if x %}<tr><td>b</td></tr>{% endif %}</table>")
    with pytest.raises(template_build.TemplateBuildError, match="moved or changed a template tag"):
        template_build.inline(source, "td { color: red; }")


def test_every_style_rule_is_in_the_elements_of_the_inlined_html(config: OutreachConfig) -> None:
    html = preview.sample_message("shipped", "en-US", config).html
    assert re.search(r'class="button"[^>]*style="[^"]*border-radius: 6px', html)
    assert re.search(r'class="fact-value"[^>]*style="[^"]*font-weight: bold', html)


# --- any text a customer or producer may send ----------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_ANY_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="\u202a\u202b\u202c\u202d\u202e"),
    min_size=1,
    max_size=80,
).filter(lambda t: t.strip() != "")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_ANY_TEXT, line=_ANY_TEXT, item=_ANY_TEXT, reason=_ANY_TEXT)
def test_given_any_names_addresses_and_reasons_then_html_escapes_them_and_sms_stays_in_bounds(
    config: OutreachConfig, name: str, line: str, item: str, reason: str
) -> None:
    order = OrderRun(config)
    order.place(name=name, line2=line)
    assert order.state is not None
    order.state.order.items[0] = order.state.order.items[0].model_copy(update={"description": item})
    order.state.cancel_reason = reason
    plain = OrderRun(config)
    plain.place(name="x", line2="x")
    assert plain.state is not None
    plain.state.order.items[0] = plain.state.order.items[0].model_copy(update={"description": "x"})
    plain.state.cancel_reason = "x"
    for kind in ("order_confirmation", "production_update", "cancellation_confirmation"):
        message = render(order.state, contact(kind), config)
        checker, same_shape = _Balanced(), _Balanced()
        checker.feed(message.html)
        same_shape.feed(render(plain.state, contact(kind), config).html)
        assert checker.open == []
        # Shown escaped, never as markup: any text gives exactly the elements a plain "x" gives.
        assert checker.tags == same_shape.tags
        assert message.sms_segments <= MAX_SMS_SEGMENTS[kind]
        # The SMS says nothing of the name, the address, the items or the reason: it is the same for anyone.
        assert message.sms == render(plain.state, contact(kind), config).sms
