"""Fast paths 30, 31, 33, 35, 47, 50, 59, 89, 94: copies of DynamoDB items nobody can see, moto's conversions, sizes.

Installed with the other fast paths of :mod:`moto_runtime` (``patched(fast=True)``, listed in ``PATCHES``).
Who can see a stored item: moto's backend (the table holds it, writes change it in place) and, through a
response, the caller. Every answer leaves moto through ``DynamoResult`` (``dynamo_to_dict``: new dicts and lists
all the way down, sharing only ``str``, ``bytes``, ``bool`` and ``None``) or ``Item.to_json`` (the same, see 31),
so no answer shares a mutable object with the table, with or without the copies below; the copies skipped here
are the ones nothing reads afterwards or that are read before anything can change them.
``tests/simulation/test_item_copies.py`` changes returned answers and checks the table, and compares answers,
errors and stored items with plain moto.

30. UpdateItem's two deep copies of the item:

    a. ``DynamoDBBackend.update_item`` deep-copies the stored item before changing it (``orig_item``) and reads
       that copy only to hand it to the table's stream (``table.stream_shard.add(orig_item, item)``). For a table
       without a stream (``stream_shard is None`` when the call starts; nothing in the call can add one) the copy
       is not made: the stored item itself stands in for the copy nobody reads.
    b. moto's response layer (``DynamoHandler.update_item``) deep-copies the stored item to keep its attributes as
       they were before the update, and only ever calls ``to_json()["Attributes"]`` of that copy (and tests that it
       is not None). Here the copy is ``_Before``: ``to_json()`` of the stored item taken at the same moment (before
       the update), which builds new containers (31) and so cannot change when the update changes the item.
    c. ``Table.query`` (base table, fast path 7) deep-copies the list of items it found, then filters and projects
       the copies (``project`` builds new items; filters only read) and hands them to ``DynamoResult``, which
       converts them to new dicts and lists (metering reads their sizes). The copy is not made: the same values
       reach ``DynamoResult``.
31. ``DynamoType.to_regular_json`` (every map and list value of every item ``to_json`` renders: UpdateItem's old
    and new attributes, PutItem's and DeleteItem's return values, conditions' old items) deep-copies its value,
    then renders each nested value, which deep-copies its value again: a value at depth ``d`` is copied ``d``
    times. Here each level builds its new dict or list once: the same rendering (binary values decoded, sets as
    new lists, anything not a ``DynamoType`` deep-copied as moto copies it), with no object shared with the item
    that moto's copy would not share (``str``, ``bytes``, ``bool``, ``None``, numbers).
33. ``dynamo_to_dict``, which turns every DynamoDB answer into plain data (``DynamoResult``), asks of every value
    in turn whether it is a ``datetime``, a ``DynamoType``, has a ``to_json``, is a dict or a list. Here a value of
    one of the classes the answers are made of (``dict``, moto's item ``LimitedSizeDict``, ``list``, ``DynamoType``,
    ``str``, ``int``, ``float``, ``bool``, ``None``) is converted by its class, as moto's branches convert it (binary
    values decoded to bytes; a ``LimitedSizeDict`` becomes a plain dict, as there); anything else is moto's own.
35. Item sizes as moto computes them (``DynamoType.size``, for its 400 KB limit and a Query's 1 MB page): a
    number, string, binary, boolean or null value is measured straight away (moto asks four type questions first,
    each a method call), the others moto's way; and a new ``Item`` (every PutItem, every new item of an
    UpdateItem) checks each attribute against the limit with the running total of the attributes before it, where
    moto's ``LimitedSizeDict`` adds up every attribute stored so far again for each one (the same sums, the same
    ``ItemSizeTooLarge`` at the same attribute).
47. ``Table.scan`` of the base table deep-copies every item it finds, then filters (reading), projects (a new item) and
    hands them to ``DynamoResult`` (new dicts and lists), as 30c's query does: the copy is not made (the simulator
    reads the contact ledger back with a scan of every item at the end of a run). An index's scan is left as it is.
50. ``DynamoHandler.update_item`` renders the whole item before the update (30b) and after it, and compares the two
    attribute by attribute, for every call; its answer holds the old attributes only for ``ReturnValues`` ``ALL_OLD``,
    ``UPDATED_OLD`` and ``UPDATED_NEW``, the new ones only for ``ALL_NEW``, ``UPDATED_OLD`` and ``UPDATED_NEW`` (the
    comparison feeds the two ``UPDATED_*`` answers only). Otherwise (a happy order's 21 ``NONE``, 5 ``ALL_NEW`` and 5
    ``ALL_OLD`` updates) the side it does not answer with is ``_Unread``, an item without attributes: ``to_json``
    gives none, so the comparison finds nothing to compare and the answer is the same.
59. An item's size (``Item.size``: every key's UTF-8 bytes and every value's ``DynamoType.size``; the same sum
    ``LimitedSizeDict`` and fast path 17 check against moto's limit) with string and number attributes measured in the
    loop itself (``attrs_size``), other values by their ``size``; a name that is not a ``str`` or a value that is not a
    ``DynamoType`` takes the caller's own way. While a query runs (nothing changes an item then; moto asks twice for the
    size of each item it keeps, to page at 1 MB) each item's size is kept for that query only.
89. ``DynamoResult`` converts an answer with ``dynamo_to_dict`` (33) into new dicts and lists, ``{type: value}`` for
    each ``DynamoType`` (a Query's and a GetItem's items are the table's own attributes), and the JSON writer
    (``json_answers``) then builds new dicts and lists again from that. Here the containers are converted as before,
    but a ``DynamoType`` is left as it is, and the writer writes it as what ``dynamo_to_dict`` makes of it
    (``json_answers._stored_value``: new containers, nothing shared with the table but text, numbers and bytes; any
    form it does not write directly is converted by 33 first). The answer is written within the same call, under the
    lock of every mocked call, before anything can change the item. moto's DynamoDB responses read a result only in
    ``include_consumed_capacity`` (its top level); where moto's own serializer writes the answer (fast path 12 steps
    aside) the result is converted first (``_sim_deferred``). An UpdateItem answered by fast path 88 hands on the
    answer ``Item.to_json`` rendered (new containers all the way down) without the copy.
94. ``validate_put_has_empty_attrs`` (every PutItem) asks, for each attribute of the item, whether it is in
    ``table.attribute_keys``: a property that builds the list of the table's and its indexes' key attributes again at
    each ask. Here the list is read once per check (nothing in the check changes the table), and the same check of
    every other attribute runs in the same order (moto's nested ``_validate_attr`` as it is), raising the same error.
    Fast path 88 reads it once for its key check too.
"""

from __future__ import annotations

import base64
import copy
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb import responses as dynamodb_responses
from moto.dynamodb.exceptions import ItemSizeTooLarge, MockValidationException
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models import table as dynamodb_table
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize, dynamo_to_dict

from outreach.simulator import update_answers

_IMMUTABLE = (str, bytes, bool, int, float, type(None))

# -- 30a: no copy of an item whose table has no stream ----------------------------------------------------------
_skip = threading.local()  # .item_copy: the next Item copy in the backend is unread; .query_copy: likewise in query


def _update_item(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
    """``DynamoDBBackend.update_item``, its copy of the item for the stream left out when there is no stream; the item
    it returns to an UpdateItem request that answers without the new attributes is ``_UNREAD`` (50)."""
    table = self.tables.get(table_name)  # moto's own ``get_table`` raises where this is None, as before
    _skip.item_copy = table is not None and table.stream_shard is None
    unread_after = getattr(_skip, "after", False)
    _skip.after = False
    try:
        item = _original_update_item(self, table_name, *args, **kwargs)
    finally:
        _skip.item_copy = False
    return _UNREAD if unread_after else item


def unread_copy(obj: Any, memo: Any) -> bool:
    """True for the one copy of an item ``update_item`` makes for a stream the table does not have (30a): the
    backend's ``copy`` module (patch 6, ``moto_runtime._NoTableCopies``) hands out the item itself."""
    if type(obj) is Item and memo is None and getattr(_skip, "item_copy", False):
        _skip.item_copy = False
        return True
    return False


# -- 30b: the old attributes UpdateItem answers with, rendered instead of copied ---------------------------------
class _Before:
    """Stands in for ``copy.deepcopy(item)`` in ``DynamoHandler.update_item``: what its ``to_json`` would give."""

    def __init__(self, item: Item) -> None:
        self._json = item.to_json()

    def to_json(self, root_attr_name: str = "Attributes") -> dict[str, Any]:
        if root_attr_name != "Attributes":  # pragma: no cover - moto asks for "Attributes" only
            raise ValueError(root_attr_name)
        return self._json


class _ResponseCopies:
    """The ``copy`` module as ``moto.dynamodb.responses`` sees it (its one use: UpdateItem's old item)."""

    @staticmethod
    def deepcopy(obj: Any, memo: Any = None) -> Any:
        if type(obj) is Item and memo is None:
            if getattr(_skip, "before", False):  # 50: the old attributes are not in the answer
                _skip.before = False
                return _UNREAD
            return _Before(obj)
        return copy.deepcopy(obj, memo)

    copy = staticmethod(copy.copy)


# -- 50: UpdateItem renders only the attributes its answer holds --------------------------------------------------
class _Unread:
    """Stands in for an item whose attributes an UpdateItem answer does not hold: ``to_json`` has none."""

    def to_json(self, root_attr_name: str = "Attributes") -> dict[str, Any]:
        return {root_attr_name: {}}


_UNREAD = _Unread()
#: ReturnValues whose answer holds the old attributes (``existing_attributes``), the new ones (``item_dict``)
_OLD_READ = frozenset(("ALL_OLD", "UPDATED_OLD", "UPDATED_NEW"))
_NEW_READ = frozenset(("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"))


def _update_item_response(self: Any) -> Any:
    """``DynamoHandler.update_item`` rendering the item before the update only when ``ReturnValues`` answers with old
    attributes, and after it only when it answers with new ones (it renders both, and compares them attribute by
    attribute, for every call)."""
    shape = update_answers.shape_of(self.body)
    if shape is not None and update_answers.accepted(shape):
        return update_answers.answer(self)  # fast path 88: a shape moto's own checks accepted before
    returns = self.body.get("ReturnValues", "NONE") if isinstance(self.body, dict) else None
    # Anything but a string (a client that does not validate may send a list) renders both, as moto does.
    _skip.before = isinstance(returns, str) and returns not in _OLD_READ
    _skip.after = isinstance(returns, str) and returns not in _NEW_READ
    try:
        answered = _original_update_item_response(self)
    finally:
        _skip.before = _skip.after = False
    if shape is not None:
        update_answers.accept(shape)
    return answered


# -- 30c: Table.query's copy of what it found --------------------------------------------------------------------
def without_result_copy(query: Callable[..., Any]) -> Callable[..., Any]:
    """``Table.query`` (here: fast path 7's) with its copy of the items found left out, on the base table."""

    def base_table_query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        _skip.query_copy = index_name is None
        outer = getattr(_skip, "sizes", None)
        _skip.sizes = {}  # 59: item sizes for this query (the same item measured twice as moto pages it)
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _skip.query_copy = False
            _skip.sizes = outer

    return base_table_query


# -- 47: Table.scan's copy of each item it finds ------------------------------------------------------------------
def _scan(self: Table, *args: Any, **kwargs: Any) -> Any:
    """``Table.scan`` with its copy of each item found left out, on the base table (an index's projection of the
    copy builds a new item anyway: index scans are left as they are)."""
    index_name = args[4] if len(args) > 4 else kwargs.get("index_name")
    _skip.scan_copy = index_name is None
    try:
        return _original_scan(self, *args, **kwargs)
    finally:
        _skip.scan_copy = False


class _TableCopies:
    """The ``copy`` module as ``moto.dynamodb.models.table`` sees it: a base-table query's list of found items is
    not copied (30c, once per call), nor each item a base-table scan finds (47); everything else (index scans,
    backups, restores) is copied as before."""

    @staticmethod
    def deepcopy(obj: Any, memo: Any = None) -> Any:
        if type(obj) is Item and memo is None and getattr(_skip, "scan_copy", False):
            return obj
        if (
            type(obj) is list
            and memo is None
            and getattr(_skip, "query_copy", False)
            and all(type(item) is Item for item in obj)
        ):
            _skip.query_copy = False
            return list(obj)
        return copy.deepcopy(obj, memo)

    copy = staticmethod(copy.copy)


# -- 31: to_regular_json, each level built once -----------------------------------------------------------------
def _to_regular_json(self: DynamoType) -> dict[str, Any]:
    value = self.value
    if type(value) is dict:
        value = {
            key: nested.to_regular_json() if isinstance(nested, DynamoType) else copy.deepcopy(nested)
            for key, nested in value.items()
        }
    elif type(value) is list:
        value = [
            nested.to_regular_json() if isinstance(nested, DynamoType) else copy.deepcopy(nested) for nested in value
        ]
    elif not isinstance(value, _IMMUTABLE):
        return _original_to_regular_json(self)  # a value moto's copy would copy: moto's way
    if self.type == "B" and isinstance(value, str):
        value = base64.b64decode(value)
    return {self.type: value}


# -- 33: dynamo_to_dict by class ----------------------------------------------------------------------------------
_AS_IS = frozenset((str, int, float, bool, type(None)))


def _dynamo_to_dict(obj: Any) -> Any:
    kind = type(obj)
    if kind is dict or kind is LimitedSizeDict:
        return {key: _dynamo_to_dict(value) for key, value in obj.items()}
    if kind is list:
        return [_dynamo_to_dict(value) for value in obj]
    if kind is DynamoType:
        value = obj.value
        if obj.type == "B":
            return {"B": value if isinstance(value, bytes) else base64.b64decode(value)}
        if obj.type == "BS":
            return {"BS": [v if isinstance(v, bytes) else base64.b64decode(v) for v in value]}
        return {obj.type: _dynamo_to_dict(value)}
    if kind in _AS_IS:
        return obj
    return dynamo_to_dict(obj)


def as_plain(obj: Any) -> Any:
    """``dynamo_to_dict`` of ``obj``, as ``DynamoResult`` converts an answer (33)."""
    return _dynamo_to_dict(obj)


# -- 89: DynamoResult leaves a table's values to the writer -------------------------------------------------------
def _leaving_values(obj: Any, left: list[bool]) -> Any:
    """``_dynamo_to_dict`` with every ``DynamoType`` (not a subclass) left as it is, to be written by the JSON writer
    (``json_answers._stored_value``) as what ``dynamo_to_dict`` makes of it; ``left`` gets True if one was."""
    kind = type(obj)
    if kind is dict or kind is LimitedSizeDict:
        return {key: _leaving_values(value, left) for key, value in obj.items()}
    if kind is list:
        return [_leaving_values(value, left) for value in obj]
    if kind is DynamoType:
        if not left:
            left.append(True)
        return obj
    if kind in _AS_IS:
        return obj
    return dynamo_to_dict(obj)


def _dynamo_result_init(self: Any, result: object) -> None:
    """``DynamoResult.__init__`` (``ActionResult.__init__`` of ``dynamo_to_dict(result)``) with the table's values left
    for the writer (89); ``_sim_deferred`` says some were (``json_answers`` converts them before moto's own serializer
    reads the result)."""
    left: list[bool] = []
    self._result = _leaving_values(result, left)
    self._sim_deferred = bool(left)


# -- 94: PutItem's check of empty sets, with the table's key attributes listed once --------------------------------
def _validate_put_has_empty_attrs(field_updates: dict[str, Any], table: Any) -> None:
    """``validate_put_has_empty_attrs``: the same check of every attribute that is not a key attribute, in the same
    order, raising the same error; ``table.attribute_keys`` (a property that builds the list from the table's and its
    indexes' key schemas) is read once, not once per attribute (nothing in the check changes the table)."""
    if table:
        attribute_keys = table.attribute_keys
        for attr, val in field_updates.items():
            if attr not in attribute_keys:
                _validate_attr(val)


def _validate_attr(attr: dict[str, Any]) -> None:
    """moto's nested ``_validate_attr`` of ``validate_put_has_empty_attrs``, as it is."""
    for set_type, error in [("NS", "number"), ("SS", "string")]:
        if set_type in attr and attr[set_type] == []:
            raise MockValidationException(
                f"1 validation error detected: One or more parameter values were invalid: An {error} set  may not be "
                "empty"
            )
    else:
        for val in attr.values():
            if isinstance(val, dict):
                _validate_attr(val)


# -- 35: item sizes ----------------------------------------------------------------------------------------------
def _size(self: DynamoType) -> int:
    kind = self.type
    if kind == "N":
        return len(str(self.value))
    if kind in _MEASURED:  # not a set, list or map: moto's last two branches
        value = self.value
        return 1 if isinstance(value, bool) else bytesize(value)
    return _original_size(self)


_MEASURED = frozenset(("S", "B", "BOOL", "NULL"))


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]) -> None:
    """``Item.__init__``: each attribute converted and checked against moto's limit in turn, as there."""
    self.hash_key = hash_key
    self.range_key = range_key
    self.attrs = LimitedSizeDict()
    stored = 0  # what LimitedSizeDict.__setitem__ adds up: every key and value stored so far
    for key, value in attrs.items():
        converted = DynamoType(value)
        size = bytesize(key) + converted.size()
        if stored + size > _ITEM_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self.attrs, key, converted)
        stored += size


# -- 59: an item's size, straight away, and once per item while a query runs --------------------------------------
def attrs_size(attrs: dict[Any, Any]) -> int | None:
    """moto's size of an item's attributes (``Item.size``, the sum ``LimitedSizeDict`` checks: each name's UTF-8 bytes
    and each value's ``DynamoType.size``), strings and numbers measured in place; None for a name that is not a
    ``str`` or a value that is not a ``DynamoType`` (where the two sums differ: the caller takes its own way)."""
    total = 0
    for key, value in attrs.items():
        if type(key) is not str or type(value) is not DynamoType:
            return None
        total += len(key) if key.isascii() else len(key.encode("utf-8"))
        kind = value.type
        raw = value.value
        if kind == "S" and type(raw) is str:
            total += len(raw) if raw.isascii() else len(raw.encode("utf-8"))
        elif kind == "N":
            total += len(str(raw))
        else:
            total += value.size()
    return total


def _item_size(self: Item) -> int:
    """``Item.size``: measured by ``attrs_size``; while a query runs (of the table or of an index: it changes no item,
    and asks twice for the size of every item it keeps), remembered per item for that query."""
    if type(self) is not Item:
        return _original_item_size(self)  # type: ignore[no-any-return]
    sizes = getattr(_skip, "sizes", None)
    if sizes is not None:
        known = sizes.get(id(self))
        if known is not None and known[0] is self:
            return known[1]  # type: ignore[no-any-return]
    size = attrs_size(self.attrs)
    if size is None:
        size = _original_item_size(self)
    if sizes is not None:
        sizes[id(self)] = (self, size)
    return size


_ITEM_LIMIT = 405000  # moto's LimitedSizeDict
_original_size = DynamoType.size
_original_item_size = Item.size
_original_update_item = DynamoDBBackend.update_item
_original_to_regular_json = DynamoType.to_regular_json
_original_scan = Table.scan
_original_update_item_response = dynamodb_responses.DynamoHandler.update_item
#: with fast path 7 (``Table.query``, see ``without_result_copy``); 30a's copy module is patch 6's (``unread_copy``)
PATCHES: list[tuple[Any, str, Any]] = [
    (DynamoDBBackend, "update_item", _update_item),
    (dynamodb_responses, "copy", _ResponseCopies),
    (dynamodb_table, "copy", _TableCopies),
    (DynamoType, "to_regular_json", _to_regular_json),
    (dynamodb_responses, "dynamo_to_dict", _dynamo_to_dict),
    (DynamoType, "size", _size),
    (Item, "__init__", _item_init),
    (Table, "scan", _scan),
    (dynamodb_responses.DynamoHandler, "update_item", _update_item_response),
    (dynamodb_responses.DynamoResult, "__init__", _dynamo_result_init),
    (dynamodb_responses, "validate_put_has_empty_attrs", _validate_put_has_empty_attrs),
    (Item, "size", _item_size),
]
