"""Fast path 60: a covered call's parameters checked and converted for moto in one walk, compiled once per shape.

Fast path 23 (``direct_calls.prepare``) walked a call's parameters twice: botocore's validation (fast path 49's check,
``param_checks``) and then the conversion into what moto's JSON request parser would make of botocore's body
(``direct_calls._as_moto_params``). Here each input shape gets, once, one function that does both: it accepts exactly
what fast path 49's check accepts (the same type checks, required and unknown members, tagged unions, minimum lengths
and values) and answers with what ``_as_moto_params`` answers for such a value (structures keep their members in the
shape's order, blobs become bytes, integers ``int``, strings, booleans, lists and maps as they are, copied), or
``FAIL`` for anything it does not accept or cannot convert (an invalid value, a timestamp, a float, a document, a
file-like blob). On ``FAIL`` the call takes the two walks as before: botocore reports the same errors, a file-like blob
goes to fast path 11. A valid value holds no ``None`` (botocore refuses ``None`` for every type), so every member
present is converted. ``tests/simulation/test_request_params.py`` compares the answer with the check and the
conversion over random valid and invalid parameters of every operation fast path 23 covers.

Fast path 99: a map whose keys are plain strings and whose values are structures with no required member (DynamoDB's
``Key``, ``Item`` and ``ExpressionAttributeValues``: attribute values) converts a one-member value of a plain string
member (``{"S": "..."}``, ``{"N": "..."}``) in its own loop: for a ``str`` key and a ``dict`` holding one such member
with a ``str``, the two converters answer the key and ``{member: text}``, which the loop writes without calling them;
anything else goes through them. The same test file compares maps of such values with odd entries among them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.validate import ParamValidator

from outreach.simulator import param_checks

FAIL: Any = object()  # not accepted here: the call takes the two walks
Convert = Callable[[Any], Any]
_SCALARS = ParamValidator.SCALAR_TYPES
_CONTAINERS = ParamValidator.CONTAINER_TYPES
_CONSTRAINTS = ParamValidator.VALIDATED_METADATA_ATTRS

_converters: dict[int, tuple[Any, Convert]] = {}  # id(shape) -> (the shape, kept alive with its id; converter)


def converted(shape: Any, params: Any) -> Any:
    """``params`` checked against ``shape`` and converted for moto's response class, or ``FAIL``."""
    return converter_of(shape)(params)


def converter_of(shape: Any) -> Convert:
    known = _converters.get(id(shape))
    if known is None:
        known = _converters[id(shape)] = (shape, _compile(shape))
    return known[1]


def _fail(value: Any) -> Any:
    return FAIL


def _compile(shape: Any) -> Convert:
    kind = shape.type_name
    if param_checks.check_of(shape) is param_checks._unsure:  # a document, a JSON-value header
        return _fail
    if kind == "structure":
        return _structure(shape)
    if kind == "list":
        return _list(shape)
    if kind == "map":
        return _map(shape)
    if kind == "blob":
        return _blob
    if kind in ("string", "boolean", "integer", "long"):  # the scalar checks fast path 49 makes, written out
        types = _SCALARS[kind]
        low = param_checks._min_of(shape)
        if kind == "string":
            if low is None and types == (str,):
                return _plain_string
            if low is None:
                return lambda value: value if isinstance(value, types) else FAIL
            return lambda value: value if isinstance(value, types) and not len(value) < low else FAIL
        if kind == "boolean":
            return lambda value: value if isinstance(value, types) else FAIL
        if low is None:
            return lambda value: int(value) if isinstance(value, types) else FAIL
        return lambda value: int(value) if isinstance(value, types) and not value < low else FAIL
    return _fail  # timestamps, floats and anything else: the two walks


def _plain_string(value: Any) -> Any:
    """A string member without a minimum length: any ``str`` as it is (fast path 99 recognises this converter)."""
    return value if isinstance(value, str) else FAIL


def _blob(value: Any) -> Any:
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    return FAIL  # a file-like object: botocore would read it (fast path 11)


def _structure(shape: Any) -> Convert:
    required = tuple(shape.metadata.get("required", []))
    union = bool(shape.is_tagged_union)
    types = _CONTAINERS["structure"]
    resolved: list[dict[str, Convert]] = []  # the members' converters in the shape's order, found at the first call

    def text_members() -> frozenset[str]:
        """Fast path 99: the members whose one-member value (``{"S": "..."}``) ``convert_structure`` converts as a plain
        string, a ``str`` kept as it is: for a ``dict`` of one key, a structure with no required member finds that
        member alone (a union or not) and answers ``{name: the member's answer}``."""
        if not resolved:
            resolved[:] = [{name: converter_of(member) for name, member in shape.members.items()}]
        if required or types != (dict,):
            return frozenset()
        return frozenset(name for name, member in resolved[0].items() if member is _plain_string)

    def convert_structure(value: Any) -> Any:
        if not resolved:  # one assignment of a whole dict: a second thread finds it whole
            resolved[:] = [{name: converter_of(member) for name, member in shape.members.items()}]
        members = resolved[0]
        if not isinstance(value, types):
            return FAIL
        size = len(value)
        if union and size != 1:
            return FAIL
        for name in required:
            if name not in value:
                return FAIL
        if size == 1:  # (every DynamoDB AttributeValue) its one member
            ((name, raw),) = value.items()
            member = members.get(name)
            if member is None:
                return FAIL
            result = member(raw)
            return FAIL if result is FAIL else {name: result}
        out = {}
        for name, member in members.items():
            if name in value:
                result = member(value[name])
                if result is FAIL:
                    return FAIL
                out[name] = result
        return out if len(out) == size else FAIL  # a key that is no member: botocore reports it

    convert_structure.text_members = text_members  # type: ignore[attr-defined]
    return convert_structure


def _list(shape: Any) -> Convert:
    member_shape = shape.member
    low = param_checks._min_of(shape)
    types = _CONTAINERS["list"]
    member_kind = member_shape.type_name
    if member_kind in ("string", "boolean") and not (_CONSTRAINTS & set(member_shape.metadata)):
        item_types = _SCALARS[member_kind]  # botocore checks such members' types only; they are kept as they are

        def convert_scalars(value: Any) -> Any:
            if not isinstance(value, types) or (low is not None and len(value) < low):
                return FAIL
            for item in value:
                if not isinstance(item, item_types):
                    return FAIL
            return list(value)

        return convert_scalars
    resolved: list[Convert] = []  # the member's converter, looked up at the first call

    def convert_list(value: Any) -> Any:
        if not resolved:
            resolved[:] = [converter_of(member_shape)]  # one assignment: a second thread finds it whole
        if not isinstance(value, types) or (low is not None and len(value) < low):
            return FAIL
        member = resolved[0]
        out = []
        for item in value:
            result = member(item)
            if result is FAIL:
                return FAIL
            out.append(result)
        return out

    return convert_list


def _map(shape: Any) -> Convert:
    types = _CONTAINERS["map"]
    resolved: list[Any] = []  # the key's and the value's converters, and fast path 99's text members, at the first call

    def convert_map(value: Any) -> Any:
        if not resolved:
            key_of, value_of = converter_of(shape.key), converter_of(shape.value)
            texts = value_of.text_members() if key_of is _plain_string and hasattr(value_of, "text_members") else None
            resolved[:] = [key_of, value_of, texts or None]  # one assignment: a second thread finds it whole
        if not isinstance(value, types):
            return FAIL
        key, value_of, texts = resolved
        out = {}
        for k, v in value.items():
            # fast path 99: a text key and a one-member value of a text member (``{"S": "..."}``): what the two
            # converters answer for it, without calling them
            if texts is not None and type(k) is str and type(v) is dict and len(v) == 1:
                ((member, raw),) = v.items()
                if type(raw) is str and member in texts:
                    out[k] = {member: raw}
                    continue
            converted_key = key(k)
            converted_value = value_of(v)
            if converted_key is FAIL or converted_value is FAIL:
                return FAIL
            out[converted_key] = converted_value
        return out

    return convert_map


def clear() -> None:
    _converters.clear()


def bound() -> None:
    """At a run's end (fast path 120): the converters are kept for the next run (each a function of its shape alone),
    unless there are more than ``param_checks.MAX_KEPT``."""
    if len(_converters) > param_checks.MAX_KEPT:
        _converters.clear()
