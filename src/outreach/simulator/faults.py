"""Faults a scenario can inject (its ``faults`` section, docs/simulator.md), in windows of virtual time.

- ``ses``: SES v2 ``SendEmail`` answers the AWS error ``error`` (``TooManyRequestsException``,
  ``SendingPausedException``, ``MessageRejected`` with a ``message`` saying the sender is not verified ...);
- ``sms``: SNS ``Publish`` to a phone number answers ``error`` (ops alerts to the topic still go);
- ``timers``: a wake-up timer falling due is lost: EventBridge Scheduler never delivers it;
- ``timeline`` / ``intake`` / ``sender``: that function crashes on every invocation (``error`` is the message);
- ``claim``: the process sending a contact dies after claiming it in the contact ledger, once per window (the
  first send inside it), ``when`` ``before_send`` (before the provider call: the customer never got it) or
  ``after_send`` (after the provider accepted it: the customer got it, the ledger never heard).

Provider errors are raised from botocore's ``before-call`` event, exactly where a real service's error would
surface in the handler: the handlers, the classification and the state machine all run as they would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field

Target = Literal["ses", "sms", "timers", "timeline", "intake", "sender", "claim"]
_STATUS = {"TooManyRequestsException": 429, "Throttling": 400, "ServiceUnavailable": 503, "InternalFailure": 500}


class Fault(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)

    start: str = Field(alias="from", description="ISO 8601 duration from the scenario's start, or a timestamp")
    until: str = Field(description="end of the window (exclusive), same forms")
    target: Target
    error: str = Field(default="ServiceUnavailable", max_length=100)
    message: str = Field(default="", max_length=500)
    when: Literal["before_send", "after_send"] = Field(
        default="before_send", description="target 'claim': the process dies before or after the provider call"
    )


class ProcessDied(RuntimeError):
    """The function's process stopped between claiming a contact and recording its outcome (``claim`` faults):
    not an error the sender handles, so nothing is recorded, as when Lambda kills a process."""


class Window:
    def __init__(self, fault: Fault, start: datetime, until: datetime) -> None:
        self.fault, self.start, self.until = fault, start, until
        self.spent = False  # a ``claim`` window kills one send only

    def active(self, now: datetime | None = None) -> bool:
        now = now or datetime.now(UTC)
        return self.start <= now < self.until


class Faults:
    """The scenario's fault windows, resolved to instants (``resolve`` is the scenario's own time parser)."""

    def __init__(self, faults: list[Fault], resolve: Callable[[str], datetime]) -> None:
        self.windows = [Window(f, resolve(f.start), resolve(f.until)) for f in faults]

    def _active(self, target: Target, now: datetime | None = None) -> Window | None:
        return next((w for w in self.windows if w.fault.target == target and w.active(now)), None)

    def loses_timer(self, due: datetime) -> bool:
        return self._active("timers", due) is not None

    def crash(self, function: str) -> str | None:
        window = self._active(function)  # type: ignore[arg-type]
        return (window.fault.message or window.fault.error or "injected crash") if window else None

    @contextmanager
    def installed(self) -> Iterator[None]:
        """Provider faults on every boto3 client created meanwhile (the handlers create theirs on first use)."""
        events = boto3.DEFAULT_SESSION.events if boto3.DEFAULT_SESSION else boto3._get_default_session().events
        hooks: list[tuple[str, Callable[..., Any]]] = [
            ("before-call.sesv2.SendEmail", self._provider("ses", "SendEmail")),
            ("before-call.sns.Publish", self._provider("sms", "Publish")),
        ]
        for call in ("before-call", "after-call"):
            when = "before_send" if call == "before-call" else "after_send"
            hooks += [(f"{call}.sesv2.SendEmail", self._dies(when)), (f"{call}.sns.Publish", self._dies(when))]
        for name, hook in hooks:
            events.register(name, hook)
        try:
            yield
        finally:
            for name, hook in hooks:
                events.unregister(name, hook)

    def _dies(self, when: str) -> Callable[..., Any]:
        def hook(context: dict[str, Any], **kwargs: Any) -> None:
            if when == "before_send":
                body = (kwargs.get("params") or {}).get("body", {})
                context["outreach_customer_send"] = not (isinstance(body, dict) and "TopicArn" in body)
            if not context.get("outreach_customer_send"):
                return  # an ops alert to the topic, not a customer send
            if when == "after_send" and int(kwargs["http_response"].status_code) >= 300:
                return  # the provider refused it: the sender records that
            window = next(
                (
                    w
                    for w in self.windows
                    if w.fault.target == "claim" and w.fault.when == when and not w.spent and w.active()
                ),
                None,
            )
            if window is None:
                return
            window.spent = True
            raise ProcessDied(window.fault.message or f"the process died after the claim, {when.replace('_', ' ')}")

        return hook

    def _provider(self, target: Target, operation: str) -> Callable[..., Any]:
        def hook(params: dict[str, Any], **_: Any) -> None:
            if target == "sms" and "PhoneNumber" not in params.get("body", {}):
                return  # an ops alert to the topic, not an SMS
            window = self._active(target)
            if window is None:
                return
            code, message = window.fault.error, window.fault.message or window.fault.error
            response: dict[str, Any] = {
                "Error": {"Code": code, "Message": message},
                "ResponseMetadata": {"HTTPStatusCode": _STATUS.get(code, 400)},
            }
            raise ClientError(response, operation)  # type: ignore[arg-type]

        return hook
