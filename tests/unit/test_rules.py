"""Event rules: every order event has exactly one rule, and ``apply_event`` guards them all the same way."""

from __future__ import annotations

import pytest
from domain_builders import OrderRun, at, inbound
from outreach_lambda.domain.events import DETAIL_TYPES, OUTSIDE_TIMELINE, CatalogRequested
from outreach_lambda.domain.rules import RULES, Effects, apply_event
from outreach_lambda.domain.timeline import advance

NOW = at("2026-11-05T10:00:00Z")


def test_given_every_order_event_type_when_looked_up_then_it_has_exactly_one_rule() -> None:
    order_events = {model for name, model in DETAIL_TYPES.items() if name not in OUTSIDE_TIMELINE}
    assert set(RULES) == order_events
    assert CatalogRequested not in RULES


def test_given_every_rule_when_read_then_a_one_line_docstring_says_what_happens() -> None:
    for model, rule in RULES.items():
        assert rule.__doc__, f"{rule.__name__} ({model.__name__}) has no docstring"
        assert "\n" not in rule.__doc__.strip(), f"{rule.__name__} docstring is not one line"


def test_given_active_order_when_order_cancelled_applied_then_state_records_it_and_no_alert(order: OrderRun) -> None:
    order.place()
    effects = Effects()
    event = inbound("Order Cancelled", {"orderId": "SO-1", "reason": "changed mind"}, NOW)

    state = apply_event(order.state, event, NOW, order.config, effects)

    assert state is not None
    assert state.status == "cancelled"
    assert state.cancel_reason == "changed mind"
    assert state.triggers["cancellation_confirmation"] == NOW
    assert effects == Effects()


def test_given_cancelled_order_when_sku_batch_delay_applied_then_batch_outcome_false_and_event_ignored(
    order: OrderRun,
) -> None:
    order.place()
    order.feed("Order Cancelled", {"orderId": "SO-1"}, at("2026-11-03T10:00:00Z"))
    effects = Effects()
    event = inbound("Production Delayed", {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-12-20"}, NOW)
    assert order.state is not None
    before = order.state.model_dump()

    state = apply_event(order.state, event, NOW, order.config, effects)

    assert state is not None
    assert state.model_dump() == before
    assert effects.batch_outcomes == {event.event_id: False}
    assert effects.notes == [f"Production Delayed ({event.event_id}): order is cancelled, ignored"]
    assert effects.alerts == []


def test_given_no_order_when_shipped_applied_then_no_state_and_a_note(order: OrderRun) -> None:
    effects = Effects()
    event = inbound("Order Shipped", {"orderId": "SO-1", "carrier": "DHL", "trackingNumber": "T1"}, NOW)

    assert apply_event(None, event, NOW, order.config, effects) is None
    assert effects.notes == [f"Order Shipped ({event.event_id}): no Order Placed recorded yet, ignored"]


def test_given_sku_batch_delay_breaking_the_promise_when_applied_then_outcome_true_and_no_per_order_alert(
    order: OrderRun,
) -> None:
    order.place()
    effects = Effects()
    event = inbound("Production Delayed", {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-11-26"}, NOW)

    state = apply_event(order.state, event, NOW, order.config, effects)

    assert state is not None
    assert state.delay_notices == 1
    assert effects.batch_outcomes == {event.event_id: True}
    assert effects.alerts == []  # a batch is reported to ops once, as batch_delay


@pytest.mark.parametrize(
    "later",
    [
        [("Order Cancelled", {"orderId": "SO-1"})],
        [
            ("Order Shipped", {"orderId": "SO-1", "carrier": "DHL", "trackingNumber": "T1"}),
            ("Order Delivered", {"orderId": "SO-1"}),
        ],
    ],
    ids=["cancelled", "delivered"],
)
def test_given_a_sku_delay_then_events_that_forbid_its_notice_in_one_step_then_the_batch_outcome_is_not_told(
    order: OrderRun, later: list[tuple[str, dict[str, str]]]
) -> None:
    """All pending when the step runs (the execution was busy): the delay breaks the promise, the later events
    move the order to a stage where a delay notice is never sent. The batch report must not count it as told."""
    order.place()
    delay = inbound("Production Delayed", {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-11-26"}, NOW)

    decision = advance(order.state, [delay, *(inbound(t, d, NOW) for t, d in later)], NOW, order.config)

    assert "delay_notice" not in [c.kind for c in decision.contacts]
    assert decision.batch_outcomes == {delay.event_id: False}
