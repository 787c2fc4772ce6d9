"""Contact planning: which contact is due when, on which channel, under which idempotency key.

Contacts are *derived* from the order's facts (promise, production estimate, shipment, delivery) each time,
so a changed fact re-plans every contact not yet issued, and a contact key once issued is never issued again.
Event-driven contacts start from the instant in ``state.triggers`` that the event rules recorded; timer-driven
ones from a fact (the production estimate, the delivery). Quiet hours apply here, and so does pacing: an
e-mail waits for the send slot the rate limiter reserved for it.

The key formats below are persisted (``issued``, ``triggers``, ``deferred`` and the sender's contact records):
build keys only with ``contact_key`` and ``trigger_key``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import Channel, ContactKind, ContactOrder, OrderState
from outreach_lambda.domain.promise import add_local_days
from outreach_lambda.domain.quiet_hours import next_allowed

SendSlot = Callable[[ContactOrder], datetime]

#: Retries of a send that provably did not go through (throttled, an outage): the n-th retry waits
#: RETRY_BASE * 2**(n-1), at most RETRY_CAP, minus a jitter of up to a half that is derived from the contact's
#: key (deterministic, yet spreading a batch of retries apart). After RETRY_ATTEMPTS attempts the contact is
#: parked for ops: 3 to 4 hours of trying in all (waits of 1, 2, 4 ... 32, 60, 60, 60 minutes, less jitter).
RETRY_BASE = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=1)
RETRY_ATTEMPTS = 10


def trigger_key(kind: ContactKind, seq: int | None = None) -> str:
    """The ``state.triggers`` key of an event-driven contact: ``"shipped"``; ``"delay_notice#2"`` for the 2nd notice."""
    return kind if seq is None else f"{kind}#{seq}"


def contact_key(kind: ContactKind, channel: Channel, seq: int | None = None) -> str:
    """A contact's idempotency key within its order: ``"shipped#email"``, ``"delay_notice#2#sms"``."""
    return f"{trigger_key(kind, seq)}#{channel}"


def channels(state: OrderState) -> list[Channel]:
    return ["email", "sms"] if state.order.customer.wants_sms() else ["email"]


def planned_contacts(state: OrderState, config: OutreachConfig, now: datetime) -> list[ContactOrder]:
    """Every contact still to be issued, with its due instant (quiet hours applied).

    A timer-driven contact whose nominal time has already passed (a late event made it due) is due now,
    and quiet hours apply to that real sending time, not to the nominal one.
    """
    zone = state.order.customer.zone
    quiet = config.quiet_hours
    triggers = state.triggers
    out: list[ContactOrder] = []

    def event_driven(kind: ContactKind, seq: int | None = None) -> None:
        # E-mail goes at once at any hour; SMS waits for the end of quiet hours.
        at = triggers[trigger_key(kind, seq)]
        for channel in channels(state):
            due = at if channel == "email" else next_allowed(at, zone, quiet)
            out.append(ContactOrder(key=contact_key(kind, channel, seq), kind=kind, channel=channel, due_at=due))

    def timer_driven(kind: ContactKind, at: datetime) -> None:
        due = next_allowed(max(at, now), zone, quiet)
        for channel in channels(state):
            out.append(ContactOrder(key=contact_key(kind, channel), kind=kind, channel=channel, due_at=due))

    if state.status == "cancelled":
        # Nothing else is ever sent for a cancelled order, only the confirmation of the cancellation.
        event_driven("cancellation_confirmation")
    else:
        event_driven("order_confirmation")
        if trigger_key("production_update") in triggers:
            # Triggered by Production Completed, but still a timer-driven kind: it waits out quiet hours.
            timer_driven("production_update", triggers[trigger_key("production_update")])
        elif state.shipment is None or any_issued(state, "production_update"):
            lead = config.production_update_lead_days
            timer_driven("production_update", add_local_days(state.production_estimate, -lead, zone))
        # Only the latest delay notice is news: an earlier one not yet sent on a channel (an SMS waiting for
        # the morning) is superseded, else the customer would get the same new date twice.
        if state.delay_notices:
            event_driven("delay_notice", state.delay_notices)
        if state.shipment is not None:
            event_driven("shipped")
        if state.delivered_at is not None:
            timer_driven("satisfaction_check", add_local_days(state.delivered_at, config.satisfaction_check_days, zone))
        if trigger_key("feedback_acknowledgement") in triggers:
            event_driven("feedback_acknowledgement")
    return [with_deferral(c, state) for c in out if c.key not in state.issued]


def with_deferral(contact: ContactOrder, state: OrderState) -> ContactOrder:
    """A contact whose e-mail send slot was reserved later than its due instant is due at that slot."""
    slot = state.deferred.get(contact.key)
    if slot is None or slot <= contact.due_at:
        return contact
    return contact.model_copy(update={"due_at": slot})


def pace(
    state: OrderState, due: list[ContactOrder], now: datetime, email_slot: SendSlot
) -> tuple[list[ContactOrder], list[ContactOrder]]:
    """Split due contacts into those that go now and e-mails that wait for their reserved send slot."""
    go: list[ContactOrder] = []
    wait: list[ContactOrder] = []
    for contact in due:
        reserved = state.deferred.get(contact.key)
        if contact.channel != "email" or (reserved is not None and reserved <= now):
            go.append(contact)
            continue
        slot = email_slot(contact)
        if slot <= now:
            go.append(contact)
        else:
            state.deferred[contact.key] = slot
            wait.append(contact.model_copy(update={"due_at": slot}))
    return go, wait


def any_issued(state: OrderState, kind: ContactKind) -> bool:
    """Whether a contact of ``kind`` went out on any channel."""
    return any(key.startswith(f"{kind}#") for key in state.issued)


def satisfaction_done(state: OrderState) -> bool:
    """Whether the satisfaction check went out on every channel of the order: the timeline's last contact."""
    return all(contact_key("satisfaction_check", ch) in state.issued for ch in channels(state))


def retry_at(key: str, attempt: int, now: datetime) -> datetime | None:
    """When a contact whose ``attempt``-th send provably failed is tried again; None when it is time to give up."""
    if attempt >= RETRY_ATTEMPTS:
        return None
    backoff = min(RETRY_BASE * 2 ** (attempt - 1), RETRY_CAP)
    spread = int.from_bytes(hashlib.sha256(f"{key}#{attempt}".encode()).digest()[:4], "big") / 2**32
    return now + backoff * (1 - spread / 2)
