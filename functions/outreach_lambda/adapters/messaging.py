"""Outbound messages: customer e-mail through SES v2 and SMS through SNS, ops alerts through SNS, and the
hand-over of work to another function (a contact to the sender, a claimed order to the timeline)."""

from __future__ import annotations

import json
import random
import re
import sys
from functools import cache
from typing import Any

from outreach_lambda.adapters.aws import client, error_code
from outreach_lambda.adapters.send_errors import MessageRefused
from outreach_lambda.domain.rendering import Message


class CustomerChannels:
    """E-mail from the verified sender identity; SMS straight to the customer's phone number."""

    def __init__(self, sender_email: str, configuration_set: str, reply_to: str) -> None:
        self._sender = sender_email
        # Every e-mail goes with the configuration set (bounces, complaints, deliveries reach CloudWatch).
        self._configuration_set = configuration_set
        # The stage's reply-to (deployment config), unless the shop's branding names its own.
        self._reply_to = reply_to

    def send_email(self, to: str, message: Message, tags: dict[str, str]) -> str:
        # A Raw message carries its own headers: Reply-To is written into it, not passed as ReplyToAddresses.
        raw = mime(self._sender, to, message, default_reply_to=self._reply_to)
        response = client("sesv2").send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={"Raw": {"Data": raw}},
            EmailTags=[{"Name": k, "Value": _tag_value(v)} for k, v in tags.items()],
            ConfigurationSetName=self._configuration_set,
        )
        return str(response["MessageId"])

    def send_sms(self, phone: str, text: str) -> str:
        response = client("sns").publish(
            PhoneNumber=phone,
            Message=text,
            MessageAttributes={"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}},
        )
        return str(response["MessageId"])


class SesSuppressionList:
    """The SES account-level suppression list: ``GetSuppressedDestination``; NotFoundException = not on it.

    One extra SES call per e-mail send. SES itself drops mail to a suppressed address (it accepts the request
    and reports a bounce), so asking first only makes the ledger true (SKIPPED, ``suppressed``) instead of SENT.
    """

    def suppressed(self, email: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            client("sesv2").get_suppressed_destination(EmailAddress=email)
        except ClientError as exc:
            if error_code(exc) == "NotFoundException":
                return False
            raise
        return True


class SnsAlerts:
    """Structured JSON on the ops topic; never carries customer contact data."""

    def __init__(self, topic_arn: str) -> None:
        self._topic_arn = topic_arn

    def publish(self, alert: dict[str, Any]) -> None:
        client("sns").publish(
            TopicArn=self._topic_arn,
            Subject=f"Outreach ops alert: {alert['kind']}"[:99],
            Message=json.dumps(alert, default=str, sort_keys=True),
            MessageAttributes={"kind": {"DataType": "String", "StringValue": str(alert["kind"])}},
        )


class AsyncInvoke:
    """Invokes another function of the app asynchronously (Lambda retries it, then its on-failure handling)."""

    def __init__(self, function_name: str) -> None:
        self._function_name = function_name

    def invoke(self, payload: dict[str, Any]) -> None:
        client("lambda").invoke(
            FunctionName=self._function_name, InvocationType="Event", Payload=json.dumps(payload).encode()
        )


def mime(sender: str, to: str, message: Message, default_reply_to: str | None = None) -> bytes:
    """The e-mail as the customer's mail client receives it: multipart/alternative (plain text, then HTML),
    the shop's name on the sender, Reply-To, Content-Language, and on non-transactional messages
    List-Unsubscribe (plus RFC 8058 one-click List-Unsubscribe-Post when an https link is among them).

    Sent as SES v2 ``Raw`` content. ``Content.Simple.Headers`` exists in botocore 1.44's model, but moto 5.2.5
    drops headers of Simple messages and keeps only the HTML body, so a simulation could not show what a
    customer gets; a Raw message is kept whole, headers and both parts.

    The standard library's ``email`` package does the encoding: RFC 2047 encoded-words (``email.header.Header``)
    and the folding of any header whose value it could change (``compat32.fold_binary``); quoted-printable bodies
    are ``email.quoprimime.body_encode``'s text, quoted faster (``_quoted_printable``; a property test holds the two
    equal). The frame around them (header lines, the multipart boundaries) is written here,
    byte for byte what ``email.generator.BytesGenerator`` writes for the same ``compat32`` message
    (``tests/unit/test_mime.py`` compares the two on every kind in every language and on random text). The
    generator costs ~0.5 ms per message, most of it re-folding headers that are already folded. One difference:
    the boundary is checked against the bodies as encoded, the bytes it must not occur in. A mail client shows
    what the first version (the ``EmailMessage`` API with ``policy=SMTP``) wrote; the same tests compare that.
    On the wire:

    - bodies: ``7bit`` when a part is ASCII with no line over 998 octets, else ``quoted-printable``, never ``8bit``:
      SES's ``RawMessage`` asks that content outside 7-bit ASCII be encoded, and SES DKIM-signs every message, which
      a relay that has to turn 8bit content into 7bit on the way (RFC 6152) would break; RFC 6376 5.3 asks signers
      for quoted-printable or base64 for that reason. Quoted-printable lines stay under 77 octets whatever a
      template holds (some HTML templates have a line of 1,000 to 3,400 octets: the rating buttons). The cost over
      8bit is small for our languages: the sample messages are 4% (English) and 8% (German) larger.
    - non-ASCII Subject and shop name: RFC 2047 encoded-words (base64, each under 75 characters, folded at 78);
      an ASCII one that looks like an encoded-word is encoded too, so that it shows as written.
    - the other headers are written as given, on one line (all are bounded well under RFC 5322's 998 octets:
      e-mail addresses, links, a language tag). A List-Unsubscribe URI is never split or encoded.
    - CRLF line ends, one MIME-Version, each part's charset ``utf-8``; a line break in a header value is refused.
    """
    from email.header import Header
    from email.utils import formataddr

    encoded = _charset()
    head = [("Subject", _folded("Subject", message.subject, encoded))]
    name = _one_line("From", message.from_name or "")
    if name.isascii() and "=?" not in name:
        head.append(("From", formataddr((name, _address("From", sender)))))
    else:
        shop = Header(name, encoded, maxlinelen=_FOLD_AT - len("From: "))
        shop.append(f"<{_address('From', sender)}>", "us-ascii")
        head.append(("From", shop.encode(linesep=_CRLF)))
    head.append(("To", _address("To", to)))
    reply_to = message.reply_to or default_reply_to
    if reply_to:
        head.append(("Reply-To", _address("Reply-To", reply_to)))
    if message.non_transactional:
        links = message.list_unsubscribe or (f"mailto:{sender}?subject=unsubscribe",)
        head.append(("List-Unsubscribe", _one_line("List-Unsubscribe", ", ".join(f"<{link}>" for link in links))))
        if message.one_click:
            head.append(("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    head.append(("MIME-Version", "1.0"))
    language = ("Content-Language", _one_line("Content-Language", message.locale))
    if message.html:
        (text_cte, text), (html_cte, html) = _encoded(_body(message.text)), _encoded(_body(message.html))
        boundary = _boundary(text, html)
        head += [("Content-Type", f'multipart/alternative; boundary="{boundary}"'), language]
        parts = (
            # the order the compat32 API leaves them in: set_type() moves Content-Type after the encoding
            _header_block([("Content-Type", _TEXT_PLAIN), ("Content-Transfer-Encoding", text_cte)]) + text,
            _header_block([("Content-Transfer-Encoding", html_cte), ("Content-Type", _TEXT_HTML)]) + html,
        )
        body = f"--{boundary}{_CRLF}" + f"{_CRLF}--{boundary}{_CRLF}".join(parts) + f"{_CRLF}--{boundary}--{_CRLF}"
    else:
        cte, body = _encoded(_body(message.text))
        head += [("Content-Type", _TEXT_PLAIN), ("Content-Transfer-Encoding", cte), language]
    return (_header_block(head) + body).encode("ascii")


#: Where Subject and a non-ASCII shop name are folded (RFC 5322 2.1.1: lines SHOULD be no more than 78 characters).
_FOLD_AT = 78
_MAX_LINE = 998  # RFC 5322 2.1.1: MUST be no more than 998 characters
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")
_CRLF = "\r\n"
_TEXT_PLAIN = 'text/plain; charset="utf-8"'
_TEXT_HTML = 'text/html; charset="utf-8"'
#: A header line that ``compat32.fold`` writes back unchanged: ASCII, no control characters, not starting or ending
#: with white space (folding drops a trailing space), and within 998 octets with the header's name.
_AS_GIVEN = re.compile(r"[!-~](?:[ -~]*[!-~])?")


@cache
def _charset() -> Any:
    """``utf-8`` for quoted-printable bodies and base64 encoded-words."""
    from email.charset import BASE64, QP, Charset

    encoded = Charset("utf-8")
    encoded.body_encoding = QP
    encoded.header_encoding = BASE64
    return encoded


@cache
def _policy() -> Any:
    """What the generator would fold a header with: CRLF, and folding only past 998 octets."""
    from email.policy import compat32

    return compat32.clone(linesep=_CRLF, mangle_from_=False, max_line_length=_MAX_LINE)


def _header_block(headers: list[tuple[str, str]]) -> str:
    """The header lines and the blank line after them, each folded as ``compat32`` folds it: written as given
    when folding provably leaves it unchanged (every header this module writes, in practice), else folded."""
    lines = []
    for name, value in headers:
        folds = value.split(f"{_CRLF} ")
        if all(_AS_GIVEN.fullmatch(fold) for fold in folds) and len(name) + 2 + max(map(len, folds)) < _MAX_LINE:
            lines.append(f"{name}: {value}{_CRLF}")
        else:
            try:
                lines.append(_policy().fold_binary(name, value).decode("ascii"))
            except UnicodeError as exc:  # a lone surrogate: the library would write a raw 8-bit octet
                raise MessageRefused(name, f"a header value that cannot be encoded, got {value[:80]!r}") from exc
    return "".join(lines) + _CRLF


def _encoded(body: str) -> tuple[str, str]:
    """A part's Content-Transfer-Encoding and its text on the wire (CRLF line ends), as ``Charset.body_encode``
    and the generator write it: as it is when it is 7-bit, else quoted-printable of its UTF-8 octets."""
    lines = _seven_bit_lines(body)
    if lines is not None:
        return "7bit", _CRLF.join(lines)
    return "quoted-printable", _quoted_printable(body.encode("utf-8").decode("latin-1"), _CRLF)


def _quoted_printable(body: str, eol: str = "\n") -> str:
    """``email.quoprimime.body_encode(body, eol=eol)``, the same text: its first step (quoting every octet but
    printable ASCII, space, tab, CR and LF as ``=XX``) done by ``_qp_quoted`` instead of ``str.translate`` with its
    256-entry table, which looks up every character (10x slower on an HTML page, whose ``=`` and non-ASCII octets
    are few). The wrapping at 76 characters that follows is the library's own, line for line; every line
    end of the result is ``eol`` (CR and LF are not quoted: each ends a line)."""
    if not body:
        return body
    body = _qp_quoted(body)
    soft_break = "=" + eol
    encoded_body: list[str] = []
    append = encoded_body.append
    for line in body.splitlines():
        start = 0
        laststart = len(line) - 1 - _QP_WIDTH
        while start <= laststart:
            stop = start + _QP_WIDTH - 1
            if line[stop - 2] == "=":  # never break inside an escape sequence
                append(line[start : stop - 1])
                start = stop - 2
            elif line[stop - 1] == "=":
                append(line[start:stop])
                start = stop - 1
            else:
                append(line[start:stop] + "=")
                start = stop
        if line and line[-1] in " \t":  # whitespace at the end of a line is quoted or followed by a soft break
            room = start - laststart
            if room >= 3:
                tail = _qp_escape(line[-1])
            elif room == 2:
                tail = line[-1] + soft_break
            else:
                tail = soft_break + _qp_escape(line[-1])
            append(line[start:-1] + tail)
        else:
            append(line[start:])
    if body[-1] in "\r\n":
        append("")
    return eol.join(encoded_body)


#: Quoted-printable's line width (RFC 2045) and the octets it quotes in a body (as ``email.quoprimime`` does).
_QP_WIDTH = 76
_QP_UNSAFE = re.compile("[^\t\n\r -<>-~]")


def _qp_escape(char: str) -> str:
    return f"={ord(char):02X}"


def _qp_quoted(body: str) -> str:
    """Every octet quoted-printable quotes, as ``=XX``: one ``str.replace`` per distinct such octet, ``=`` first (the
    others' ``=XX`` hold only ``=`` and hex digits, which no later replacement touches). A page holds a hundred of
    them but only a few distinct ones: 3x faster than a substitution calling back for each."""
    unsafe = set(_QP_UNSAFE.findall(body))
    if "=" in unsafe:
        body = body.replace("=", "=3D")
        unsafe.discard("=")
    for char in unsafe:
        body = body.replace(char, _qp_escape(char))
    return body


def _folded(name: str, value: str, encoded: Any) -> str:
    """``value`` folded at whitespace to 78 characters a line, as RFC 2047 encoded-words if it is not ASCII (or
    holds what a mail client would take for one). The first line is never left empty: the header's name is counted
    off the width instead."""
    from email.header import Header

    value = _one_line(name, value)
    charset = None if value.isascii() and "=?" not in value else encoded
    return Header(value, charset, maxlinelen=_FOLD_AT - len(name) - 2).encode(linesep=_CRLF)


#: The ASCII characters ``str.splitlines`` breaks a line at (CR and LF, and also VT, FF, FS, GS and RS): ``Header``
#: folds at each of them, and an ASCII value broken there would go on as a header line of its own. (NEL, LS and
#: PS make a value non-ASCII: it is written as encoded-words, each line of it on a continuation line.)
_BREAKS = re.compile("[\r\n\x0b\x0c\x1c\x1d\x1e]")


def _one_line(name: str, value: str) -> str:
    if _BREAKS.search(value):
        raise MessageRefused(name, f"a header value may not contain a line break, got {value[:80]!r}")
    return value


def _address(name: str, value: str) -> str:
    if not value.isascii():
        raise MessageRefused(name, "not an ASCII e-mail address (intake keeps the ASCII form of a domain)")
    return _one_line(name, value)


def _body(text: str) -> str:
    """The part's text ending in a line break, as the ``EmailMessage`` API wrote it (a client shows the same)."""
    return text if text.endswith(("\n", "\r")) else text + "\n"


def _seven_bit_lines(body: str) -> list[str] | None:
    """The part's lines when it can go as it is (ASCII, no line over 998 octets), else None."""
    if not body.isascii():
        return None
    lines = _lines(body)
    return lines if max(map(len, lines)) <= _MAX_LINE else None


def _lines(body: str) -> list[str]:
    """``body`` split at CRLF, CR and LF: a text without CR (the templates' own) by ``str.split``, 10x faster than
    the regular expression, which then matches LF alone."""
    return body.split("\n") if "\r" not in body else _LINE_BREAKS.split(body)


def _boundary(*bodies: str) -> str:
    """A multipart boundary in the standard library's form that no body holds (the generator would search the
    bodies for its own with a regular expression compiled per message)."""
    while True:
        boundary = f"{'=' * 15}{random.randrange(sys.maxsize):019d}=="
        if not any(boundary in body for body in bodies):
            return boundary


def _tag_value(value: str) -> str:
    # SES tag values allow letters, digits, '_', '-', '.', '@' only.
    return "".join(c if c.isalnum() or c in "_-.@" else "_" for c in value)[:256]
