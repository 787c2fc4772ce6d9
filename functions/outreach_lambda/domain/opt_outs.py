"""Opt-outs: which address a customer asked us not to write to, and which contacts they still get.

Pure rules; the list itself is behind the ``OptOuts`` port (``ports.py``), kept in the contacts table
(``adapters/opt_outs.py``). An address is keyed by its normalised form, so ``Ada@Example.com`` and
``ada@example.com`` are one entry, and ``+49 151 1234 5678`` is ``+4915112345678``.
"""

from __future__ import annotations

import re

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import ContactKind

#: An e-mail address (one '@', something either side, no spaces) or an E.164 phone number.
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE = re.compile(r"\+[1-9]\d{6,14}")
MAX_ADDRESS = 254


class InvalidAddress(ValueError):
    """The text is neither an e-mail address nor an E.164 phone number (the message names the field)."""


def normalise(address: str, field: str = "address") -> str:
    """The key of an address on the opt-out list: an e-mail address in lower case, a phone number in E.164
    without spaces, dots, dashes or brackets. Raises ``InvalidAddress`` (naming ``field``) for anything else."""
    text = address.strip()
    if len(text) > MAX_ADDRESS:
        raise InvalidAddress(f"{field}: at most {MAX_ADDRESS} characters")
    if "@" in text:
        if not _EMAIL.fullmatch(text):
            raise InvalidAddress(f"{field}: not an e-mail address")
        return text.lower()
    phone = re.sub(r"[\s().-]", "", text)
    if not _PHONE.fullmatch(phone):
        raise InvalidAddress(f"{field}: neither an e-mail address nor an E.164 phone number like +4915112345678")
    return phone


def opt_out_applies(kind: ContactKind, config: OutreachConfig) -> bool:
    """Whether an opted-out customer is spared this contact (False for the kinds they cannot do without)."""
    return kind not in config.opted_out_still_get
