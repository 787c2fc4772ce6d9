"""Fast path 109: moto's search for the service of a new URL tries only the patterns that can match its host.

``BotocoreStubber.process_request`` finds a request's service by trying moto's ~180 service URL patterns
(``backend_index.backend_url_patterns``) in order, the first that matches winning; ``moto_runtime._moto_handler`` does
the same search once per URL. A schedule's name (and an e-mail address, an execution's) is in the path, so every
``CreateSchedule`` is a new URL, and its search tried about 160 regular expressions before ``scheduler``'s.

Most patterns begin with literal text after the scheme: ``https?://scheduler\\.(.+)\\.amazonaws\\.com`` can only match
a URL that starts with ``http://scheduler.`` or ``https://scheduler.``. Each pattern's possible literal beginnings are
read once from its parse (``re._parser``: literal characters, and an optional literal character such as ``s?``, each
way; anything else ends the beginning there; a pattern compiled with ``IGNORECASE`` has none), and for each host
(``scheme://netloc``) the patterns are kept, in moto's order, whose beginning could be that of a URL of the host: no
beginning, a beginning the host starts with, or one that starts with the host (the path decides: the pattern is kept). A
pattern left out cannot match any URL of that host, so trying the kept ones in order finds the first that matches:
the same service, and then the same handler.

``tests/simulation/test_url_routes.py`` compares the beginnings with the patterns (each beginning matched, text that
starts otherwise refused) and the service found with a try of every pattern over random URLs of every service's
hosts and the simulator's own.

Thread safety and bounds: the candidates are computed under the GIL from immutable patterns (a race computes the same
list twice); per host, at most ``_MAX_HOSTS`` kept, cleared when full.
"""

from __future__ import annotations

import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_MAX_HOSTS = 256
_MAX_PATTERNS = 4096
_MAX_BEGINNINGS = 8
_LITERAL = sre_constants.LITERAL
_MAX_REPEAT = sre_constants.MAX_REPEAT
_MIN_REPEAT = sre_constants.MIN_REPEAT

_beginnings: dict[re.Pattern[str], tuple[str, ...] | None] = {}
_candidates: dict[tuple[int, str], tuple[Any, list[tuple[str, re.Pattern[str]]]]] = {}


def beginnings(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Every text a match of ``pattern`` (``re.match``: at the start) must begin with, one of them; None: no literal
    beginning is known (any text may match)."""
    if pattern in _beginnings:
        return _beginnings[pattern]
    found = _read_beginnings(pattern)
    if len(_beginnings) >= _MAX_PATTERNS:
        _beginnings.clear()
    _beginnings[pattern] = found
    return found


def _read_beginnings(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    if pattern.flags & re.IGNORECASE or not isinstance(pattern.pattern, str):
        return None
    try:
        tokens = sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # (a pattern that compiled parses: nothing to guess otherwise)
        return None
    texts = [""]
    for op, arg in tokens:
        if op is _LITERAL:
            texts = [text + chr(arg) for text in texts]
        elif op in (_MAX_REPEAT, _MIN_REPEAT) and arg[0] == 0 and arg[1] == 1 and _single_literal(arg[2]) is not None:
            char = _single_literal(arg[2])
            texts = [*texts, *(text + char for text in texts)]  # type: ignore[operator]  # without it, and with it
        else:
            break  # (what follows is not read: any text may follow)
        if len(texts) > _MAX_BEGINNINGS:
            return None
    if "" in texts:
        return None  # (a match may begin with anything)
    return tuple(dict.fromkeys(texts))


def _single_literal(subpattern: Any) -> str | None:
    items = list(subpattern)
    if len(items) == 1 and items[0][0] is _LITERAL:
        return chr(items[0][1])
    return None


def host_of(url: str) -> str:
    """``scheme://netloc`` of ``url`` (up to the path's first ``/``): a beginning of ``url``, whatever it holds."""
    start = url.find("//")
    end = url.find("/", start + 2) if start >= 0 else -1
    return url if end < 0 else url[:end]


def candidates(patterns: list[tuple[str, re.Pattern[str]]], host: str) -> list[tuple[str, re.Pattern[str]]]:
    """The ``(service, pattern)`` pairs of ``patterns``, in their order, that may match a URL beginning with ``host``
    (``host_of`` the URL; any beginning of it would do): the others cannot."""
    key = (id(patterns), host)
    found = _candidates.get(key)
    if found is not None and found[0] is patterns:
        return found[1]
    kept = []
    for service, pattern in patterns:
        texts = beginnings(pattern)
        if texts is None or any(host.startswith(text) or text.startswith(host) for text in texts):
            kept.append((service, pattern))
    if len(_candidates) >= _MAX_HOSTS:
        _candidates.clear()
    _candidates[key] = (patterns, kept)  # (the list is held: its id is not reused while the entry lives)
    return kept


def clear() -> None:
    _candidates.clear()
