"""Fast path 40: SES reads the header section of a raw message, not the whole message.

moto's ``SESBackend.send_raw_email`` (which SES v2 ``SendEmail`` with ``Raw`` content calls) parses the raw message with
``email.message_from_string``: every line of both bodies and of every MIME part goes through the standard library's feed
parser, about 0.4 ms for one of the handlers' e-mails (13 kB), four per happy order. It then reads only the top-level
headers of the parsed message: ``From`` (when the request names no sender) and ``To``, ``Cc``, ``Bcc`` (its recipients).
Here that module sees an ``email`` whose ``message_from_string`` parses the headers alone (``headersonly``, the same
``compat32`` parser and policy), and only the text up to the first CRLF CRLF (the empty line after the handlers'
headers; a text without one is parsed whole, headers only). The parser decides where the headers end line by line, and
it reads the same lines either way, so the headers, and everything moto stores (the message id, source, recipients and
the raw text itself) and answers, are plain moto's; ``tests/simulation/test_ses_calls.py`` compares them, with awkward
messages, and so does ``tests/simulation/test_rest_calls.py`` for every REST call the simulator makes.

Fast path 110: the rest of ``send_raw_email`` (a third of an e-mail's ``SendEmail``) read its addresses and drew its
message id a call at a time. It parses the sender's address three times (``parseaddr``, and ``is_valid_address`` and
``_is_verified_address`` parse it again), the recipients' once with ``getaddresses`` and again in ``is_valid_address``,
and writes each recipient back with ``formataddr``: pure functions of their text (the standard library's
``email.utils``), now remembered per text for the last 1,024 texts (``getaddresses`` per list of header texts, handed
out as a new list each time; any argument that is not plain text goes the standard library's way). The message id
(``get_random_message_id``: 56 lower-case letters in seven groups) is ``random.choice`` of 26 letters for each letter
from moto's generator: the letters are the draws below 26, each the top five bits of the generator's next 32-bit word,
so the 56 words a message id needs at least are drawn at once (``getrandbits(32 * 56)``, the first in the lowest
bits), their top bytes translated through a table, and any more one word at a time while rejected draws leave it
short: the same letters and the same state of the generator afterwards (a generator whose ``getrandbits``,
``_randbelow`` or ``choice`` is not ``random.Random``'s draws moto's way). ``tests/simulation/test_ses_calls.py``
compares the answers with the standard library's over random addresses and header texts, and message ids and the
generator's next draws with moto's from random seeds.
"""

from __future__ import annotations

import email
import email.parser
import email.utils
import functools
import random
import string
from typing import Any

from moto.moto_api._internal import mock_random
from moto.ses import models as ses_models
from moto.ses import utils as ses_utils

from outreach.simulator.fast_calls import _module_with

_CRLF = "\r\n"


def header_section(raw: str) -> str:
    """``raw`` up to and including its first CRLF CRLF, else ``raw``. That CRLF CRLF is an empty line to the parser
    whatever line ends come before it (the CR cannot belong to an earlier line end), so the parser has ended the
    headers there or before: it reads the same lines to find them."""
    end = raw.find(_CRLF + _CRLF)
    return raw if end < 0 else raw[: end + 2 * len(_CRLF)]


def _headers_of(raw: Any, *args: Any, **kwargs: Any) -> Any:
    """``email.message_from_string`` as ``send_raw_email`` calls it (one argument): the message's headers."""
    if args or kwargs or not isinstance(raw, str):
        return email.message_from_string(raw, *args, **kwargs)
    return email.parser.Parser().parsestr(header_section(raw), headersonly=True)


# -- fast path 110: addresses read once per text, message ids drawn at once ------------------------------------------
_parseaddr_of = functools.lru_cache(maxsize=1024)(email.utils.parseaddr)
_formataddr_of = functools.lru_cache(maxsize=1024)(email.utils.formataddr)
_getaddresses_of = functools.lru_cache(maxsize=1024)(lambda texts: email.utils.getaddresses(list(texts)))


def parseaddr(addr: Any, *args: Any, **kwargs: Any) -> Any:
    """``email.utils.parseaddr``, remembered per text."""
    if args or kwargs or type(addr) is not str:
        return email.utils.parseaddr(addr, *args, **kwargs)
    return _parseaddr_of(addr)


def formataddr(pair: Any, *args: Any, **kwargs: Any) -> Any:
    """``email.utils.formataddr``, remembered per (name, address) of text."""
    if args or kwargs or type(pair) is not tuple or len(pair) != 2 or not all(type(part) is str for part in pair):
        return email.utils.formataddr(pair, *args, **kwargs)
    return _formataddr_of(pair)


def getaddresses(fieldvalues: Any, *args: Any, **kwargs: Any) -> Any:
    """``email.utils.getaddresses``, remembered per list of header texts (a new list each time)."""
    if args or kwargs or type(fieldvalues) is not list or not all(type(value) is str for value in fieldvalues):
        return email.utils.getaddresses(fieldvalues, *args, **kwargs)
    return list(_getaddresses_of(tuple(fieldvalues)))


_LETTERS = string.ascii_lowercase
_GROUPS = (16, 8, 4, 4, 4, 12, 6)  # moto's ``get_random_message_id``
_ID_LENGTH = sum(_GROUPS)
_SHIFT = 32 - len(_LETTERS).bit_length()  # a draw: the top five bits of a word
#: the top byte of a word -> its draw's letter, or NUL for a draw of 26 or more (rejected)
_DRAWN = bytes(ord(_LETTERS[b >> 3]) if (b >> 3) < len(_LETTERS) else 0 for b in range(256))
_RANDOM = random.Random
_RANDBELOW = _RANDOM._randbelow_with_getrandbits  # type: ignore[attr-defined]
_original_message_id = ses_utils.get_random_message_id


def get_random_message_id() -> str:
    """moto's ``get_random_message_id``: the same draws from moto's generator, the 56 words it needs at once."""
    rng: Any = mock_random
    if (
        type(rng).getrandbits is not _RANDOM.getrandbits
        or type(rng).choice is not _RANDOM.choice
        or getattr(rng._randbelow, "__func__", None) is not _RANDBELOW
    ):
        return _original_message_id()
    block = rng.getrandbits(32 * _ID_LENGTH).to_bytes(4 * _ID_LENGTH, "little")
    letters = block[3::4].translate(_DRAWN).replace(b"\0", b"").decode("ascii")
    missing = _ID_LENGTH - len(letters)
    more = []
    while missing:
        drawn = rng.getrandbits(32) >> _SHIFT
        if drawn < len(_LETTERS):
            more.append(_LETTERS[drawn])
            missing -= 1
    letters += "".join(more)
    groups = []
    start = 0
    for size in _GROUPS:
        groups.append(letters[start : start + size])
        start += size
    return "-".join(groups)


PATCHES: list[tuple[Any, str, Any]] = [
    (ses_models, "email", _module_with(email, message_from_string=_headers_of)),
    (ses_models, "parseaddr", parseaddr),
    (ses_models, "formataddr", formataddr),
    (ses_models, "getaddresses", getaddresses),
    (ses_utils, "parseaddr", parseaddr),
    (ses_models, "get_random_message_id", get_random_message_id),
]
