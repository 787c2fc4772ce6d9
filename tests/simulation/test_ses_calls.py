"""Fast paths 40 and 110 (``outreach.simulator.ses_calls``): SES reads the header section of a raw message instead of
parsing the whole message, its addresses once per text and its message ids at once, and every send, the handlers' own
e-mails and awkward raw text alike, gives what plain moto gives: the same answer or error, the same message stored (id,
sender, recipients, raw text), the same count of mail sent, the same AWS calls counted by ``metering.py``."""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
from functools import cache
from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal import mock_random
from moto.ses import utils as moto_ses_utils
from moto.ses.models import ses_backends
from outreach_lambda.adapters.messaging import mime
from outreach_lambda.domain.config import OutreachConfig

from outreach.preview import sample_message
from outreach.simulator import metering, moto_runtime, ses_calls
from tests.simulation.outcomes import outcome

REGION = "us-east-1"
SENDER = "noreply@example.com"
CRLF = "\r\n"


@cache
def _handlers_mail() -> list[bytes]:
    """E-mails as the handlers send them (the happy path's kinds and a catalog's, English and German), made once:
    both runs send the same bytes (each has its own random multipart boundary)."""
    config = OutreachConfig()
    kinds = ("order_confirmation", "production_update", "shipped", "satisfaction_check", "catalog_follow_up")
    return [
        mime(SENDER, "customer@example.com", sample_message(kind, locale, config), default_reply_to="help@example.com")
        for kind in kinds
        for locale in ("en-US", "de-DE")
    ]


def _awkward_mail() -> list[tuple[str | None, str]]:
    """(FromEmailAddress, raw text) pairs that exercise where the header section ends and who the recipients are."""
    many = ", ".join(f"r{i}@example.com" for i in range(51))
    return [
        (SENDER, "To: a@example.com\nSubject: LF only\n\nTo: body@example.com\n"),
        (SENDER, f"To: a@example.com{CRLF}Subject: no body at all{CRLF}"),
        (SENDER, f"To: a@example.com{CRLF}Subject: headers, then the end{CRLF}{CRLF}"),
        (None, f"{CRLF}To: a@example.com{CRLF}{CRLF}no headers, no sender"),
        (None, f"From: Shop <{SENDER}>{CRLF}To: a@example.com{CRLF}{CRLF}the sender from the header"),
        (None, f"From: someone@elsewhere.com{CRLF}To: a@example.com{CRLF}{CRLF}an unverified sender"),
        (
            SENDER,
            f'To: =?utf-8?b?SsO8cmdlbg==?= <j@example.com>,{CRLF} "Doe, Jane" <jane@example.com>{CRLF}'
            f"Cc: c@example.com{CRLF}Bcc: b@example.com, <>{CRLF}Subject: folded{CRLF}{CRLF}body{CRLF}",
        ),
        (SENDER, f"Subject: a broken header block{CRLF}not a header{CRLF}To: late@example.com{CRLF}{CRLF}x"),
        (
            SENDER,
            f"To: a@example.com{CRLF}MIME-Version: 1.0{CRLF}Content-Type: multipart/mixed; boundary=b{CRLF}{CRLF}"
            f"--b{CRLF}To: part@example.com{CRLF}Content-Type: text/plain{CRLF}{CRLF}part{CRLF}--b--{CRLF}",
        ),
        (SENDER, f"To: {many}{CRLF}{CRLF}too many recipients"),
        (SENDER, f"To: nodomain{CRLF}{CRLF}an address without a domain"),
        (SENDER, f"To: a@example.com{CRLF}Cc: lone-lf@example.com\nSubject: mixed{CRLF}{CRLF}x"),
        (SENDER, f"To: a@example.com{CRLF}Subject: lone CR\rCc: cr@example.com{CRLF}{CRLF}x"),
        (SENDER, f"To: a@example.com{CRLF}\rCc: after-a-blank-CR@example.com{CRLF}{CRLF}x"),
        (SENDER, f"To: a@example.com\n\r\nCc: after-a-blank-CRLF@example.com{CRLF}{CRLF}x"),
        (SENDER, f"To: a@example.com\r\r\nCc: after-a-lone-CR@example.com{CRLF}{CRLF}x"),
        (SENDER, f"From nobody Mon Nov 30 09:00:00 2026{CRLF}To: a@example.com{CRLF}{CRLF}a unix From line"),
        (SENDER, f"to: lower@example.com{CRLF}TO: upper@example.com{CRLF}{CRLF}two To fields"),
        (SENDER, f"To: a@example.com{CRLF}Subject: Grüße{CRLF}{CRLF}Körper mit Umlauten"),
        (SENDER, ""),
    ]


def _conversation() -> list[Any]:
    ses = boto3.client("sesv2", region_name=REGION)
    ses.create_email_identity(EmailIdentity=SENDER)
    out: list[Any] = []
    sends: list[tuple[str | None, bytes]] = [(SENDER, raw) for raw in _handlers_mail()]
    sends += [(source, text.encode()) for source, text in _awkward_mail()]
    for source, raw in sends:
        for destination in ({"ToAddresses": ["customer@example.com"]}, {}):
            call: dict[str, Any] = {"Destination": destination, "Content": {"Raw": {"Data": raw}}}
            if source is not None:
                call["FromEmailAddress"] = source
            out.append(outcome(_stable, ses.send_email, **call))
    return out


def _stable(answer: Any) -> Any:
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"} | {
        "status": answer["ResponseMetadata"]["HTTPStatusCode"]
    }


def _run(fast: bool) -> tuple[list[Any], list[Any], int, dict[str, Any]]:
    mock_random.seed(7)  # the same message ids in both runs: they are compared too
    with mock_aws(), moto_runtime.patched({}, fast=fast), metering.metered() as meter, metering.in_function("sender"):
        answers = _conversation()
        ses = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        stored = [(m.id, m.source, m.destinations, m.raw_data) for m in ses.sent_messages]
        count = ses.sent_message_count
    counted = meter.summary()
    for timed in ("lambdaBilledMs", "logBytes"):  # estimates from real time
        counted.pop(timed)
    return answers, stored, count, counted


def test_given_every_kind_of_raw_mail_when_ses_reads_its_headers_only_then_all_is_as_in_plain_moto() -> None:
    fast, plain = _run(fast=True), _run(fast=False)
    for n, (got, expected) in enumerate(zip(fast[0], plain[0], strict=True)):
        assert got == expected, n
    assert fast[1:] == plain[1:]  # stored mail, mail count, counted calls
    answers = [answer[0] for answer in plain[0]]
    assert answers.count("ok") > 20 and "error" in answers  # mail was sent, and some refused
    assert {len(destinations) for _, _, destinations, _ in plain[1]} >= {1, 2, 4, 5}  # header recipients counted


def test_given_the_handlers_mail_then_only_its_header_section_is_parsed() -> None:
    for raw in _handlers_mail():
        text = raw.decode()
        head = ses_calls.header_section(text)
        assert head.endswith(CRLF + CRLF) and text.startswith(head) and len(head) < len(text) / 5
        assert "Content-Transfer-Encoding" not in head  # the parts' headers are not read
    for text in ("To: a@example.com\nSubject: LF\n\nbody", "To: a@example.com\r\nno end"):
        assert ses_calls.header_section(text) == text  # no CRLF CRLF: parsed whole


def test_given_any_raw_mail_when_its_header_section_is_parsed_then_its_headers_are_the_whole_messages() -> None:
    # what the runner reads back of each sent e-mail (To, Subject) with policy.default, as SES reads it with compat32
    for policy in (email.policy.compat32, email.policy.default):
        parser = email.parser.Parser(policy=policy)
        for text in [raw.decode() for raw in _handlers_mail()] + [text for _, text in _awkward_mail()]:
            whole = parser.parsestr(text)
            section = parser.parsestr(ses_calls.header_section(text), headersonly=True)
            assert [(k, str(v)) for k, v in section.items()] == [(k, str(v)) for k, v in whole.items()], text[:80]


addresses = st.one_of(
    st.sampled_from(
        [SENDER, "Shop <noreply@example.com>", '"Doe, Jane" <jane@example.com>', "nodomain", "<>", "", "a@b@c"]
    ),
    st.text(alphabet='abc@.<>" ,;:()\\=?', max_size=24),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(addresses, st.lists(addresses, max_size=3), st.text(max_size=8))
def test_given_any_address_text_when_read_again_and_again_then_the_answers_are_the_standard_library_s(
    addr: str, header_values: list[str], name: str
) -> None:
    """Fast path 110: ``parseaddr``, ``getaddresses`` and ``formataddr`` remembered per text."""
    for _ in range(2):
        assert ses_calls.parseaddr(addr) == email.utils.parseaddr(addr)
        got = ses_calls.getaddresses(header_values)
        assert got == email.utils.getaddresses(header_values) and got is not ses_calls.getaddresses(header_values)
        assert _result(ses_calls.formataddr, (name, addr)) == _result(email.utils.formataddr, (name, addr))


def _result(function: Any, *args: Any) -> Any:
    try:
        return "ok", function(*args)
    except Exception as exc:  # (a non-ASCII address: UnicodeEncodeError every time)
        return "error", type(exc), str(exc)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=2**64))
def test_given_any_seed_when_a_message_id_is_drawn_then_it_and_the_generators_next_draws_are_moto_s(seed: int) -> None:
    """Fast path 110: the 56 letters of a message id drawn at once."""
    mock_random.seed(seed)
    theirs = [moto_ses_utils.get_random_message_id() for _ in range(3)], mock_random.getrandbits(64)
    mock_random.seed(seed)
    ours = [ses_calls.get_random_message_id() for _ in range(3)], mock_random.getrandbits(64)
    assert ours == theirs
