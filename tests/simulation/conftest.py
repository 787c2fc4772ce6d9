"""Builders for simulation scenarios: real ASL + real handlers on moto, virtual clock."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from outreach.simulator import runner
from outreach.simulator.scenario import parse

START = "2026-11-02T09:00:00Z"

BASE_ORDER: dict[str, Any] = {
    "orderId": "SO-1",
    "placedAt": "2026-11-02T10:00:00+01:00",
    "customer": {"name": "Ada Lovelace", "email": "ada@example.com", "timezone": "Europe/Berlin"},
    "items": [{"sku": "SOFA-OSLO-3", "description": "Oslo three-seater sofa", "quantity": 1}],
    "productionDays": 14,
    "transitDays": 7,
    "shippingAddress": {"line1": "12 Harbour Street", "city": "Hamburg", "postalCode": "20457", "country": "DE"},
}


def placed(at: str = "PT0S", **overrides: Any) -> dict[str, Any]:
    detail = copy.deepcopy(BASE_ORDER)
    customer = overrides.pop("customer", None)
    if customer:
        detail["customer"].update(customer)
    detail.update(overrides)
    return {"at": at, "detailType": "Order Placed", "detail": detail}


def event(at: str, detail_type: str, **detail: Any) -> dict[str, Any]:
    event_id = detail.pop("event_id", None)
    out: dict[str, Any] = {"at": at, "detailType": detail_type, "detail": {"orderId": "SO-1", **detail}}
    if event_id:
        out["id"] = event_id
    return out


def simulate(events: list[dict[str, Any]], until: str = "P40D", config: dict | None = None, name: str = "test"):
    scenario = parse({"name": name, "start": START, "until": until, "config": config or {}, "events": events})
    result = runner.run(scenario)
    assert result.errors == [], f"handler errors: {result.errors}"
    return result


def timeline(result) -> list[tuple[str, str, str, str]]:
    """(at, orderId, kind, channel) of every contact, in order: what a customer would see."""
    return [(c["at"], c["orderId"], c["kind"], c["channel"]) for c in result.contacts]


@pytest.fixture
def happy_events() -> list[dict[str, Any]]:
    return [
        placed(),
        event("P13D", "Production Completed"),
        event("P14DT2H", "Order Shipped", carrier="DHL Freight", trackingNumber="JD0146"),
        event("P19DT5H", "Order Delivered"),
    ]
