"""The published event contract: one JSON Schema per order event type, generated from the pydantic models
intake validates with (``functions/outreach_lambda/domain/events.py``), checked in under ``schemas/``.

``python -m infra.event_schemas`` (``make schemas``) rewrites them; ``--check`` exits 1 naming every file that
is out of date (a test runs the same check). The CDK app registers them in an EventBridge schema registry,
converted to JSON Schema Draft 4 (``to_draft4``: what the registry accepts besides OpenAPI 3).
The internal ``Timer Due`` type is not published: intake accepts it only from the internal source.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

from outreach_lambda.domain.events import (
    DETAIL_TYPES,
    EVENT_ID_PATTERN,
    INTERNAL_DETAIL_TYPES,
    INTERNAL_SOURCES,
    SOURCE_PATTERN,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMAS_DIR = REPO_ROOT / "schemas"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_4 = "http://json-schema.org/draft-04/schema#"
#: The published detail-types (those the shop's systems send).
PUBLISHED = sorted(set(DETAIL_TYPES) - INTERNAL_DETAIL_TYPES)


def file_name(detail_type: str) -> str:
    """'Order Placed' -> 'order-placed.json'."""
    return re.sub(r"[^a-z0-9]+", "-", detail_type.lower()).strip("-") + ".json"


def event_schema(detail_type: str) -> dict[str, Any]:
    """The whole EventBridge event of ``detail_type`` (envelope and detail), JSON Schema 2020-12."""
    detail = DETAIL_TYPES[detail_type].model_json_schema(by_alias=True, mode="validation")
    definitions = detail.pop("$defs", {})
    internal = "|".join(re.escape(s) for s in sorted(INTERNAL_SOURCES))
    schema: dict[str, Any] = {
        "$schema": DRAFT_2020_12,
        "title": detail_type,
        "description": f"An Outreach '{detail_type}' event on the order events bus (see docs/contracts.md).",
        "type": "object",
        "properties": {
            "id": {"type": "string", "pattern": f"^{EVENT_ID_PATTERN}$", "maxLength": 128},
            "detail-type": {"const": detail_type},
            "source": {
                "type": "string",
                "pattern": f"^(?!({internal})$){SOURCE_PATTERN}$",
                "maxLength": 256,
                "description": "the sending system, e.g. com.example.shop (any source but the internal one)",
            },
            "time": {"type": "string", "description": "the event's own time, ISO 8601 with offset"},
            "detail": detail,
        },
        "required": ["detail-type", "source", "detail"],
    }
    if definitions:
        schema["$defs"] = definitions
    return schema


def all_schemas() -> dict[str, dict[str, Any]]:
    return {file_name(t): event_schema(t) for t in PUBLISHED}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def stale(directory: Path = SCHEMAS_DIR) -> list[str]:
    """The schema files that differ from what the models generate (missing, changed or left over)."""
    wanted = {name: render(schema) for name, schema in all_schemas().items()}
    present = {p.name for p in directory.glob("*.json")} if directory.is_dir() else set()
    out = sorted(name for name in present - set(wanted))
    for name, text in wanted.items():
        path = directory / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            out.append(name)
    return sorted(out)


def write(directory: Path = SCHEMAS_DIR) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = all_schemas()
    for path in directory.glob("*.json"):
        if path.name not in wanted:
            path.unlink()
    for name, schema in wanted.items():
        (directory / name).write_text(render(schema), encoding="utf-8")


def to_draft4(schema: dict[str, Any]) -> dict[str, Any]:
    """The same schema in JSON Schema Draft 4: ``$defs`` -> ``definitions``, ``const`` -> one-value ``enum``,
    numeric ``exclusiveMinimum``/``exclusiveMaximum`` -> ``minimum``/``maximum`` with a boolean flag."""

    def convert(node: Any) -> Any:
        if isinstance(node, list):
            return [convert(n) for n in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$defs":
                out["definitions"] = {k: convert(v) for k, v in value.items()}
            elif key == "$ref" and isinstance(value, str):
                out["$ref"] = value.replace("#/$defs/", "#/definitions/")
            elif key == "const":
                out["enum"] = [value]
            elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
                out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
                out[key] = True
            elif key == "$schema":
                out["$schema"] = DRAFT_4
            elif key in ("properties", "patternProperties"):
                out[key] = {k: convert(v) for k, v in value.items()}
            else:
                out[key] = convert(value)
        return out

    converted: dict[str, Any] = convert(copy.deepcopy(schema))
    return converted


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if "--check" in args:
        out_of_date = stale()
        if out_of_date:
            print(f"schemas/ is out of date: {', '.join(out_of_date)}; run `make schemas`", file=sys.stderr)  # noqa: T201
            return 1
        return 0
    write()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
