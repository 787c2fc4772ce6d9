"""The published event contract: an EventBridge schema registry holding one schema per order event type."""

from __future__ import annotations

import json

from aws_cdk import Stack
from aws_cdk import aws_eventschemas as eventschemas
from constructs import Construct

from infra.event_schemas import PUBLISHED, event_schema, to_draft4

SCHEMA_TYPE = "JSONSchemaDraft4"


class EventContract(Construct):
    """``<stack>-order-events`` registry: the schemas of ``schemas/`` (generated from the models intake
    validates with), as JSON Schema Draft 4, named like the detail-types (``outreach@OrderPlaced``)."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self.registry = eventschemas.CfnRegistry(
            self,
            "Registry",
            registry_name=f"{stack.stack_name}-order-events",
            description="Outreach order events: what the shop's systems may put on the order events bus",
        )
        self.schemas: dict[str, eventschemas.CfnSchema] = {}
        for detail_type in PUBLISHED:
            schema = eventschemas.CfnSchema(
                self,
                detail_type.title().replace(" ", ""),
                registry_name=self.registry.attr_registry_name,
                schema_name=f"outreach@{detail_type.title().replace(' ', '')}",
                type=SCHEMA_TYPE,
                description=f"The '{detail_type}' event (envelope and detail)",
                content=json.dumps(to_draft4(event_schema(detail_type)), separators=(",", ":")),
            )
            self.schemas[detail_type] = schema
