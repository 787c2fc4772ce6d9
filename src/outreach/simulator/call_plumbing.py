"""Fast paths 44 and 53: pure helpers moto calls for every request it answers, computed once per argument.

- ``BaseResponse.setup_class`` formats the ``date`` response header with werkzeug's ``http_date`` (through
  ``email.utils.format_datetime``) for every request; the virtual clock stands still while a step runs, so the
  same instant is formatted again and again. Here ``moto.core.responses.http_date`` remembers the last 16
  instants it formatted (a pure function of its argument; ``direct_calls`` does the same for its calls).
- ``get_partition(region)`` (a loop over the partitions' region prefixes, twice per request: ``setup_class`` and
  the account's mark of use) is remembered per region name in ``moto.core.responses`` and ``accounts``.
- ``moto.core.utils.utcnow`` imports ``datetime.UTC`` on every call; here the same
  ``datetime.now(UTC).replace(tzinfo=None)`` with ``UTC`` bound once, where moto's request path reads it
  (``moto.core.utils`` itself, ``moto.core.responses`` and ``direct_calls``).

Fast path 53: ``BaseResponse._get_param`` of a service that parses no parameters itself (Scheduler, Step Functions,
SES v2...) decodes the whole JSON body again for every parameter it reads (``json.loads(self.body)[name]``): eleven
times for a ``CreateSchedule``. Here the body is decoded once per request and each parameter is taken from that
decoding the first time it is read; a parameter read again is decoded afresh, as before, so no two reads share an
object (what one caller keeps or changes, another never sees). The query string and path labels are looked at in
moto's order, and a body that is not JSON, not a JSON object, or changed since, is moto's way.

Fast path 113: a parameter that the body's text provably does not hold (no ``"name"`` in it and no ``\\u`` escape: a
member's name is written as its characters or their escapes) is not looked for in the decoded body: the query string
and path labels are asked as before. A Lambda ``Invoke`` reads only ``qualifier``, which the payloads fast path 73
covers never name: their JSON text (intake's events, the timeline's steps) is no longer decoded for it.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from typing import Any

from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.utilities.utils import get_partition
from werkzeug.http import http_date

from outreach.simulator import accounts, direct_calls

_UTC = datetime.UTC


def utcnow() -> datetime.datetime:
    """``moto.core.utils.utcnow`` (Python 3.11 and later): ``datetime.datetime`` is read at each call, as there."""
    return datetime.datetime.now(_UTC).replace(tzinfo=None)


_NO_BODY = object()


def _get_param(self: Any, param_name: str, if_none: Any = None) -> Any:
    """``BaseResponse._get_param`` with the JSON body decoded once per request (fast path 53)."""
    if self.automated_parameter_parsing:
        return _original_get_param(self, param_name, if_none)
    val = self.querystring.get(param_name)
    if val is not None:
        return val[0]
    body = self.body
    if body is not None and not _absent_from(body, param_name):
        state = self.__dict__.get("_sim_decoded")
        if state is None or state[0] is not body:  # first read of this body (or a body moto changed since)
            try:
                decoded = json.loads(body)
            except (ValueError, TypeError):
                decoded = _NO_BODY
            state = self.__dict__["_sim_decoded"] = (body, decoded, set())
        _, decoded, taken = state
        if decoded is not _NO_BODY:
            try:
                if param_name in taken:  # read before: decoded afresh, as moto decodes it for every read
                    return json.loads(body)[param_name]
                value = decoded[param_name]
                taken.add(param_name)
                return value
            except (KeyError, TypeError):
                pass
    if self.uri_match:
        try:
            return self.uri_match[param_name]
        except KeyError:
            pass
    return if_none


_PLAIN_NAME = re.compile(r"[A-Za-z0-9_]+")


def _absent_from(body: Any, param_name: str) -> bool:
    """Fast path 113: whether the JSON text ``body`` provably has no top-level member ``param_name`` (a name of letters,
    digits and ``_``): a member's name is written as its characters or their ``\\u`` escapes, so a text holding neither
    ``"param_name"`` nor any ``\\u`` has none (and a text that is not a JSON object has no members at all). A text
    with more than ``SHALLOW`` brackets is decoded as before: nested deep enough, decoding it raises ``RecursionError``,
    which moto lets through."""
    return (
        type(body) is str
        and "\\u" not in body
        and f'"{param_name}"' not in body
        and _PLAIN_NAME.fullmatch(param_name) is not None
        and shallow(body)
    )


#: fast path 113: the most ``[`` and ``{`` a JSON text left undecoded may hold (far from the interpreter's recursion
#: limit, which decoding a text nested ~1,000 deep would reach)
SHALLOW = 100


def shallow(text: str) -> bool:
    return text.count("[") + text.count("{") <= SHALLOW


_original_get_param = moto_responses.BaseResponse._get_param
cached_http_date = functools.lru_cache(maxsize=16)(http_date)
cached_partition = functools.lru_cache(maxsize=64)(get_partition)

PATCHES: list[tuple[Any, str, Any]] = [
    (moto_responses, "http_date", cached_http_date),
    (moto_responses, "get_partition", cached_partition),
    (accounts, "get_partition", cached_partition),
    (moto_utils, "utcnow", utcnow),
    (moto_responses, "utcnow", utcnow),
    (direct_calls, "utcnow", utcnow),
    (moto_responses.BaseResponse, "_get_param", _get_param),  # fast path 53
]
