"""Fast paths 48 and 61: boto3's DynamoDB layer walks less, and (de)serialises attribute values by their class.

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

61. boto3's ``TypeSerializer.serialize`` and ``TypeDeserializer.deserialize`` (every attribute value of every item a
    resource call sends or receives): ``serialize`` asks up to ten questions in turn (null, boolean, number, string,
    binary, three kinds of set, map, list; an ``isinstance`` each) and looks its ``_serialize_<type>`` method up by
    name; ``deserialize`` lists the value's keys and looks its method up by name. Here a value of exactly the class
    ``str``, ``bool``, ``int``, ``Decimal``, ``dict``, ``list`` or ``None`` is serialised as boto3's chain of questions
    answers for that class (the first that holds: ``bool`` before numbers, a ``dict`` a map, a ``list`` a list), and a
    dict whose first key is ``S``, ``N``, ``BOOL``, ``NULL``, ``M`` or ``L`` deserialised by that key's method's code;
    anything else (sets, binaries, floats, subclasses, other keys, another serializer class) takes boto3's way.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from boto3.dynamodb.transform import ParameterTransformer
from boto3.dynamodb.types import DYNAMODB_CONTEXT, TypeDeserializer, TypeSerializer


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


# -- fast path 61: attribute values (de)serialised by their class -------------------------------------------------
def _serialize(self: TypeSerializer, value: Any) -> dict[str, Any]:
    if type(self) is TypeSerializer:
        kind = type(value)
        if kind is str:
            return {"S": value}
        if kind is bool:
            return {"BOOL": value}
        if kind is int or kind is Decimal:
            return {"N": self._serialize_n(value)}  # type: ignore[attr-defined]
        if kind is dict:
            return {"M": {k: self.serialize(v) for k, v in value.items()}}
        if kind is list:
            return {"L": [self.serialize(v) for v in value]}
        if value is None:
            return {"NULL": True}
    return _original_serialize(self, value)  # type: ignore[return-value]


def _deserialize(self: TypeDeserializer, value: Any) -> Any:
    if type(self) is TypeDeserializer and type(value) is dict and value:
        kind = next(iter(value))  # boto3 reads the first key
        raw = value[kind]
        if kind == "S" or kind == "BOOL":
            return raw
        if kind == "N":
            return DYNAMODB_CONTEXT.create_decimal(raw)
        if kind == "M":
            return {k: self.deserialize(v) for k, v in raw.items()}
        if kind == "L":
            return [self.deserialize(v) for v in raw]
        if kind == "NULL":
            return None
    return _original_deserialize(self, value)


_original = ParameterTransformer._transform_parameters  # type: ignore[attr-defined]
_original_serialize = TypeSerializer.serialize
_original_deserialize = TypeDeserializer.deserialize
PATCHES: list[tuple[Any, str, Any]] = [
    (ParameterTransformer, "_transform_parameters", _transform_parameters),
    (TypeSerializer, "serialize", _serialize),
    (TypeDeserializer, "deserialize", _deserialize),
]


def clear() -> None:
    reachable.cache_clear()
