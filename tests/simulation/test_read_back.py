"""Fast path 71: ``To`` and ``Subject`` read back as carried where the header registry reads the same (``read_back``).

Over random header sections (addresses with and without names, quotes, comments and odd characters; subjects with
runs of spaces, tabs, encoded words, non-ASCII text and folded lines; missing and repeated headers; CRLF and LF line
ends) and over every e-mail of an example run, the fast reading equals ``policy.default``'s.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import read_back, runner
from outreach.simulator.scenario import load

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "happy_path.json"
_PIECES = st.sampled_from([*'aZ09 .@<>"()\\,;:=?_%+-\t!~é', "=?utf-8?q?x?=", "\r\n ", "  "])
_TEXT = st.lists(_PIECES, max_size=20).map("".join)
_ADDRESS = st.one_of(
    st.from_regex(
        r"[A-Za-z0-9_%+-]{1,6}(\.[A-Za-z0-9_%+-]{1,4}){0,2}@[A-Za-z0-9-]{1,6}(\.[a-z]{1,3}){0,2}", fullmatch=True
    ),
    _TEXT,
    st.builds(lambda name, address: f"{name} <{address}>", _TEXT, st.just("ada@example.com")),
)


def _section(headers: list[tuple[str, str]], line_end: str) -> str:
    lines = [f"{name}: {value}" for name, value in headers]
    return line_end.join([*lines, "", "body text", ""])


@settings(max_examples=150, deadline=None)
@given(
    to=st.lists(_ADDRESS, max_size=2),
    subject=st.lists(st.one_of(_TEXT, st.from_regex(r"[!-~]{1,8}( [!-~]{1,8}){0,4}", fullmatch=True)), max_size=2),
    line_end=st.sampled_from(["\r\n", "\n"]),
)
def test_given_any_to_and_subject_when_read_back_fast_then_a_mail_client_shows_the_same(to, subject, line_end):
    headers = [("From", "Shop <orders@outreach.example>")] + [("To", v) for v in to] + [("Subject", v) for v in subject]
    raw = _section(headers, line_end)

    assert _reading(raw, fast=True) == _reading(raw, fast=False)


def _reading(raw: str, fast: bool) -> object:
    """What reading back gives, or the error it raises (the registry fails on some odd addresses, both ways)."""
    try:
        return read_back.to_and_subject(raw, fast=fast)
    except Exception as exc:
        return type(exc).__name__


def test_given_the_handlers_e_mails_when_read_back_fast_then_they_read_as_before_and_take_the_short_way():
    result = runner.run(load(EXAMPLE))
    sent = [content.decode() for content in result.sent if isinstance(content, bytes)]  # each e-mail as SES kept it

    assert sent
    assert [read_back.to_and_subject(raw, fast=True) for raw in sent] == [
        read_back.to_and_subject(raw, fast=False) for raw in sent
    ]
    readings = [read_back.to_and_subject(raw) for raw in sent]
    short = [
        to
        for to, subject in readings
        if read_back._BARE_ADDRESS.fullmatch(to) and read_back._PLAIN_WORDS.fullmatch(subject)
    ]
    assert len(short) == len(sent)  # the handlers' English e-mails all take the short way
