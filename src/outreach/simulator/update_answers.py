"""Fast path 88: an UpdateItem of a request shape moto's response layer has accepted before skips the checks that
depend on the shape alone.

moto's ``DynamoHandler.update_item`` checks every request before it calls the backend. Some checks read only the
request's *shape*: which parameters it has (``AttributeUpdates`` with an ``UpdateExpression``, ``Expected``), the
text of the update expression (not empty; parsed, then searched twice for the names and values it uses), the
``ReturnValues`` (one of five), and whether every name in ``ExpressionAttributeNames`` and every placeholder in
``ExpressionAttributeValues`` is used by the update or condition expression (``validate_attributes_used``, twice:
the placeholders the texts use depend on the texts and the names only). The rest read values or the table: the
table exists, the key names are key attributes of the table, the item is read by its key (moto's key checks), the
values are checked (``_get_expr_attr_values``: not empty, each placeholder starting with ``:``, no empty number set)
and the condition expression is parsed with them.

Here a request whose shape (table name, key names, update and condition texts, the names given, the placeholders
given, ``ReturnValues``, ``ReturnValuesOnConditionCheckFailure`` and the set of parameters present) has been
answered by moto's own ``update_item`` without an error before, with ``ReturnValues`` ``NONE``, ``ALL_OLD`` or
``ALL_NEW`` and neither ``AttributeUpdates`` nor ``Expected``, runs only the checks that read values or the table,
in moto's order (so the first error is the same), then the same backend call with the same arguments, and answers
as moto's method does (with fast paths 30b and 50: the old item rendered before the update only for ``ALL_OLD``,
the new one only for ``ALL_NEW``). Anything else, and the first request of every shape, goes through moto's
method, which raises what it always raised. ``tests/simulation/test_update_answers.py`` compares answers, errors
and stored items with plain moto over random sequences of updates of repeated shapes with awkward values.
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.comparisons import create_condition_expression_parser
from moto.dynamodb.exceptions import ProvidedKeyDoesNotExist
from moto.dynamodb.responses import DynamoResult

#: shapes moto's own ``update_item`` answered without an error
_accepted: set[tuple[Any, ...]] = set()
_RETURNS = frozenset(("NONE", "ALL_OLD", "ALL_NEW"))


def shape_of(body: Any) -> tuple[Any, ...] | None:
    """The shape of an UpdateItem request (None: one this fast path leaves to moto)."""
    if type(body) is not dict or "AttributeUpdates" in body or "Expected" in body:
        return None
    key = body.get("Key")
    names = body.get("ExpressionAttributeNames")
    values = body.get("ExpressionAttributeValues")
    returns = body.get("ReturnValues", "NONE")
    if (
        type(key) is not dict
        or (names is not None and type(names) is not dict)
        or (values is not None and type(values) is not dict)
        or type(returns) is not str
        or returns not in _RETURNS
    ):
        return None
    shape = (
        body.get("TableName"),
        tuple(key),
        body.get("UpdateExpression"),
        body.get("ConditionExpression"),
        None if names is None else tuple(names.items()),
        None if values is None else tuple(values),
        returns,
        body.get("ReturnValuesOnConditionCheckFailure"),
        tuple(body),
    )
    try:
        hash(shape)
    except TypeError:
        return None
    if not all(type(shape[n]) is str or shape[n] is None for n in (0, 2, 3, 6, 7)):
        return None
    return shape


def accepted(shape: tuple[Any, ...]) -> bool:
    return shape in _accepted


def accept(shape: tuple[Any, ...]) -> None:
    """moto's own ``update_item`` answered a request of ``shape`` without an error."""
    _accepted.add(shape)


def answer(self: Any) -> Any:
    """``DynamoHandler.update_item`` for a request of an accepted shape: the checks that read values or the table, in
    moto's order, the backend call, moto's answer."""
    body = self.body
    name = body["TableName"]
    key = body["Key"]
    return_values = body.get("ReturnValues", "NONE")
    update_expression = body.get("UpdateExpression", None)
    backend = self.dynamodb_backend
    table = backend.get_table(name)
    attribute_keys = table.attribute_keys  # (fast path 94: read once; moto builds the list again per key name)
    if not all(k in attribute_keys for k in key):
        raise ProvidedKeyDoesNotExist
    update_expression = "" if update_expression is None else update_expression.strip()
    return_values_on_condition_check_failure = body.get("ReturnValuesOnConditionCheckFailure")
    existing_item = backend.get_item(name, key)  # (moto copies it; 30b renders it now instead, for ALL_OLD only)
    existing_attributes = (
        existing_item.to_json()["Attributes"] if existing_item is not None and return_values == "ALL_OLD" else {}
    )
    condition_expression = body.get("ConditionExpression")
    expression_attribute_names = body.get("ExpressionAttributeNames", {})
    expression_attribute_values = self._get_expr_attr_values()
    create_condition_expression_parser(
        condition_expression, expression_attribute_names, expression_attribute_values
    ).parse()
    item = backend.update_item(
        name,
        key,
        update_expression=update_expression,
        attribute_updates=None,
        expression_attribute_names=expression_attribute_names,
        expression_attribute_values=expression_attribute_values,
        expected=None,
        condition_expression=condition_expression,
        return_values_on_condition_check_failure=return_values_on_condition_check_failure,
    )
    item_dict = item.to_json() if return_values == "ALL_NEW" else {"Attributes": {}}
    item_dict["ConsumedCapacity"] = {"TableName": name, "CapacityUnits": 0.5}
    if return_values == "NONE":
        item_dict.pop("Attributes", None)
    elif return_values == "ALL_OLD":
        if existing_attributes:
            item_dict["Attributes"] = existing_attributes
        else:
            item_dict.pop("Attributes", None)
    # fast path 89: ``DynamoResult(item_dict)`` without its copy: ``Item.to_json`` made every container here (lists and
    # sets included), so the copy would only make them again; nobody but the JSON writer reads an UpdateItem's result
    result: Any = DynamoResult.__new__(DynamoResult)
    result._result = item_dict
    result._sim_deferred = False
    return result


def clear() -> None:
    _accepted.clear()
