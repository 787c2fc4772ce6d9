"""The e-mail on the wire (``adapters.messaging.mime``): what the customer's mail client shows is what the first
version of ``mime`` (the modern ``EmailMessage`` API with ``policy=SMTP``, kept below as ``reference_mime``) gave,
for every kind in every language and for awkward shop names, subjects and addresses; and the bytes keep the rules
SES and receiving servers hold them to."""

from __future__ import annotations

import email
import email.policy
import random
import re
from dataclasses import replace
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from outreach_lambda.adapters import messaging
from outreach_lambda.adapters.messaging import mime
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.rendering import KINDS, Message, languages

from outreach.preview import SAMPLE_CUSTOMERS, from_mime, sample_message

SENDER = "shop@mail.shop.example"
TO = "customer@example.com"
REPLY_TO = "help@shop.example"
#: A sample locale per language there is copy for (and British English for its date style).
LOCALES = sorted(
    {next(tag for tag in SAMPLE_CUSTOMERS if tag.split("-")[0] == lang) for lang in languages()} | {"en-GB"}
)
HEADERS = ("Subject", "To", "Reply-To", "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Language")
ENCODED_WORD = re.compile(rb"=\?([^?]+)\?([bBqQ])\?([^?]*)\?=")


def reference_mime(sender: str, to: str, message: Message, default_reply_to: str | None = None) -> bytes:
    """``mime`` as it was first written (the oracle: what customers got)."""
    from email.headerregistry import Address
    from email.policy import SMTP

    mail = EmailMessage(policy=SMTP)
    mail["Subject"] = message.subject
    mail["From"] = Address(display_name=message.from_name or "", addr_spec=sender)
    mail["To"] = to
    if message.reply_to or default_reply_to:
        mail["Reply-To"] = message.reply_to or default_reply_to
    if message.non_transactional:
        links = message.list_unsubscribe or (f"mailto:{sender}?subject=unsubscribe",)
        mail["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links)
        if message.one_click:
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    mail["Content-Language"] = message.locale
    return mail.as_bytes()


def generator_mime(sender: str, to: str, message: Message, default_reply_to: str | None = None) -> bytes:
    """``mime`` as the second version wrote it, through the ``compat32`` message classes and
    ``email.generator.BytesGenerator`` (the oracle for the bytes: ``mime`` now writes the frame itself)."""
    from email.charset import BASE64, QP, Charset
    from email.header import Header
    from email.message import Message as MimePart
    from email.policy import compat32
    from email.utils import formataddr

    plain = Charset("utf-8")
    plain.body_encoding = None  # type: ignore[assignment]
    encoded = Charset("utf-8")
    encoded.body_encoding = QP
    encoded.header_encoding = BASE64
    wire = compat32.clone(linesep="\r\n", mangle_from_=False, max_line_length=998)
    mail = MimePart()
    mail["Subject"] = messaging._folded("Subject", message.subject, encoded)
    name = message.from_name or ""
    if name.isascii() and "=?" not in name:
        mail["From"] = formataddr((name, sender))
    else:
        shop = Header(name, encoded, maxlinelen=78 - len("From: "))
        shop.append(f"<{sender}>", "us-ascii")
        mail["From"] = shop.encode(linesep="\r\n")
    mail["To"] = to
    reply_to = message.reply_to or default_reply_to
    if reply_to:
        mail["Reply-To"] = reply_to
    if message.non_transactional:
        links = message.list_unsubscribe or (f"mailto:{sender}?subject=unsubscribe",)
        mail["List-Unsubscribe"] = ", ".join(f"<{link}>" for link in links)
        if message.one_click:
            mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail["MIME-Version"] = "1.0"
    if message.html:
        text, html = messaging._body(message.text), messaging._body(message.html)
        mail.add_header("Content-Type", "multipart/alternative", boundary=messaging._boundary(text, html))
        for body, subtype in ((text, "plain"), (html, "html")):
            part = MimePart()
            part.set_payload(body, plain if messaging._seven_bit_lines(body) is not None else encoded)
            if subtype != "plain":
                part.set_type(f"text/{subtype}")
            del part["MIME-Version"]
            mail.attach(part)
    else:
        body = messaging._body(message.text)
        mail.set_payload(body, plain if messaging._seven_bit_lines(body) is not None else encoded)
    mail["Content-Language"] = message.locale
    return mail.as_bytes(policy=wire)


def same_bytes_as_the_generator(message: Message, to: str = TO, default_reply_to: str | None = REPLY_TO) -> None:
    """``mime`` writes, byte for byte, what the standard library's generator writes for the same message (the
    boundary drawn from the same random state)."""
    random.seed(7)
    raw = mime(SENDER, to, message, default_reply_to=default_reply_to)
    random.seed(7)
    assert raw == generator_mime(SENDER, to, message, default_reply_to=default_reply_to)


def shown(raw: bytes) -> dict[str, object]:
    """What a mail client shows of ``raw``: the decoded headers, the parts in order and their decoded text."""
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    # The sender as RFC 2047 6.2 reads it (white space between two encoded-words is not shown): the address parser
    # of policy.default keeps it (a space inside a word of a long Cyrillic name), so the raw field is decoded here.
    name, address = parseaddr(email.message_from_bytes(raw)["From"])
    sender = (str(make_header(decode_header(name))), address)
    return {
        # stripped: the first version folded a long List-Unsubscribe before its first word (" <https:...>")
        **{name: None if mail[name] is None else str(mail[name]).strip() for name in HEADERS},
        "From": sender,
        "parts": [part.get_content_type() for part in mail.walk()],
        "bodies": [part.get_content() for part in mail.walk() if not part.is_multipart()],  # type: ignore[attr-defined]
    }


def check_the_wire(raw: bytes) -> None:
    """What SES and receiving servers require of the bytes (RFC 5322, RFC 2045/2047, SES's RawMessage criteria)."""
    raw.decode("utf-8")  # moto decodes it so, and it is what the charset parameters say
    assert b"\r" not in raw.replace(b"\r\n", b"") and b"\n" not in raw.replace(b"\r\n", b""), "bare CR or LF"
    lines = raw.split(b"\r\n")
    assert max(len(line) for line in lines) <= 998, "a line over 998 octets (RFC 5322 2.1.1)"
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii(), "non-ASCII in a header: it must be an RFC 2047 encoded-word"
    for word in ENCODED_WORD.finditer(head):
        assert len(word.group(0)) <= 75, f"encoded-word longer than 75 characters (RFC 2047 2): {word.group(0)!r}"
    # RFC 2369: the URIs as they are, in angle brackets (the first version wrote long ones as encoded-words)
    unsubscribe = email.message_from_bytes(raw)["List-Unsubscribe"]
    if unsubscribe is not None:
        assert "=?" not in unsubscribe and re.fullmatch(r"<[^<>\s]+>(,\s*<[^<>\s]+>)*", unsubscribe.strip())
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail.get_all("MIME-Version") == ["1.0"]
    for part in mail.walk():
        if part is not mail:
            assert part["MIME-Version"] is None, "MIME-Version belongs to the message's own header only"
        if part.is_multipart():
            continue
        encoding = part["Content-Transfer-Encoding"]
        assert encoding in ("7bit", "quoted-printable"), encoding
        assert part.get_content_charset() == "utf-8"
        assert not part.defects, part.defects
    assert not mail.defects, mail.defects


def same_for_the_customer(
    message: Message, to: str = TO, default_reply_to: str | None = REPLY_TO, wrong_before: str = ""
) -> bytes:
    """``message`` as ``mime`` sends it, checked: shown as ``reference_mime``'s (but for the one header
    ``wrong_before`` that the first version showed wrongly) and within the wire rules."""
    raw = mime(SENDER, to, message, default_reply_to=default_reply_to)
    same_bytes_as_the_generator(message, to, default_reply_to)
    now, before = shown(raw), shown(reference_mime(SENDER, to, message, default_reply_to=default_reply_to))
    now.pop(wrong_before, None)
    before.pop(wrong_before, None)
    assert now == before
    check_the_wire(raw)
    return raw


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", KINDS)
def test_given_each_kind_and_language_when_sent_then_the_customer_sees_what_they_saw_before(
    kind: str, locale: str, config: OutreachConfig
) -> None:
    same_for_the_customer(sample_message(kind, locale, config))
    # a deployment without the action endpoint: the shop's own unsubscribe URL and the mailto: one
    shop = OutreachConfig.model_validate(
        {"branding": {"unsubscribeUrl": "https://shop.example/unsubscribe", "replyTo": REPLY_TO}}
    )
    same_for_the_customer(sample_message(kind, locale, shop, signed_links=False))


@pytest.mark.parametrize("kind", ["order_confirmation", "satisfaction_check"])
def test_given_no_html_and_no_sms_when_sent_then_a_plain_text_mail_as_before(kind: str, config: OutreachConfig) -> None:
    message = replace(sample_message(kind, "de-DE", config), html="", sms="")
    raw = same_for_the_customer(message)
    assert shown(raw)["parts"] == ["text/plain"]


@pytest.mark.parametrize(
    "shop",
    [
        "Möbelwerkstatt Müller & Söhne, Zürich",
        "Sofa Atelier",
        'The "Best" Sofas, Inc. (since 1921) <really>',
        "Ателье диванов «Уют» — " + "очень длинное название " * 3,
        "ソファ工房 " * 12,
        "Shop =?utf-8?q?x?= literally",
    ],
)
def test_given_any_shop_name_when_sent_then_the_sender_shows_it_exactly(shop: str, config: OutreachConfig) -> None:
    message = replace(sample_message("shipped", "de-DE", config), from_name=shop[:100].strip())
    # the first version let a client decode a name that looks like an RFC 2047 word ("Shop x literally")
    raw = same_for_the_customer(message, wrong_before="From" if "=?" in shop else "")
    assert shown(raw)["From"] == (shop[:100].strip(), SENDER)


@pytest.mark.parametrize(
    "subject",
    [
        "Ihre Bestellung \u2013 Größe, Farbe & Lieferung: alles bestätigt 😀 " * 3,
        "Thank you for your order SO-1042",
        "A long plain subject " * 10,
        "=?utf-8?q?looks_encoded?= but is not",
        "Ünïcödé" + "x" * 200,
        "Order;with,no:spaces" * 10,
    ],
)
def test_given_any_subject_when_sent_then_it_reads_the_same(subject: str, config: OutreachConfig) -> None:
    message = replace(sample_message("order_confirmation", "en-US", config), subject=subject.strip())
    raw = same_for_the_customer(message, wrong_before="Subject" if "=?" in subject else "")
    assert shown(raw)["Subject"] == subject.strip()


def test_given_an_international_domain_and_no_reply_to_when_sent_then_addressed_alike(config: OutreachConfig) -> None:
    # intake keeps the ASCII form of an internationalised domain (email-validator's ascii_email)
    message = replace(sample_message("satisfaction_check", "de-DE", config), reply_to=None)
    raw = same_for_the_customer(message, to="kunde@xn--mbelhaus-n4a.example", default_reply_to=None)
    assert shown(raw)["To"] == "kunde@xn--mbelhaus-n4a.example" and shown(raw)["Reply-To"] is None


def test_given_a_non_transactional_message_without_links_then_the_mailto_fallback_as_before(
    config: OutreachConfig,
) -> None:
    message = replace(sample_message("catalog_follow_up", "en-US", config), list_unsubscribe=())
    raw = same_for_the_customer(message)
    assert shown(raw)["List-Unsubscribe"] == f"<mailto:{SENDER}?subject=unsubscribe>"


@pytest.mark.parametrize(
    "text",
    [
        "From the workshop: your sofa is ready.\nFrom now on it is yours.\n",  # no '>From' mangling
        "Grüße aus der Werkstatt. " * 80 + "\n",  # one non-ASCII line of 2,000 octets
        "plain " * 300 + "\nand short\n",  # one ASCII line over 998 octets
        "--===============1234567890==\n=_ boundary look-alikes =3D and a trailing space \nend\n",
        "no final newline",
        "mixed\r\nline\rends\n",
    ],
)
def test_given_awkward_bodies_when_sent_then_decoded_alike_and_within_the_wire_rules(
    text: str, config: OutreachConfig
) -> None:
    message = sample_message("order_confirmation", "de-DE", config)
    same_for_the_customer(replace(message, text=text))
    same_for_the_customer(replace(message, text=text, html=""))


@pytest.mark.parametrize("brk", ["\r\n", "\n", "\x0b", "\x0c", "\x1c", "\x1e"])
@pytest.mark.parametrize("field", ["Subject", "from_name", "Reply-To"])
def test_given_a_line_break_in_a_header_value_then_refused_naming_the_header(
    field: str, brk: str, config: OutreachConfig
) -> None:
    # Header folding breaks a line at each of these (str.splitlines): the rest would be a header of its own.
    message = sample_message("order_confirmation", "en-US", config)
    broken = {
        "Subject": replace(message, subject=f"Hello{brk}Bcc: someone@example.com"),
        "from_name": replace(message, from_name=f"Shop{brk}Bcc: someone@example.com"),
        "Reply-To": replace(message, reply_to=f"help@shop.example{brk}Bcc: x@example.com"),
    }[field]
    with pytest.raises(ValueError, match="(?i)" + {"from_name": "From"}.get(field, field)):
        mime(SENDER, TO, broken, default_reply_to=REPLY_TO)


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_given_a_unicode_line_separator_in_the_subject_then_sent_encoded_on_continuation_lines(
    brk: str, config: OutreachConfig
) -> None:
    # A customer's name may hold one (intake refuses only control characters): the subject is non-ASCII, so it is
    # written as encoded-words, and the text after the separator cannot become a header of its own.
    message = replace(sample_message("order_confirmation", "en-US", config), subject=f"Hello{brk}Bcc: x@example.com")
    raw = mime(SENDER, TO, message, default_reply_to=REPLY_TO)
    check_the_wire(raw)
    same_bytes_as_the_generator(message)
    received = email.message_from_bytes(raw, policy=email.policy.default)
    assert received["Bcc"] is None and "Bcc: x@example.com" in str(received["Subject"])


def test_given_a_sent_mail_when_previewed_then_subject_html_and_text_are_the_messages(config: OutreachConfig) -> None:
    message = sample_message("satisfaction_check", "de-DE", config)
    rendered = from_mime("check", mime(SENDER, TO, message, default_reply_to=REPLY_TO))
    assert rendered.subject == message.subject
    assert rendered.text.replace("\r\n", "\n") == message.text
    assert rendered.html.replace("\r\n", "\n").rstrip("\n") == message.html.rstrip("\n")


#: Text of every kind a template or a customer could put into a header or a body: ASCII and not, white space runs
#: at either end, line breaks of each kind, quoted-printable and encoded-word look-alikes, long runs without a space.
_PIECES = [*"ab Z09 =?_-.,;:<>\"'()\t", "\r", "\n", "\r\n", "ü", "ß", "…", "😀", "Å", "Ж", "\x85"]
_RUNS = st.builds(lambda word, n: word * n, st.sampled_from(["plain ", "Grüße ", "x", "=3D", " "]), st.integers(0, 400))
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=300).map("".join) | _RUNS


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subject=_TEXT, shop=_TEXT, text=_TEXT, html=_TEXT, locale=st.sampled_from(["de-DE", "en-US", "ja-JP"]))
def test_given_any_text_when_sent_then_the_bytes_are_what_the_standard_librarys_generator_writes(
    subject: str, shop: str, text: str, html: str, locale: str, config: OutreachConfig
) -> None:
    message = replace(
        sample_message("catalog_follow_up", "en-US", config),
        subject=" ".join(subject.splitlines()),  # a header value with a line break is refused
        from_name=" ".join(shop.splitlines()),
        text=text,
        html=html,
        locale=locale,
    )
    same_bytes_as_the_generator(message)


#: Octets a body's UTF-8 may hold (as latin-1 characters): every one of the 256, runs of the few that matter.
_OCTETS = st.text(alphabet=st.characters(max_codepoint=255), max_size=300) | st.text(
    alphabet=" \t=\r\n.a\x85\x0b\xc3", max_size=400
)


@settings(max_examples=200, deadline=None)
@given(body=_OCTETS | st.text(max_size=200).map(lambda text: text.encode("utf-8").decode("latin-1")))
def test_given_any_body_octets_then_quoted_printable_as_the_standard_library_writes_it(body: str) -> None:
    from email.quoprimime import body_encode

    assert messaging._quoted_printable(body) == body_encode(body)
    assert messaging._quoted_printable(body, "\r\n") == body_encode(body, eol="\r\n")
    assert messaging._quoted_printable(body, "\r\n") == re.sub(r"\r\n|\r|\n", "\r\n", body_encode(body))
