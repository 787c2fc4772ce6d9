"""Fast path 44: pure helpers moto calls for every request it answers, computed once per argument.

- ``BaseResponse.setup_class`` formats the ``date`` response header with werkzeug's ``http_date`` (through
  ``email.utils.format_datetime``) for every request; the virtual clock stands still while a step runs, so the
  same instant is formatted again and again. Here ``moto.core.responses.http_date`` remembers the last 16
  instants it formatted (a pure function of its argument; ``direct_calls`` does the same for its calls).
- ``get_partition(region)`` (a loop over the partitions' region prefixes, twice per request: ``setup_class`` and
  the account's mark of use) is remembered per region name in ``moto.core.responses`` and ``accounts``.
- ``moto.core.utils.utcnow`` imports ``datetime.UTC`` on every call; here the same
  ``datetime.now(UTC).replace(tzinfo=None)`` with ``UTC`` bound once, where moto's request path reads it
  (``moto.core.utils`` itself, ``moto.core.responses`` and ``direct_calls``).
"""

from __future__ import annotations

import datetime
import functools
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


cached_http_date = functools.lru_cache(maxsize=16)(http_date)
cached_partition = functools.lru_cache(maxsize=64)(get_partition)

PATCHES: list[tuple[Any, str, Any]] = [
    (moto_responses, "http_date", cached_http_date),
    (moto_responses, "get_partition", cached_partition),
    (accounts, "get_partition", cached_partition),
    (moto_utils, "utcnow", utcnow),
    (moto_responses, "utcnow", utcnow),
    (direct_calls, "utcnow", utcnow),
]
