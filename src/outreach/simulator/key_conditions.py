"""Fast path 93: a Query's key condition read once per text, names, schema and placeholders given.

moto's ``parse_expression`` (``moto.dynamodb.parsing.key_condition_expression``) reads a ``KeyConditionExpression``
character by character (a Python tokenizer step per character: about 40 us for the handlers' ``#n0 = :v0 AND
begins_with(#n1, :v1)``) into a list of conditions, each (key name, comparison, the values compared with), then checks
them against the table's key schema with ``validate_schema``, which also refuses empty key values. What the reading
finds depends on the text, the names (a name that is there and not empty is replaced) and which placeholders the
values hold (a placeholder given is looked up, anything else is taken as text): each value it lists is either the
value of a placeholder (the very object), a new ``{"S": text}``, or the text itself.

Here the first reading of each (text, names, schema, placeholders given) runs moto's own ``parse_expression``; the list
it hands to ``validate_schema`` is kept as a template (each value as its placeholder, or the text it was made of) with
the names it used. A later call with the same four reads nothing: the list is made again from the template with this
call's values (the same objects, new ``{"S": text}`` dicts and lists), and moto's own ``validate_schema`` checks it
(refusing what it refuses). A reading that fails, a value listed that is none of those three, or a placeholder whose
value is also another's is not kept. ``tests/simulation/test_key_conditions.py`` compares answers and errors with
moto's over random key conditions, names, values and schemas, each read again with other values.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.parsing import key_condition_expression as key_module

_original_parse = key_module.parse_expression
_original_validate = key_module.validate_schema
#: (text, names, schema, placeholders given) -> ((key name, comparison, (slot, ...)), ...), names used
_templates: dict[tuple[Any, ...], tuple[tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...], tuple[str, ...]]] = {}
_KEPT = 4096


def _key(text: Any, values: Any, names: Any, schema: Any) -> tuple[Any, ...] | None:
    if type(text) is not str or type(values) is not dict or type(names) is not dict or type(schema) is not list:
        return None
    try:
        frozen_schema = tuple(tuple(entry.items()) for entry in schema)
        key = (text, tuple(names.items()), frozen_schema, frozenset(values))
        hash(key)
    except (AttributeError, TypeError):
        return None
    return key


def _template(results: Any, values: dict[str, Any]) -> tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] | None:
    """The conditions moto read, each value as the placeholder it is the value of, or the text it was made of."""
    by_identity: dict[int, str | None] = {}
    for given, value in values.items():
        by_identity[id(value)] = None if id(value) in by_identity else given  # None: two placeholders, one object
    template = []
    for entry in results:
        if type(entry) is not tuple or len(entry) != 3:
            return None
        name, comparison, listed = entry
        if type(name) is not str or type(comparison) is not str or type(listed) is not list:
            return None
        slots = []
        for value in listed:
            if id(value) in by_identity:
                placeholder: str | None = by_identity[id(value)]
                if placeholder is None or values[placeholder] is not value:
                    return None
                slots.append(("value", placeholder))
            elif type(value) is dict and len(value) == 1 and type(value.get("S")) is str:
                slots.append(("string", value["S"]))
            elif type(value) is str:
                slots.append(("text", value))
            else:
                return None
        template.append((name, comparison, tuple(slots)))
    return tuple(template)


def parse_expression(
    key_condition_expression: Any, expression_attribute_values: Any, expression_attribute_names: Any, schema: Any
) -> Any:
    """``parse_expression`` as moto's response layer calls it (keywords), read once per text, names, schema and
    placeholders given."""
    key = _key(key_condition_expression, expression_attribute_values, expression_attribute_names, schema)
    known = _templates.get(key) if key is not None else None
    if known is not None:
        template, names_used = known
        results = [
            (
                name,
                comparison,
                [
                    expression_attribute_values[text] if kind == "value" else {"S": text} if kind == "string" else text
                    for kind, text in slots
                ],
            )
            for name, comparison, slots in template
        ]
        hash_key_conditions, range_key_conditions = key_module.validate_schema(results, schema)
        return hash_key_conditions, range_key_conditions, list(names_used)
    if key is None or key_module.validate_schema is not _original_validate:
        return _original_parse(
            key_condition_expression=key_condition_expression,
            expression_attribute_values=expression_attribute_values,
            expression_attribute_names=expression_attribute_names,
            schema=schema,
        )
    seen: list[Any] = []

    def recording(results: Any, checked_schema: Any) -> Any:
        seen.append(_template(results, expression_attribute_values))
        return _original_validate(results, checked_schema)

    key_module.validate_schema = recording  # type: ignore[assignment]
    try:
        answer = _original_parse(
            key_condition_expression=key_condition_expression,
            expression_attribute_values=expression_attribute_values,
            expression_attribute_names=expression_attribute_names,
            schema=schema,
        )
    finally:
        key_module.validate_schema = _original_validate
    if len(seen) == 1 and seen[0] is not None:
        if len(_templates) >= _KEPT:
            _templates.clear()
        _templates[key] = (seen[0], tuple(answer[2]))
    return answer


def clear() -> None:
    _templates.clear()


PATCHES: list[tuple[Any, str, Any]] = [(dynamodb_responses, "parse_expression", parse_expression)]
