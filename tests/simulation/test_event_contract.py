"""The published event contract: schemas/ is what the models generate, every example in examples/events/ is
valid by its schema and by the models, and intake accepts each one in the simulator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from infra.event_schemas import PUBLISHED, SCHEMAS_DIR, event_schema, file_name, stale, to_draft4
from outreach import operate
from outreach.simulator import runner
from outreach.simulator.scenario import parse

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = REPO_ROOT / "examples" / "events"
PLACED = EXAMPLES / "order-placed.json"


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    return loaded


def test_given_the_event_models_then_the_checked_in_schemas_are_what_they_generate() -> None:
    assert stale() == [], "run `make schemas` and commit schemas/"
    assert sorted(p.name for p in SCHEMAS_DIR.glob("*.json")) == sorted(file_name(t) for t in PUBLISHED)


def test_given_every_published_type_then_there_is_one_example_and_it_is_valid_by_its_schema_and_the_models() -> None:
    assert sorted(p.name for p in EXAMPLES.glob("*.json")) == sorted(file_name(t) for t in PUBLISHED)
    for detail_type in PUBLISHED:
        event = example(file_name(detail_type))
        schema = json.loads((SCHEMAS_DIR / file_name(detail_type)).read_text(encoding="utf-8"))

        jsonschema.Draft202012Validator(schema).validate(event)
        jsonschema.Draft4Validator(to_draft4(schema)).validate(event)  # as the schema registry holds it
        assert operate.read_event(EXAMPLES / file_name(detail_type)).detail_type == detail_type


def test_given_a_schema_when_an_event_lacks_a_required_field_then_the_schema_refuses_it_too() -> None:
    event = example("order-placed.json")
    del event["detail"]["customer"]
    schema = to_draft4(event_schema("Order Placed"))

    with pytest.raises(jsonschema.ValidationError, match="'customer' is a required property"):
        jsonschema.Draft4Validator(schema).validate(event)


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.json") if p != PLACED))
def test_given_an_example_event_after_its_order_when_simulated_then_intake_accepts_it(name: str) -> None:
    events = [example("order-placed.json"), example(name)] if name != "catalog-requested.json" else [example(name)]
    if name == "customer-message-answered.json":  # an answer follows the customer's message
        events.insert(1, example("customer-message-received.json"))
    scenario = parse(
        {
            "name": f"example {name}",
            "start": "2026-11-02T08:00:00Z",
            "until": "P40D",
            "events": [
                {"at": e["time"], "detailType": e["detail-type"], "detail": e["detail"], "source": e["source"]}
                for e in events
            ],
        }
    )

    result = runner.run(scenario)

    assert result.rejected == []
    assert not result.errors
    kinds = {c["kind"] for c in result.contacts}
    expected = {
        "order-cancelled.json": "cancellation_confirmation",
        "order-shipped.json": "shipped",
        "catalog-requested.json": "catalog_follow_up",
        "feedback-received.json": "feedback_acknowledgement",
        "production-delayed.json": "delay_notice",
        "customer-message-received.json": "message_acknowledgement",
    }
    if name in expected:
        assert expected[name] in kinds, kinds
