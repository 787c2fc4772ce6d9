"""SMS that fit: GSM-7 where possible, and the number of segments a text costs.

GSM 03.38: a single SMS holds 160 GSM-7 characters (153 per part once concatenated); characters of the
extension table (``{ } [ ] ~ \\ | ^ €``) take two. Any other character makes the whole text UCS-2: 70
characters (67 per part). ``to_gsm7`` replaces the look-alikes a copy writer or a name brings in (curly quotes,
dashes, ellipsis, accents GSM-7 lacks) so that an SMS stays GSM-7 whenever the meaning survives.
"""

from __future__ import annotations

import math
import unicodedata

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

_LOOK_ALIKES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u00d7": "x",
    "\t": " ",
}


def is_gsm7(text: str) -> bool:
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def to_gsm7(text: str) -> str:
    """The text with look-alikes replaced and accents GSM-7 lacks dropped (``ł`` stays: no safe look-alike).

    Characters without a GSM-7 equivalent are kept; the text then goes as UCS-2 (``segments`` counts that).
    """
    out = []
    for char in text:
        if char in GSM7_BASIC or char in GSM7_EXTENSION:
            out.append(char)
        elif char in _LOOK_ALIKES:
            out.append(_LOOK_ALIKES[char])
        else:
            base = unicodedata.normalize("NFKD", char)
            stripped = "".join(c for c in base if not unicodedata.combining(c))
            out.append(stripped if stripped and all(c in GSM7_BASIC for c in stripped) else char)
    return "".join(out)


def segments(text: str) -> int:
    """How many SMS parts ``text`` is sent as (0 for an empty text)."""
    if not text:
        return 0
    if is_gsm7(text):
        septets = sum(2 if c in GSM7_EXTENSION else 1 for c in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


def fit(text: str, max_segments: int) -> str:
    """``text`` cut (with '...') so that it takes at most ``max_segments`` parts: the last resort of a renderer
    whose shorter wording still did not fit (a 100-character shop name, a 64-character order id)."""
    if segments(text) <= max_segments:
        return text
    low, high = 0, len(text)
    while low < high:  # the longest prefix that fits with the ellipsis
        mid = (low + high + 1) // 2
        if segments(text[:mid].rstrip() + "...") <= max_segments:
            low = mid
        else:
            high = mid - 1
    return text[:low].rstrip() + "..."
