"""The SES account-level suppression list in the simulator (moto 5.2.5 does not implement it).

``GetSuppressedDestination`` is answered from botocore's ``before-call`` event, as SES answers it: the entry
for an address on the list (a scenario's ``suppressed``), else ``NotFoundException``. Everything else of SES
stays moto's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

import boto3

EVENT = "before-call.sesv2.GetSuppressedDestination"


class _Status:
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code
        self.headers: dict[str, str] = {}


@contextmanager
def installed(addresses: list[str]) -> Iterator[None]:
    """Answer ``GetSuppressedDestination`` from ``addresses`` on every boto3 client created meanwhile."""
    listed = {a.strip().lower() for a in addresses}
    events = boto3.DEFAULT_SESSION.events if boto3.DEFAULT_SESSION else boto3._get_default_session().events
    hook = _answer(listed)
    events.register(EVENT, hook)
    try:
        yield
    finally:
        events.unregister(EVENT, hook)


def _answer(listed: set[str]) -> Callable[..., Any]:
    def hook(params: dict[str, Any], **_: Any) -> tuple[_Status, dict[str, Any]]:
        address = unquote(str(params["url_path"]).rsplit("/", 1)[-1]).lower()
        if address in listed:
            entry = {"EmailAddress": address, "Reason": "BOUNCE", "LastUpdateTime": datetime.now(UTC)}
            return _Status(200), {"SuppressedDestination": entry, "ResponseMetadata": {"HTTPStatusCode": 200}}
        error = {"Code": "NotFoundException", "Message": "Email address is not on the suppression list"}
        return _Status(404), {"Error": error, "ResponseMetadata": {"HTTPStatusCode": 404}}

    return hook
