"""Fast path 48: boto3's DynamoDB parameter transformer does not walk where its target shape cannot be.

Every call of a DynamoDB resource or table walks its parameters three times before botocore sees them (boto3's
``TransformationInjector``: condition expressions, key condition expressions, then attribute values) and the parsed
answer once more (attribute values), each time with ``ParameterTransformer``: from the operation's shape down through
every structure, map and list present in the data, replacing each value whose shape is named like the target
(``ConditionExpression``, ``KeyExpression``, ``AttributeValue``). Most of each walk cannot find anything: the
condition passes go down every item and key (maps of ``AttributeValue``, whose members are attribute values, lists and
maps of attribute values again: never a condition expression) and every name map, and the attribute-value pass of an
answer goes down its ``ConsumedCapacity``.

Here ``ParameterTransformer._transform_parameters`` first asks whether any shape below ``model`` (a member, a map
value, a list member, and so on down, recursive shapes included) is named ``target_shape``, computed once per shape
and target; where none is, it returns at once. Where one may be, boto3's own code walks on as before (the same order,
the same ``isinstance`` checks, the same transformations and placeholder names). Nothing a skipped walk does is seen:
it would only read the data and test shape names that never match. ``tests/simulation/test_dynamodb_transforms.py``
compares the transformed parameters and answers with boto3's for every DynamoDB operation's shapes over random data,
conditions included, and which shapes are found reachable with a walk of the whole model.
"""

from __future__ import annotations

import functools
from typing import Any

from boto3.dynamodb.transform import ParameterTransformer


@functools.cache
def reachable(model: Any, target_shape: str) -> bool:
    """Whether a shape named ``target_shape`` is below ``model`` (``model`` itself is never transformed)."""
    return _below(model, target_shape, frozenset())


def _below(model: Any, target_shape: str, seen: frozenset[str]) -> bool:
    if model.name in seen:  # a recursive shape (a name is one shape in a model): looked at where it started
        return False
    seen = seen | {model.name}
    kind = model.type_name
    if kind == "structure":
        children = list(model.members.values())
    elif kind == "map":
        children = [model.value]
    elif kind == "list":
        children = [model.member]
    else:
        return False
    return any(child.name == target_shape or _below(child, target_shape, seen) for child in children)


def _transform_parameters(
    self: ParameterTransformer, model: Any, params: Any, transformation: Any, target_shape: str
) -> None:
    if reachable(model, target_shape):
        _original(self, model, params, transformation, target_shape)


_original = ParameterTransformer._transform_parameters  # type: ignore[attr-defined]
PATCHES: list[tuple[Any, str, Any]] = [(ParameterTransformer, "_transform_parameters", _transform_parameters)]


def clear() -> None:
    reachable.cache_clear()
