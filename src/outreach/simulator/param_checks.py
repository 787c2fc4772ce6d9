"""Fast path 49: botocore's parameter validation answers "no errors" from a check compiled once per shape.

botocore validates the parameters of every call (``ParamValidator.validate``, about 80 calls of a happy order) by
walking them with its shape model: for every value it looks up a validator by the shape's type name, checks the
special cases (JSON-value headers, documents), wraps the type check in a decorator and formats a name for the error it
might report (``f"{name}.{member}"``), whether or not there is an error. Here each shape gets, once, a plain function
that tells whether botocore's walk would report anything: the same type checks (``ParamValidator.SCALAR_TYPES`` and
``CONTAINER_TYPES``), required members, unknown members, tagged unions (exactly one member), lengths and values
against ``min`` (and the implicit minimum of 1 of a host label), a list of unconstrained scalars checked by type only
(as botocore checks it), blobs as bytes, text or anything with ``read``. Timestamps, documents and JSON-value headers
are not checked here.

When the check passes, ``validate`` answers with an empty report, as botocore's walk would; when it fails or cannot
tell (a timestamp, a document...), botocore's own walk runs and reports the errors it finds, as before: a bad call gets
the same ``ParamValidationError``. ``tests/simulation/test_param_checks.py`` compares the check with botocore's report
over random valid and invalid parameters for the operations the simulator calls (and every DynamoDB operation).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.utils import is_json_value_header
from botocore.validate import ParamValidator, ValidationErrors

Check = Callable[[Any], bool]
_SCALARS = ParamValidator.SCALAR_TYPES
_CONTAINERS = ParamValidator.CONTAINER_TYPES
_CONSTRAINTS = ParamValidator.VALIDATED_METADATA_ATTRS


def _unsure(value: Any) -> bool:
    return False


_checks: dict[int, tuple[Any, Check]] = {}  # id(shape) -> (the shape, kept alive while its id is a key; its check)


def check_of(shape: Any) -> Check:
    """The check of ``shape``, compiled on first use (a recursive shape's members are compiled when first reached;
    botocore keeps each shape object of a model, so a shape is compiled once)."""
    known = _checks.get(id(shape))
    if known is None:
        known = _checks[id(shape)] = (shape, _compile(shape))
    return known[1]


def _lazy(shape: Any) -> Check:
    """``check_of(shape)``, looked up when first called (recursive shapes)."""
    found: list[Check] = []

    def check(value: Any) -> bool:
        if not found:
            found.append(check_of(shape))
        return found[0](value)

    return check


def _min_of(shape: Any) -> float | None:
    """What ``range_check`` compares with: ``min``, else 1 for a host label, else nothing."""
    if "min" in shape.metadata:
        return shape.metadata["min"]  # type: ignore[no-any-return]
    if getattr(shape, "serialization", {}).get("hostLabel"):
        return 1
    return None


def _compile(shape: Any) -> Check:
    kind = shape.type_name
    if is_json_value_header(shape) or (kind == "structure" and shape.is_document_type):
        return _unsure
    if kind == "structure":
        return _structure(shape)
    if kind == "list":
        return _list(shape)
    if kind == "map":
        key_check, value_check = _lazy(shape.key), _lazy(shape.value)
        map_types = _CONTAINERS["map"]

        def check_map(value: Any) -> bool:
            return isinstance(value, map_types) and all(key_check(k) and value_check(v) for k, v in value.items())

        return check_map
    if kind == "blob":
        return lambda value: isinstance(value, bytes | bytearray | str) or hasattr(value, "read")
    if kind in _SCALARS:
        types = _SCALARS[kind]
        low = _min_of(shape)
        if kind == "string":
            if low is None:
                return lambda value: isinstance(value, types)
            return lambda value: isinstance(value, types) and not len(value) < low
        if kind == "boolean" or low is None:
            return lambda value: isinstance(value, types)
        return lambda value: isinstance(value, types) and not value < low
    return _unsure  # timestamps and anything else: botocore's walk decides


def _structure(shape: Any) -> Check:
    members = {name: _lazy(member) for name, member in shape.members.items()}
    required = tuple(shape.metadata.get("required", []))
    union = bool(shape.is_tagged_union)
    types = _CONTAINERS["structure"]

    def check_structure(value: Any) -> bool:
        if not isinstance(value, types):
            return False
        if union and len(value) != 1:
            return False
        for name in required:
            if name not in value:
                return False
        for name, member_value in value.items():
            member = members.get(name)
            if member is None or not member(member_value):
                return False
        return True

    return check_structure


def _list(shape: Any) -> Check:
    member_shape = shape.member
    low = _min_of(shape)
    types = _CONTAINERS["list"]
    member_kind = member_shape.type_name
    if member_kind in _SCALARS and not (_CONSTRAINTS & set(member_shape.metadata)):
        item_types = _SCALARS[member_kind]  # botocore checks such members' types only

        def check_scalars(value: Any) -> bool:
            return (
                isinstance(value, types)
                and (low is None or not len(value) < low)
                and all(isinstance(item, item_types) for item in value)
            )

        return check_scalars
    member = _lazy(member_shape)

    def check_list(value: Any) -> bool:
        return isinstance(value, types) and (low is None or not len(value) < low) and all(member(i) for i in value)

    return check_list


def _validate(self: ParamValidator, params: Any, shape: Any) -> ValidationErrors:
    """``ParamValidator.validate``: an empty report when the compiled check passes, else botocore's walk."""
    if check_of(shape)(params):
        return ValidationErrors()
    return _original(self, params, shape)


_original = ParamValidator.validate
PATCHES: list[tuple[Any, str, Any]] = [(ParamValidator, "validate", _validate)]


def clear() -> None:
    _checks.clear()


#: fast path 120: the most checks kept from one run to the next (the simulator's clients use a few thousand shapes)
MAX_KEPT = 20_000


def bound() -> None:
    """At a run's end (fast path 120): the checks are kept for the next run (a check is a function of its shape alone,
    and fast path 118 hands every run the same shapes), unless there are more than ``MAX_KEPT``."""
    if len(_checks) > MAX_KEPT:
        _checks.clear()
