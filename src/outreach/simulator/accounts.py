"""Fast path 43: the account of every request, looked up without moto's per-lookup bookkeeping.

For every call moto answers (``BaseResponse.setup_class``, and ``direct_calls`` for the DynamoDB calls it covers)
it reads the access key of the request, finds the account that key belongs to (``get_account_id_from``: every
account's IAM backend in every partition) and marks the key as used (``mark_account_as_visited``). Each IAM lookup
goes through ``BackendDict.__getitem__``, which takes moto's backend lock, lists the accounts and compares the
``BackendDict`` with every registered one (a Python ``__eq__`` each) to register it, and
``AccountSpecificBackend.__getitem__``, which lists its keys.

Here a backend that is already there is read straight from the dicts: the same backend moto's ``__getitem__``
returns, since it only creates and registers what is missing (an account met for the first time, a partition not
yet built, a ``BackendDict`` not registered since a reset), and anything missing takes moto's own way, which
creates it. The rest is moto's code with its lookups resolved once: ``get_access_key`` asks for the
``Authorization`` header, and ``get_current_account`` the ``x-moto-account-id`` header, once (werkzeug's ``in``
looks the header up, raises and catches a ``KeyError`` when it is missing, and moto then looks it up again).
``tests/simulation/test_accounts.py`` compares the answers and the IAM state (keys marked used) with moto's.

Fast path 76: every backend lookup of every service (``dynamodb_backends[account]``, about 190 of a happy order:
each response's ``backend``, the runner's own reads) went through ``BackendDict.__getitem__`` too: moto's backend lock,
a list of the accounts, and ``self not in BackendDict._instances``, a Python ``__eq__`` (and ``__len__``) with each
registered ``BackendDict`` before it (twelve services: up to eleven). That call only ever adds: the account's
``AccountSpecificBackend`` if it is missing, and the ``BackendDict`` to ``_instances`` if it is not there, which only
``BackendDict.reset`` empties (when a mock ends). So once moto's own ``__getitem__`` has run for a ``BackendDict``,
that ``BackendDict`` stays registered until the next reset; here each one remembers the reset it was registered after
(a count that ``reset`` advances), and a lookup of a string account it holds, registered since the last reset, is
read from the dict directly: the same object. Anything else takes moto's way. ``tests/simulation/test_accounts.py``
compares the answers, the accounts created and ``_instances`` with moto's over random lookups, deletions and resets.
"""

from __future__ import annotations

import os
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.base_backend import BackendDict
from moto.core.responses import BaseResponse
from moto.iam import models as iam_models
from moto.utilities.utils import PARTITION_NAMES, get_partition

from outreach.simulator import direct_calls

_moto_mark_account_as_visited = iam_models.mark_account_as_visited
_dict_get = dict.get
_MISSING = object()


def _registered(backends: BackendDict[Any]) -> bool:
    """Whether ``backends`` is among moto's registered ``BackendDict``s, as ``_create_account_specific_backend``
    leaves it (compared by identity first: ``in`` compares with ``__eq__`` only up to the identical one)."""
    return any(known is backends for known in BackendDict._instances)  # type: ignore[misc]


def _iam(account_id: str, partition: str) -> Any:
    """``iam_backends[account_id][partition]`` if it exists and is registered, else None."""
    backends = iam_models.iam_backends
    account = _dict_get(backends, account_id)
    if account is None or not _registered(backends):
        return None
    return _dict_get(account, partition)


def get_account_id_from(access_key: str) -> str:
    """``moto.iam.models.get_account_id_from``."""
    for account_id, account in list(iam_models.iam_backends.items()):
        for partition in PARTITION_NAMES:
            backend = _dict_get(account, partition)
            if backend is None:
                backend = account[partition]  # moto's way: builds the partition's backend
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def mark_account_as_visited(account_id: str, access_key: str, service: str, region: str) -> None:
    """``moto.iam.models.mark_account_as_visited``: nothing to do for a key IAM does not know."""
    backend = _iam(account_id, get_partition(region))
    if backend is None or access_key in backend.access_keys:
        _moto_mark_account_as_visited(account_id=account_id, access_key=access_key, service=service, region=region)


def get_access_key(self: BaseResponse) -> str:
    """``BaseResponse.get_access_key``."""
    authorization = self.headers.get("Authorization", _MISSING)
    if authorization is not _MISSING:
        match = self.access_key_regex.search(authorization)
        if match:
            return match.group(1)
    if self.querystring.get("AWSAccessKeyId"):
        return self.querystring["AWSAccessKeyId"][0]
    return "AKIAEXAMPLE"


def get_current_account(self: BaseResponse) -> str:
    """``BaseResponse.get_current_account``."""
    account = os.environ.get("MOTO_ACCOUNT_ID")
    if account is not None:
        return account
    account = self.headers.get("x-moto-account-id", _MISSING)
    if account is not _MISSING:
        return account
    return iam_models.get_account_id_from(self.get_access_key())


_resets = 0  # BackendDict.reset calls so far (fast path 76)
_original_backend_lookup = BackendDict.__getitem__
_original_backends_reset = BackendDict.__dict__["reset"]
_dict_contains = dict.__contains__
_dict_getitem = dict.__getitem__


def backend_lookup(self: BackendDict[Any], account_id: str) -> Any:
    """``BackendDict.__getitem__``: read directly when the account is there and the dict registered since the last
    reset (fast path 76)."""
    if (
        type(account_id) is str
        and self.__dict__.get("_sim_registered_after") == _resets
        and _dict_contains(self, account_id)
    ):
        return _dict_getitem(self, account_id)
    found = _original_backend_lookup(self, account_id)
    self.__dict__["_sim_registered_after"] = _resets  # moto's call registered it
    return found


def _reset_backends(cls: type[BackendDict[Any]]) -> None:
    """``BackendDict.reset``, counted: every ``BackendDict`` registered before it must register again."""
    global _resets
    _resets += 1
    try:
        _original_backends_reset.__func__(cls)
    finally:
        _resets += 1


PATCHES: list[tuple[Any, str, Any]] = [
    (BackendDict, "__getitem__", backend_lookup),
    (BackendDict, "reset", classmethod(_reset_backends)),
    (iam_models, "get_account_id_from", get_account_id_from),
    (iam_models, "mark_account_as_visited", mark_account_as_visited),
    (direct_calls, "mark_account_as_visited", mark_account_as_visited),
    (BaseResponse, "get_access_key", get_access_key),
    (BaseResponse, "get_current_account", get_current_account),
]


def clear() -> None:
    """At the end of a run: marks made meanwhile no longer count (a reset after it is not counted)."""
    global _resets
    _resets += 1
