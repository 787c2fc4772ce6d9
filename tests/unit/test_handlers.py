"""Each handler with the exact payload its function receives (``tests/fixtures/payloads/``), over fakes.

The fixtures are checked against what the real state machine sends in ``tests/simulation/test_payloads.py``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.handlers import intake, sender, timeline
from outreach_lambda.services import intake as intake_service
from outreach_lambda.step_contract import (
    IntakeResult,
    RecordRequest,
    SendRequest,
    SendResult,
    TimelineResult,
    WaitRequest,
    WaitResult,
    WakeRequest,
)

PAYLOADS = Path(__file__).resolve().parents[1] / "fixtures" / "payloads"
PLACED_AT = at("2026-11-02T09:00:00Z")


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Context:
    function_name: str = "outreach-test"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = "arn:aws:lambda:eu-central-1:123456789012:function:outreach-test"
    aws_request_id: str = "test-request"
    remaining_ms: int = 30_000

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


@pytest.fixture
def shop(monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    """Every handler's service is the fake-backed one; the handlers' clock stands at the order's placement."""
    shop = Shop()
    monkeypatch.setattr(intake, "service", lambda: shop.intake)
    monkeypatch.setattr(timeline, "service", lambda: shop.timeline)
    monkeypatch.setattr(sender, "service", lambda: shop.sender)
    with time_machine.travel(PLACED_AT, tick=False):
        yield shop


def test_given_the_payloads_then_each_is_valid_for_the_model_its_function_parses() -> None:
    RecordRequest.model_validate(payload("timeline"))
    WaitRequest.model_validate(payload("timeline_wait"))
    WakeRequest.model_validate(payload("timeline_wake"))
    SendRequest.model_validate(payload("sender"))
    assert payload("intake")["detail-type"] == "Order Placed"


def test_given_an_order_placed_event_then_intake_accepts_it_and_starts_the_orders_timeline(shop: Shop) -> None:
    out = intake.handler(payload("intake"), Context())

    assert IntakeResult.model_validate(out).outcome == "accepted"
    assert shop.machine.started == ["SO-1"]


def test_given_a_timer_due_event_then_intake_hands_the_parked_execution_to_the_timeline(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)
    shop.park("SO-1", "t0", PLACED_AT)

    timer = payload("intake_timer")
    with time_machine.travel(at(timer["time"]), tick=False):  # it arrives at its own time
        out = intake.handler(timer, Context())

    assert IntakeResult.model_validate(out).order_ids == ["SO-1"]
    assert [WakeRequest.model_validate(p).task_token for p in shop.timeline_invoker.payloads] == ["t0"]


def test_given_a_sku_delay_and_little_time_left_then_intake_hands_the_rest_on_from_the_lambda_context(
    shop: Shop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake_service, "SKU_DELAY_GROUP", 2)
    for n in range(3):
        shop.event("Order Placed", placed_detail(order_id=f"SO-{n}"), PLACED_AT)
    delay = {**payload("intake"), "detail-type": "Production Delayed", "id": "delay-1"}
    delay["detail"] = {"sku": "SOFA-3S-VELVET", "estimatedCompletion": "2026-12-20"}

    out = intake.handler(delay, Context(remaining_ms=intake_service.CONTINUE_BELOW_MS - 1))

    assert IntakeResult.model_validate(out).order_ids == ["SO-0", "SO-1"]
    [(detail_type, detail)] = shop.bus.events
    assert (detail_type, detail["eventId"], detail["after"]) == ("Sku Delay Continued", "delay-1", "SO-1")


def test_given_the_record_payload_then_the_first_step_answers_the_state_data(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT)

    out = timeline.handler(payload("timeline"), Context())

    result = TimelineResult.model_validate(out)
    assert result.phase == "production"
    assert result.contacts_sent == ["order_confirmation#email"]
    assert "wakeAt" in out  # selected by name by the state machine, also when null
    assert [m.to for m in shop.customer.sent] == ["ada@example.com"]


def test_given_the_wait_payload_then_the_execution_parks_with_its_timer(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)

    out = timeline.handler(payload("timeline_wait"), Context())

    assert WaitResult.model_validate(out).outcome == "parked"
    assert len(shop.timers.armed) == 1


def test_given_the_wake_payload_then_the_order_is_advanced_and_its_token_completed(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)
    shop.event("Order Shipped", {"orderId": "SO-1", "carrier": "DHL", "trackingNumber": "JD1"}, PLACED_AT)

    out = timeline.handler(payload("timeline_wake"), Context())

    assert TimelineResult.model_validate(out).phase == "delivery"
    [(token, output)] = shop.machine.completed
    assert (token, output["phase"]) == (payload("timeline_wake")["taskToken"], "delivery")


def test_given_the_sender_payload_then_a_contact_already_sent_is_not_sent_again(shop: Shop) -> None:
    shop.event("Order Placed", placed_detail(), PLACED_AT)
    shop.start("SO-1", PLACED_AT)

    out = sender.handler(payload("sender"), Context())

    assert SendResult.model_validate(out).status == "duplicate"
    assert [(m.channel, m.to) for m in shop.customer.sent] == [("email", "ada@example.com")]


def test_given_the_catalog_payload_then_the_requester_gets_the_follow_up(shop: Shop) -> None:
    request = {"requestId": "CAT-1", "customer": {"name": "Grace Hopper", "email": "grace@example.com"}}
    shop.event("Catalog Requested", request, PLACED_AT)

    out = sender.handler(payload("sender_catalog"), Context())

    assert SendResult.model_validate(out).status == "sent"
    assert [m.to for m in shop.customer.sent] == ["grace@example.com"]
