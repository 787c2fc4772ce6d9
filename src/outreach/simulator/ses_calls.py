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
"""

from __future__ import annotations

import email
import email.parser
from typing import Any

from moto.ses import models as ses_models

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


PATCHES: list[tuple[Any, str, Any]] = [(ses_models, "email", _module_with(email, message_from_string=_headers_of))]
