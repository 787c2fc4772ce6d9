"""JSON-protocol answers (DynamoDB, Step Functions): moto's serialisation (fast path 12) and botocore's parse (55).

12. (the serialisation part, moved here from ``moto_runtime``) ``ActionResult.execute_result`` serialises
    JSON-protocol results with a straight walk of moto's own JSON serializer steps (``serialize_json``; timestamps,
    errors and event streams go moto's way; a dict with one key, as every DynamoDB attribute value is, serialises the
    members that list that key among their candidate keys, which is all the loop over every member finds). The
    structure it dumps is handed to fast path 23 (``direct_calls.keep_wire``), which parses it instead of the text.

55. The parse of an answer that is its own parse. botocore's JSON parser turns the structure of a JSON text into its
    answer by a walk down the output shape that, for the JSON protocol, changes nothing but blobs (base64 decoded),
    timestamps, members whose wire name differs from their name, and tagged unions without exactly one member (an
    error, or botocore's "unknown member" answer); structures keep their members that are not ``None`` in the shape's
    order, maps and lists every entry (``None`` list items too), and strings, numbers and booleans are what the JSON
    text gave. The structure ``serialize_json`` builds has exactly that form already: the members it writes, in the
    shape's order, never ``None``; so where the walk met none of those cases, and every value it wrote is a new
    container or an immutable scalar (a string shape's ``{}``/``[]``, a document, a list item moto's quirk leaves
    unserialised, and any value of an unexpected class count as met), botocore's parse of it is an equal structure
    of new containers, and the structure itself (built for this one answer, read by nobody after the JSON text was
    made of it) is the answer. Otherwise botocore parses it, as before. ``tests/simulation/test_json_answers.py``
    compares the two over random answers of every DynamoDB and Step Functions output shape.

56. DynamoDB attribute values written straight away: for a map of ``AttributeValue`` (an item, a key), each value in
    a form ``dynamo_to_dict`` leaves (a dict with one key: a ``str`` for ``S`` and ``N``, a ``bool`` for ``BOOL`` and
    ``NULL``, a list of ``str`` for ``SS`` and ``NS``, ``bytes`` or a list of them for ``B`` and ``BS``, a dict or list
    of such values for ``M`` and ``L``) is written as the generic walk writes it (the member of that key alone, sets and
    containers copied, a blob's base64 text, recorded for 55) without going down the shape level by level; anything
    else takes the walk. Only where moto's model has exactly DynamoDB's ten members, of those types, none renamed, each
    the one member listing its key (``_attribute_value_shape``); a map with an empty key takes the walk (its quirk).

65. One serializer per operation: moto builds a ``JSONSerializer`` (with its value picker, timestamp serializer,
    serialization context and path) for every answer. Nothing the walk above reads of it changes from one answer to
    the next (its picker, which keeps nothing; its path, which only moto's own walk extends; its ``_base64``), so one
    is made per operation model and kept, with the ``Content-Type`` it answers.

89. A ``DynamoType`` the answer holds (``DynamoResult`` leaves a table's values for the writer: ``item_copies`` 89) is
    written as ``_attribute_value`` writes what ``dynamo_to_dict`` makes of it, straight from its type and value
    (``_stored_value``); anywhere else, or in a form not written directly, it is converted first. moto's own
    serializer, where fast path 12 steps aside, gets the result converted (``_as_moto_made_it``).

97. The JSON text of an answer whose walk met nothing odd (``_dumps_tree``): ``json.dumps`` makes a ``JSONEncoder``
    whose ``encode`` makes its C encoder again for every call, with a dict in which it marks each container's id on the
    way in and out to find a cycle. Such a structure is a tree of containers made for this answer alone (text, numbers,
    booleans and ``None`` in them), which holds no cycle; the same C encoder with the same settings, made once and
    without the marks, writes the same text. Anything odd (a document, a value the walk did not build) is written by
    ``json.dumps`` with its checks.
"""

from __future__ import annotations

import base64
import json
from enum import Enum
from json.encoder import JSONEncoder, c_make_encoder, encode_basestring_ascii  # type: ignore[attr-defined]
from typing import Any

from moto import settings as moto_settings
from moto.core.responses import ActionContext, ActionResult
from moto.core.serialize import AttributePickerContext, JSONSerializer, XFormedAttributePicker
from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict

from outreach.simulator import direct_calls, item_copies

Blobs = list[tuple[Any, Any, str]]  # (container, key or index, base64 text) of each blob an answer's structure holds
_member_plans: dict[tuple[Any, ...], list[tuple[str, Any, list[str]]] | None] = {}


def dict_members(serializer: Any, shape: Any) -> list[tuple[str, Any, list[str]]] | None:
    """For a plain ``dict`` of a structure shape: each member with the keys ``moto_runtime._serializer_get_value``
    would try for it, in order (computed once per shape; None where a key needs moto's own lookup: a dotted path).

    The candidates depend on the member key, its shape and parent and the value's class (``dict``) only, so
    for a dict the member is the first candidate present in it (or None), exactly what the loop over
    ``shape.members`` with ``get_value`` finds, member by member, in the same order."""
    picker = serializer._value_picker
    if type(picker) is not XFormedAttributePicker or picker.response_transformers:
        return None
    plan_key = (tuple(picker.alias_providers), shape)
    if plan_key in _member_plans:
        return _member_plans[plan_key]
    plan: list[tuple[str, Any, list[str]]] | None = []
    for member_key, member_shape in shape.members.items():
        member_shape.parent = shape
        keys = list(picker.get_possible_keys(AttributePickerContext(obj={}, key=member_key, shape=member_shape)))
        if any("." in candidate for candidate in keys):
            plan = None
            break
        plan.append((member_key, member_shape, keys))  # type: ignore[union-attr]
    _member_plans[plan_key] = plan
    return plan


_listing: dict[tuple[int, str], tuple[list[Any], list[tuple[str, Any]]]] = {}


def members_listing(plan: list[tuple[str, Any, list[str]]], key: str) -> list[tuple[str, Any]]:
    """For a dict with the one key ``key``: the members (in order) whose candidate keys include it, which is every
    member the loop over ``plan`` serialises for such a dict (the first candidate present can only be ``key``)."""
    known = _listing.get((id(plan), key))
    if known is None or known[0] is not plan:
        known = _listing[(id(plan), key)] = (plan, [(k, shape) for k, shape, keys in plan if key in keys])
    return known[1]


class _NotPlainJson(Exception):
    """A value the fast JSON serializer leaves to moto's (a timestamp)."""


_JSON_SERIALIZER_TYPES = {
    "structure",
    "map",
    "list",
    "string",
    "timestamp",
    "blob",
    "integer",
    "long",
    "float",
    "double",
}
_FAST_JSON_OK = {
    name.removeprefix("_serialize_type_") for name in dir(JSONSerializer) if name.startswith("_serialize_type_")
} == _JSON_SERIALIZER_TYPES  # moto's JSON serializer has exactly the methods mirrored below


def execute_result(self: ActionResult, context: ActionContext) -> Any:
    """``ActionResult.execute_result`` for the JSON protocol (DynamoDB, Step Functions), moto's serializer
    walked without its per-member bookkeeping.

    ``serialize_json`` follows ``BaseJSONSerializer`` step by step (the same member order, the same value
    picking through ``get_value``, the same string/number/blob conversions, the same quirks for lists and
    empty map keys); the body is the same ``json.dumps`` of the same dict. Errors, event streams, response
    transformers, pretty-printing and timestamps take moto's way.
    """
    operation = context.operation_model
    transformers = getattr(context.response, "RESPONSE_KEY_PATH_TO_TRANSFORMER", None)
    result = self.result
    if (
        not _FAST_JSON_OK
        or context.serializer_class is not JSONSerializer
        or transformers
        or moto_settings.PRETTIFY_RESPONSES
        or isinstance(result, Exception)
        or operation.has_event_stream_output
    ):
        _as_moto_made_it(self)
        return _original_execute_result(self, context)
    known = _serializers.get(id(operation))
    if known is None or known[0] is not operation:  # fast path 65: one serializer per operation
        made = JSONSerializer(
            operation_model=operation, pretty_print=False, value_picker=XFormedAttributePicker(response_transformers={})
        )
        known = _serializers[id(operation)] = (operation, made, made._get_protocol_specific_content_type())
    _, serializer, content_type = known
    wire: dict[str, Any] = {}
    odd: list[Any] = []  # fast path 55: anything botocore's parse would change, or a value not built here
    blobs: Blobs = []  # fast path 55: where the structure holds a blob's base64 text
    try:
        if operation.output_shape is not None:
            serialize_json(serializer, wire, result, operation.output_shape, "", odd, blobs)
    except _NotPlainJson:
        _as_moto_made_it(self)
        return _original_execute_result(self, context)
    headers = {"Content-Type": content_type}
    body = json.dumps(wire) if odd else _dumps_tree(wire)  # fast path 97: a tree of new containers
    direct_calls.keep_wire(body, wire, None if odd else blobs)  # fast path 23 parses the structure, not the text
    return operation.http.get("responseCode", 200), headers, body


def _as_moto_made_it(result: ActionResult) -> None:
    """Fast path 89: a ``DynamoResult`` whose ``DynamoType`` values were left for the writer above, converted as moto's
    ``DynamoResult`` converts them, before moto's own serializer reads it."""
    if getattr(result, "_sim_deferred", False):
        result._result = item_copies.as_plain(result._result)  # type: ignore[attr-defined]
        result._sim_deferred = False  # type: ignore[attr-defined]


#: fast path 65: id(operation model) -> (the model, kept alive with its id; its serializer; the Content-Type it answers)
_serializers: dict[int, tuple[Any, Any, str]] = {}

#: classes of values a JSON answer may hold as they are: they cannot change, so sharing them shares nothing
_IMMUTABLE = frozenset((str, int, float, bool, type(None)))


def serialize_json(
    serializer: Any, serialized: dict[str, Any], value: Any, shape: Any, key: str, odd: list[Any], blobs: Blobs
) -> None:
    """Write ``value`` of ``shape`` into ``serialized`` under ``key``, as moto's JSON serializer does; append to
    ``odd`` whatever makes the structure written differ from botocore's parse of it other than a blob, and to
    ``blobs`` where each blob's base64 text was written (container, key or index, text) (fast path 55)."""
    if type(value) is DynamoType:  # fast path 89: left by DynamoResult for the writer; anywhere else, converted now
        value = item_copies.as_plain(value)
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type:
            odd.append(shape)
            serialized[key] = value
            return
        if value is None:
            return
        wrapper: dict[str, Any] = {} if key else serialized
        plan = dict_members(serializer, shape) if type(value) is dict else None
        if plan is not None and len(value) == 1:  # (every DynamoDB AttributeValue) the members that list its key
            ((only, member_value),) = value.items()
            if member_value is not None:
                for member_key, member_shape in members_listing(plan, only):
                    serialize_json(serializer, wrapper, member_value, member_shape, member_key, odd, blobs)
        elif plan is not None:  # the same members, values and order as the loop below, looked up the same way
            for member_key, member_shape, candidates in plan:
                for candidate in candidates:
                    if candidate in value:
                        member_value = value[candidate]
                        if member_value is not None:
                            serialize_json(serializer, wrapper, member_value, member_shape, member_key, odd, blobs)
                        break
        else:
            for member_key, member_shape in shape.members.items():
                member_shape.parent = shape
                member_value = serializer.get_value(value, member_key, member_shape)
                if member_value is not None:
                    serialize_json(serializer, wrapper, member_value, member_shape, member_key, odd, blobs)
        if len(wrapper) != 1 and shape.is_tagged_union:
            odd.append(shape)  # botocore's parse raises, or answers with its "unknown member"
        if key:
            name = shape.serialization.get("name", key)
            if name != key:
                odd.append(shape)
            serialized[name] = wrapper
        return
    name = shape.serialization.get("name", key)
    if name != key:
        odd.append(shape)  # botocore reads the member under its wire name and answers under its own
    if kind == "map":
        map_obj: dict[str, Any] = {}
        serialized[name] = map_obj
        value_shape = shape.value
        # (only a dict with text keys: moto's walk fails on anything else as it fails, and botocore's parse of the
        # text would turn any other key into text)
        if type(value) is dict and "" not in value and _attribute_value_shape(serializer, value_shape):  # fast path 56
            for sub_key, sub_value in value.items():
                if type(sub_key) is not str:
                    odd.append(shape)
                if sub_value is not None:
                    map_obj[sub_key] = _attribute_value(serializer, value_shape, sub_value, odd, blobs)
            return
        for sub_key, sub_value in value.items():
            if type(sub_key) is not str:
                odd.append(shape)
            if sub_key == "":
                odd.append(shape)  # moto's quirk: a structure under an empty key is written into the map itself
            serialize_json(serializer, map_obj, sub_value, shape.value, sub_key, odd, blobs)
    elif kind == "list":
        member = shape.member
        item_key = member.name
        items: list[Any] = []
        for item in value:
            holder: dict[str, Any] = {}
            serialize_json(serializer, holder, item, member, item_key, odd, blobs)
            if item_key in holder:
                if blobs and blobs[-1][0] is holder:  # a blob item: its text is in the list, not in the holder
                    blobs[-1] = (items, len(items), blobs[-1][2])
                items.append(holder[item_key])
            else:  # moto's quirk: the item as it is (None stays None; anything else was not serialised)
                if item is not None:
                    odd.append(shape)
                items.append(item)
        serialized[name] = items
    elif kind == "string":
        if isinstance(value, Enum):
            value = value.value
        if value in [None, {}, []]:
            odd.append(shape)
            serialized[name] = value
        else:
            serialized[name] = str(value)
    elif kind in ("integer", "long"):
        serialized[name] = int(value)
    elif kind in ("float", "double"):
        serialized[name] = float(value)
    elif kind == "blob":
        text = serialized[name] = serializer._base64(value)
        blobs.append((serialized, name, text))  # botocore's parse decodes it
    elif kind == "timestamp":
        raise _NotPlainJson
    else:
        if type(value) not in _IMMUTABLE:
            odd.append(shape)
        serialized[name] = value


# -- fast path 56: DynamoDB attribute values -------------------------------------------------------------------------
_ATTRIBUTE_VALUE_MEMBERS = {
    "S": ("string", None),
    "N": ("string", None),
    "B": ("blob", None),
    "SS": ("list", "string"),
    "NS": ("list", "string"),
    "BS": ("list", "blob"),
    "M": ("map", "self"),
    "L": ("list", "self"),
    "NULL": ("boolean", None),
    "BOOL": ("boolean", None),
}
_attribute_value_shapes: dict[int, tuple[Any, Any, bool]] = {}  # id(shape) -> (shape, its member plan, answer)


def _attribute_value_shape(serializer: Any, shape: Any) -> bool:
    """True for DynamoDB's ``AttributeValue`` as moto's serializer walks it here: a structure of exactly the ten
    members DynamoDB documents, of those types, none renamed, each written under its own name alone for a dict
    holding its key (``members_listing``). Worked out once per shape and member plan (the serializer's picker)."""
    plan = dict_members(serializer, shape) if shape.type_name == "structure" else None
    known = _attribute_value_shapes.get(id(shape))
    if known is None or known[0] is not shape or known[1] is not plan:
        answer = plan is not None and _is_attribute_value(shape, plan)
        known = _attribute_value_shapes[id(shape)] = (shape, plan, answer)
    return known[2]


def _is_attribute_value(shape: Any, plan: list[tuple[str, Any, list[str]]]) -> bool:
    if shape.is_document_type or shape.serialization:  # (a union or not: its one member is written either way)
        return False
    if set(shape.members) != set(_ATTRIBUTE_VALUE_MEMBERS):
        return False
    for name, member in shape.members.items():
        kind, inner = _ATTRIBUTE_VALUE_MEMBERS[name]
        if member.type_name != kind or member.serialization:  # no other wire name, no JSON-value trait
            return False
        if [(k, m.name) for k, m in members_listing(plan, name)] != [(name, member.name)]:
            return False
        if kind == "list":
            below = member.member
            if below.serialization or (below.name != shape.name if inner == "self" else below.type_name != inner):
                return False
        if kind == "map" and (member.key.type_name != "string" or member.value.name != shape.name):
            return False
    return True


def _attribute_value(serializer: Any, shape: Any, value: Any, odd: list[Any], blobs: Blobs) -> Any:
    """What ``serialize_json`` writes for one (not ``None``) value of DynamoDB's ``AttributeValue`` shape, written
    straight away for the forms ``dynamo_to_dict`` leaves (a dict with one key, the value of its type); anything else
    through ``serialize_json``."""
    if type(value) is DynamoType:  # fast path 89: what dynamo_to_dict makes of it, written straight away
        return _stored_value(serializer, shape, value, odd, blobs)
    if type(value) is dict and len(value) == 1:
        ((kind, raw),) = value.items()
        raw_type = type(raw)
        if kind in _SCALARS:
            wire = _scalar(kind, raw, raw_type)
            if wire is not None:
                return wire
        elif kind == "M":
            if raw_type is dict and "" not in raw and all(type(k) is str for k in raw):
                inner = {k: _attribute_value(serializer, shape, v, odd, blobs) for k, v in raw.items() if v is not None}
                return {"M": inner}
        elif kind == "L":
            if raw_type is list:
                return {"L": [None if v is None else _attribute_value(serializer, shape, v, odd, blobs) for v in raw]}
        elif kind == "B":
            if raw_type is bytes:
                return _binary(serializer, raw, blobs)
        elif kind == "BS" and raw_type is list and all(type(v) is bytes for v in raw):
            texts = [serializer._base64(v) for v in raw]
            blobs.extend((texts, index, text) for index, text in enumerate(texts))
            return {"BS": texts}
    holder: dict[str, Any] = {}
    serialize_json(serializer, holder, value, shape, "value", odd, blobs)
    return holder["value"]


def _stored_value(serializer: Any, shape: Any, value: DynamoType, odd: list[Any], blobs: Blobs) -> Any:
    """Fast path 89: ``_attribute_value(serializer, shape, dynamo_to_dict(value), ...)`` for a ``DynamoType`` moto's
    table holds, written from it directly (new containers: nothing written is shared with the table but text, numbers
    and bytes); any other form converted by ``dynamo_to_dict`` first, as ``DynamoResult`` would have."""
    kind = value.type
    raw = value.value
    raw_type = type(raw)
    if kind in _SCALARS:
        wire = _scalar(kind, raw, raw_type)
        if wire is not None:
            return wire
    elif kind == "M":
        if (raw_type is dict or raw_type is LimitedSizeDict) and "" not in raw and all(type(k) is str for k in raw):
            inner = {}
            for k, v in raw.items():
                if type(v) is not DynamoType:
                    v = item_copies.as_plain(v)
                    if v is None:
                        continue
                inner[k] = _attribute_value(serializer, shape, v, odd, blobs)
            return {"M": inner}
    elif kind == "L":
        if raw_type is list:
            items = []
            for v in raw:
                if type(v) is not DynamoType:
                    v = item_copies.as_plain(v)
                items.append(None if v is None else _attribute_value(serializer, shape, v, odd, blobs))
            return {"L": items}
    elif kind == "B" and (raw_type is bytes or raw_type is str):
        return _binary(serializer, raw if raw_type is bytes else base64.b64decode(raw), blobs)
    return _attribute_value(serializer, shape, item_copies.as_plain(value), odd, blobs)


#: The kinds whose value is written as it is (``_scalar``).
_SCALARS = frozenset(("S", "N", "BOOL", "NULL", "SS", "NS"))


def _scalar(kind: str, raw: Any, raw_type: type) -> dict[str, Any] | None:
    """The wire form of a text, number, boolean, null or string/number set held as ``serialize_json`` writes it
    (a new list for a set); None when ``raw`` is not of its plain form (``serialize_json`` then decides)."""
    if kind == "S" or kind == "N":
        return {kind: raw} if raw_type is str else None
    if kind == "BOOL" or kind == "NULL":
        return {kind: raw} if raw_type is bool else None
    return {kind: list(raw)} if raw_type is list and all(type(v) is str for v in raw) else None


def _binary(serializer: Any, data: bytes, blobs: Blobs) -> dict[str, Any]:
    """A binary value's wire form (base64 text), recorded in ``blobs`` for the answer's parse."""
    text = serializer._base64(data)
    wire = {"B": text}
    blobs.append((wire, "B", text))
    return wire


# -- fast path 97: the JSON text of a structure built here, without the circular-reference bookkeeping --------------
#: ``json.dumps``'s own C encoder, made once with its defaults but no ``markers`` (``check_circular=False``)
_TREE_ENCODER = (
    None
    if c_make_encoder is None
    else c_make_encoder(None, JSONEncoder().default, encode_basestring_ascii, None, ": ", ", ", False, False, True)
)


def _dumps_tree(wire: dict[str, Any]) -> str:
    """``json.dumps(wire)`` for a structure ``serialize_json`` built without meeting anything odd: a tree of new dicts
    and lists holding text, numbers, booleans and ``None``, so it holds no cycle, and ``json.dumps``'s check for one (an
    id per container in a dict, added and removed as the encoder goes in and out) finds nothing. ``json.dumps`` with its
    defaults makes a ``JSONEncoder`` whose ``encode`` makes this very C encoder for every call, with a dict of markers;
    here it is made once, without. Where the C encoder or ``json.dumps``'s defaults are not there, ``json.dumps``."""
    if _TREE_ENCODER is None or json.dumps is not _JSON_DUMPS or json._default_encoder is not _DEFAULT_ENCODER:  # type: ignore[attr-defined]
        return json.dumps(wire)
    return "".join(_TREE_ENCODER(wire, 0))


_JSON_DUMPS = json.dumps
_DEFAULT_ENCODER = json._default_encoder  # type: ignore[attr-defined]
_original_execute_result = ActionResult.execute_result
PATCHES: list[tuple[Any, str, Any]] = [(ActionResult, "execute_result", execute_result)]
