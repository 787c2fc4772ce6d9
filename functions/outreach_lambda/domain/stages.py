"""The order's stage: where it stands, derived from its facts, never moving backwards; and what may still be
said in each stage.

placed -> in production -> production complete -> shipped -> delivered -> closed; cancelled from any open
stage. The stage is *derived* from facts that are only ever added (a completion, a shipment, a delivery, a
cancellation, the satisfaction check sent), so it cannot move backwards, and a later-stage fact implies the
earlier ones: an Order Delivered without an Order Shipped means the order was shipped and produced.

A fact about an earlier stage that arrives late is still recorded (state, promise ledger, a note in the log)
but never produces a customer contact that the later stage contradicts:

- ``CONTACT_STAGES``: the stages in which each contact kind may still go out. A contact planned earlier but
  not yet sent (an SMS waiting for the end of quiet hours) is dropped once the order has moved past them.
- ``SLIP_STAGES``: the stages in which each slip rule may re-plan the promise, judged at the stage the order
  is in once the fact that reveals the slip is recorded. Once shipped, the carrier's estimate is the forecast:
  production facts no longer re-quote.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, Literal

from outreach_lambda.domain.contacts import any_issued, satisfaction_done
from outreach_lambda.domain.model import ContactKind, OrderState, RunStatus


class Stage(StrEnum):
    PLACED = "placed"
    IN_PRODUCTION = "in_production"
    PRODUCTION_COMPLETE = "production_complete"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CLOSED = "closed"
    CANCELLED = "cancelled"


P, IP, PC, S, D, C, X = Stage  # short names for the tables below

#: The stages an order passes through, in order (cancelled stands apart: it can follow any open stage).
ORDER: Final = (P, IP, PC, S, D, C)
OPEN: Final = frozenset({P, IP, PC, S, D})

CONTACT_STAGES: Final[dict[ContactKind, frozenset[Stage]]] = {
    # Thanks and the promise: not once the customer has the order.
    "order_confirmation": frozenset({P, IP, PC, S}),
    # "Nearly finished, please confirm the address": only before it leaves the workshop's hands.
    "production_update": frozenset({P, IP, PC}),
    # "On its way": only while it is on its way.
    "shipped": frozenset({S}),
    # A new date is news only before the delivery.
    "delay_notice": frozenset({P, IP, PC, S}),
    # Closed means the satisfaction check was issued: the sender sends it in that stage.
    "satisfaction_check": frozenset({D, C}),
    "cancellation_confirmation": frozenset({X}),
    "feedback_acknowledgement": frozenset({P, IP, PC, S, D, C}),
    # A customer wrote: answered in every stage but a cancelled order's (the help desk still answers by hand).
    "message_acknowledgement": frozenset({P, IP, PC, S, D, C}),
    # Not an order's contact (sent to a catalog requester who did not order); listed so every kind has a row.
    "design_advice_offer": frozenset(),
    # Not an order's contact (a catalog request has no stage); listed so every kind has a row.
    "catalog_follow_up": frozenset(),
}

SlipRule = Literal["production_delay", "production_completion", "carrier_estimate", "silence"]

SLIP_STAGES: Final[dict[SlipRule, frozenset[Stage]]] = {
    # Production Delayed: a new completion estimate, while production has not finished.
    "production_delay": frozenset({P, IP}),
    # Production Completed later than planned: only if it has not shipped meanwhile.
    "production_completion": frozenset({PC}),
    # Order Shipped with the carrier's estimate: only while it is on its way.
    "carrier_estimate": frozenset({S}),
    # No news from production by the estimate: only while waiting for production.
    "silence": frozenset({P, IP}),
}


Phase = Literal["production", "shipment", "delivery", "satisfaction", "closing", "complete", "cancelled"]

#: What a running timeline waits for in each stage (the state machine names its wait states after it).
WAITING_FOR: Final[dict[Stage, Phase]] = {
    P: "production",
    IP: "production",
    PC: "shipment",
    S: "delivery",
    D: "satisfaction",
    C: "closing",  # the last messages (e.g. an SMS waiting for the morning)
    X: "closing",
}


def phase(state: OrderState, run_status: RunStatus) -> Phase:
    """Where the state machine shows the order: its wait state, or its end."""
    if run_status == "complete":
        return "complete"
    if run_status == "cancelled":
        return "cancelled"
    return WAITING_FOR[stage(state)]


def stage(state: OrderState) -> Stage:
    """Where the order stands, from its facts alone."""
    if state.status == "cancelled":
        return X
    if state.delivered_at is not None:
        return C if satisfaction_done(state) else D
    if state.shipment is not None:
        return S
    if state.production_completed_at is not None:
        return PC
    return IP if any_issued(state, "order_confirmation") else P


def may_send(kind: ContactKind, state: OrderState) -> bool:
    return stage(state) in CONTACT_STAGES[kind]


def may_replan(rule: SlipRule, state: OrderState) -> bool:
    return stage(state) in SLIP_STAGES[rule]
