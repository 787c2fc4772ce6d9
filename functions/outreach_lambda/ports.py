"""What the services need from the outside world, as small protocols.

Services receive these; the handlers build the real adapters (``adapters/``) once per cold start; unit
tests pass in-memory fakes (``tests/unit/fakes.py``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol

from outreach_lambda.adapters.orders import Announcement, OrderRecord, OrderStanding
from outreach_lambda.domain.events import CatalogRequested, CustomerMessageReceived
from outreach_lambda.domain.model import Decision, InboundEvent
from outreach_lambda.domain.rendering import Message


class OrdersStore(Protocol):
    """The orders table: order state, promise ledger, inbox, wait token, timer, sku index, batches."""

    def register(
        self,
        order_id: str,
        placed_event_id: str,
        skus: list[str],
        now: datetime,
        *,
        fingerprint: str,
        placed_at: datetime,
    ) -> bool: ...
    def get(self, order_id: str) -> OrderRecord | None: ...
    def standings(self, order_ids: list[str]) -> dict[str, OrderStanding | None]:
        """Each order's run status and placedAt, without state or events (what intake judges an event by)."""
        ...

    def load(self, order_id: str) -> tuple[OrderRecord | None, list[tuple[str, InboundEvent]]]:
        """The record and its pending events (stored, not applied yet), in one read. The record's state is the
        caller's own (read fresh each time, shared with nothing): a step changes it in place."""
        ...

    def orders_with_sku(self, sku: str, after: str | None = None) -> list[str]:
        """The sku's open order ids in sort order; with ``after``, only those sorting after it."""
        ...

    def put_catalog_request(self, request: CatalogRequested, event_id: str, now: datetime) -> datetime | None:
        """When the request was first received, if this event is its record (new, or the same event again), else
        None (another event recorded this requestId)."""
        ...

    def get_catalog_request(self, request_id: str) -> CatalogRequested | None: ...
    def open_batch(self, event_id: str, sku: str, reason: str | None, now: datetime) -> str:
        """Open a sku delay's report (kept on a redelivery): ``"open"``, ``"closed"`` or ``"counted"`` (older)."""
        ...

    def batch_fan_out(self, event_id: str) -> str | None:
        """How an opened sku delay's fan-out stands; None: never opened."""
        ...

    def close_batch(self, event_id: str, targeted: int) -> dict[str, Any] | None:
        """The fan-out reached ``targeted`` orders and is done; the report's details if every one has reported."""
        ...

    def count_batch_outcome(self, event_id: str, told: bool) -> dict[str, Any] | None: ...
    def put_inbox(self, order_id: str, event: InboundEvent) -> bool: ...
    def park(self, order_id: str, token: str, waiting_for: str) -> bool:
        """Store the wait token unless an event arrived since the last step or the phase moved on."""
        ...

    def announce(self, order_id: str) -> Announcement:
        """Announce a stored event and take the wait token, only on a known order that is not finished: what the
        order was (None standing: unknown), whether the event was announced, the token if it was parked."""
        ...

    def forget_event(self, order_id: str, event_id: str) -> bool:
        """Remove a stored event of an unknown order while it is still unknown; False: it exists now."""
        ...

    def claim_timer(self, order_id: str, due: str) -> tuple[bool, str | None]:
        """Announce that the order's armed timer fired: (announced, the wait token if the execution is parked)."""
        ...

    def save_step(
        self,
        record: OrderRecord,
        decision: Decision,
        consumed: list[str],
        *,
        phase: str,
        timer: tuple[str, str] | None,
        accounted: int,
    ) -> None:
        """Save a step in one write conditional on the version read; a step that finishes the order also on no
        event announced since its read (else ``adapters.orders.ArrivedMeanwhile``: the step runs again)."""
        ...

    def release_skus(self, order_id: str, skus: list[str]) -> None: ...


class LedgerStatus(StrEnum):
    """What became of a contact, in the contact ledger (one entry per contact and channel)."""

    SENDING = "SENDING"  # claimed; the send is under way (left so only if the sender crashed)
    SENT = "SENT"  # accepted by SES / SNS, with its message id
    RETRY = "RETRY"  # provably not accepted (throttled, outage): sent again later, claimable again
    PARKED = "PARKED"  # the account cannot send (sender not verified, sending paused): redriven when fixed
    FAILED = "FAILED"  # this recipient will not take it (invalid address, rejected)
    UNCONFIRMED = "UNCONFIRMED"  # the request left, no answer came: never repeated blindly
    SKIPPED = "SKIPPED"  # not sent on purpose (e.g. no phone number), with the reason


class ContactLedger(Protocol):
    """One entry per contact and channel: claimed before sending, then finished with its LedgerStatus."""

    def claim(
        self, pk: str, key: str, fields: dict[str, Any], again: frozenset[str], now: datetime | None = None
    ) -> int | None: ...
    def finish(self, pk: str, key: str, status: str, fields: dict[str, Any]) -> None: ...
    def sent_promises(self, pk: str) -> list[tuple[datetime, date]]:
        """(sentAt, promisedDate) of each of the owner's contacts that went out (SENT) stating a date: what the
        customer was really told (one consistent Query of the owner's partition)."""
        ...

    def first_parked(self, cause: str, now: datetime) -> bool:
        """Record that contacts are parked for ``cause``; True the first time (until a redrive clears it)."""
        ...

    def stuck(self, claimed_before: datetime) -> list[dict[str, Any]]:
        """Entries still SENDING that were claimed before ``claimed_before`` (a query of the sparse index of
        claims in flight, never a scan), oldest first."""
        ...

    def settle_stuck(self, pk: str, key: str, claimed_at: str, status: str, fields: dict[str, Any]) -> bool:
        """Finish a stuck claim with ``status``, only if it is still the same claim (SENDING, ``claimed_at``):
        False when the sender finished it meanwhile."""
        ...


class OptOuts(Protocol):
    """The shop's own opt-out list: addresses (e-mail or phone, normalised) that asked not to be written to."""

    def add(self, address: str, reason: str, at: datetime) -> bool:
        """Put the address on the list; False when it was on it already."""
        ...

    def remove(self, address: str) -> bool:
        """Take the address off the list; False when it was not on it."""
        ...

    def contains(self, address: str) -> bool: ...


class SuppressionList(Protocol):
    """The SES account-level suppression list (addresses that bounced or complained)."""

    def suppressed(self, email: str) -> bool: ...


class Messenger(Protocol):
    """The customer's channels. Each returns the provider's message id."""

    def send_email(self, to: str, message: Message, tags: dict[str, str]) -> str: ...
    def send_sms(self, phone: str, text: str) -> str: ...


class Alerts(Protocol):
    def publish(self, alert: dict[str, Any]) -> None: ...


class Executions(Protocol):
    def start(self, order_id: str) -> bool: ...


class TaskTokens(Protocol):
    """Completes (or fails) the task token an execution is parked on; False when the task is gone."""

    def complete(self, token: str, output: dict[str, Any]) -> bool: ...
    def fail(self, token: str, error: str, cause: str) -> bool: ...


class Timers(Protocol):
    def arm(self, order_id: str, due_at: datetime) -> str: ...
    def disarm(self, name: str) -> None: ...


class DeadLetters(Protocol):
    def reject(self, event: Any, code: str, reason: str) -> None: ...


class AsyncFunction(Protocol):
    """Another function of the app, invoked asynchronously (Lambda retries it)."""

    def invoke(self, payload: dict[str, Any]) -> None: ...


class SendSlots(Protocol):
    """The shared e-mail send-rate limiter: the instant a send reserved now may go."""

    def reserve(self, now: datetime) -> datetime: ...


class LinkUses(Protocol):
    """A one-click link acts once: claimed by its link id; released again when its event could not be put."""

    def claim(self, link_id: str, action: str, now: datetime) -> bool: ...
    def done(self, link_id: str, action: str, now: datetime) -> None: ...
    def release(self, link_id: str, action: str, now: datetime) -> None: ...


class OrderEvents(Protocol):
    """Puts an order event on the Outreach bus (source ``outreach.actions``)."""

    def put(self, detail_type: str, detail: dict[str, Any]) -> None: ...


class Conversations(Protocol):
    """Customer messages (``MESSAGE#<id>``) and who has ordered (``CUSTOMER#<hash>``)."""

    def open(
        self, message: CustomerMessageReceived, who: dict[str, str], answer_by: datetime, now: datetime, event_id: str
    ) -> datetime | None:
        """The message's answer-by time when this event is its record (new, or the same event again), else None."""
        ...

    def get(self, message_id: str) -> dict[str, Any] | None: ...
    def answered(self, message_id: str, now: datetime) -> bool: ...
    def overdue(self, message_id: str, now: datetime) -> bool: ...
    def note_order(self, email: str, order_id: str, now: datetime) -> None: ...
    def has_ordered(self, email: str) -> bool: ...


class RemainingTime(Protocol):
    """How long the invocation may still run (the Lambda context has this method; the simulator models it)."""

    def get_remaining_time_in_millis(self) -> int: ...


class InternalTimers(Protocol):
    """One-time internal events at a time (the reply SLA, the design-advice offer), through the same scheduler."""

    def arm_event(self, seed: str, due_at: datetime, detail_type: str, detail: dict[str, Any]) -> str: ...
