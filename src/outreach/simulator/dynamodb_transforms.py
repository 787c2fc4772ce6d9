"""Fast paths 48, 61, 90 and 95: boto3's DynamoDB layer walks less, and (de)serialises attribute values by their class.

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
90. boto3's condition pass (``TransformationInjector.inject_condition_expressions``, every resource call) resets its
    expression builder, walks the parameters twice (condition expressions, then key conditions) building each
    condition object it finds into text with placeholders, and adds the placeholders to the two placeholder maps.
    Where the operation's condition members are all top-level (every operation the handlers call: ``Query``,
    ``Scan``, ``UpdateItem``, ``PutItem``, ``DeleteItem``, ``GetItem``) and none of them holds a condition object
    (text, as the handlers write it), the walks find nothing to build: what is left is the reset and the two
    updates with nothing, kept as they are (a map that is not a dict fails the same way). Anything else (a
    condition object, nested conditions as in ``TransactWriteItems``, another injector class) takes boto3's way.
95. A map of attribute values (an item, a key, the placeholder values; every item of a query's answer) is
    (de)serialised by ``ParameterTransformer._transform_map`` with a call of the transformation per value. Where the
    transformation is fast path 61's (de)serialiser of boto3's own class, the values 61 answers straight away (text,
    booleans, and numbers when deserialising) are answered in the loop itself, the same way; every other value goes
    through the transformation as before, and any other map or transformation takes boto3's way.
"""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import ConditionBase
from boto3.dynamodb.transform import ParameterTransformer, TransformationInjector
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


# -- fast path 90: the condition pass of a call with no condition to build -------------------------------------------
_CONDITION_SHAPES = ("ConditionExpression", "KeyExpression")


@functools.cache
def top_level_conditions(input_shape: Any) -> tuple[str, ...] | None:
    """The members of ``input_shape`` that are condition expressions (shape ``ConditionExpression`` or
    ``KeyExpression``), when no other member can hold one anywhere below it (None: one can)."""
    found = []
    for name, member in input_shape.members.items():
        if member.name in _CONDITION_SHAPES:
            found.append(name)
        elif any(reachable(member, target) for target in _CONDITION_SHAPES):
            return None
    return tuple(found)


def _inject_condition_expressions(self: TransformationInjector, params: Any, model: Any, **kwargs: Any) -> None:
    """``TransformationInjector.inject_condition_expressions``: where every condition member holds no condition object
    (text, as the handlers write them) its two walks find nothing to build; what is left is the builder's reset and
    the two (empty) updates of the placeholder maps, which fail as boto3's do on a map that is not a dict."""
    shape = model.input_shape
    conditions = (
        top_level_conditions(shape)
        if type(self) is TransformationInjector and type(params) is dict and shape is not None
        else None
    )
    if conditions is None or any(isinstance(params.get(name), ConditionBase) for name in conditions):
        return _original_inject_conditions(self, params, model, **kwargs)  # type: ignore[no-any-return]
    self._condition_builder.reset()  # type: ignore[attr-defined]
    for placeholders in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
        if placeholders in params:
            params[placeholders].update({})
    return None


# -- fast path 95: a map of attribute values (de)serialised in one loop ---------------------------------------------
def _transform_map(self: ParameterTransformer, model: Any, params: Any, transformation: Any, target_shape: str) -> None:
    """``ParameterTransformer._transform_map`` where its values are the target (an item, a key, the placeholder
    values) and the transformation is fast path 61's (de)serialiser of boto3's own class: the same loop, the values
    fast path 61 answers straight away (text, booleans, numbers) answered in the loop itself, every other value through
    the transformation as before. Anything else: boto3's way."""
    if type(params) is dict and model.value.name == target_shape:
        function = getattr(transformation, "__func__", None)
        owner = getattr(transformation, "__self__", None)
        if function is _deserialize and type(owner) is TypeDeserializer:
            for key, value in params.items():
                if type(value) is dict and value:
                    kind = next(iter(value))
                    if kind == "S" or kind == "BOOL":
                        params[key] = value[kind]
                        continue
                    if kind == "N":
                        params[key] = DYNAMODB_CONTEXT.create_decimal(value[kind])
                        continue
                params[key] = transformation(value)
            return
        if function is _serialize and type(owner) is TypeSerializer:
            for key, value in params.items():
                kind = type(value)
                if kind is str:
                    params[key] = {"S": value}
                elif kind is bool:
                    params[key] = {"BOOL": value}
                else:
                    params[key] = transformation(value)
            return
    _original_transform_map(self, model, params, transformation, target_shape)


_original = ParameterTransformer._transform_parameters  # type: ignore[attr-defined]
_original_transform_map = ParameterTransformer._transform_map  # type: ignore[attr-defined]
_original_inject_conditions = TransformationInjector.inject_condition_expressions
_original_serialize = TypeSerializer.serialize
_original_deserialize = TypeDeserializer.deserialize
PATCHES: list[tuple[Any, str, Any]] = [
    (ParameterTransformer, "_transform_parameters", _transform_parameters),
    (TypeSerializer, "serialize", _serialize),
    (TypeDeserializer, "deserialize", _deserialize),
    (TransformationInjector, "inject_condition_expressions", _inject_condition_expressions),
    (ParameterTransformer, "_transform_map", _transform_map),
]


def clear() -> None:
    reachable.cache_clear()
    top_level_conditions.cache_clear()
