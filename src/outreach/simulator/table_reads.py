"""Fast path 77: the runner reads the contact ledger back from moto's table, not through a paged Scan.

At the end of a run the runner reads every entry of the contact ledger (``ContactLedger.scan_all``: a consistent
``Scan`` of the table, page after page) and checks each against what SES and SNS really recorded. Through boto3 that
was one ``Scan`` per MB of items: botocore's parameters, moto's sort of the whole table for every page (and a walk past
every item of the pages before it), each item rendered to JSON, botocore's parse and boto3's deserialiser; 181 ms at
200 happy orders (0.9 ms per order), for a read nobody meters (the simulator's own calls are left out of ``metering``).

Here the items come from moto's table itself, in the order moto's ``Scan`` walks them (``Table.all_items``: sorted by
hash key, then range key; pages only cut that order into pieces), each attribute converted as that answer would carry
it (moto's ``Item.to_json``: an attribute's type and value, maps and lists nested) and then by boto3's own
``TypeDeserializer``, as the resource's answer is: ``N`` a ``Decimal``, sets Python sets, maps and lists nested. Only
items whose values are all of the types whose JSON form is the stored value itself (``S``, ``N``, ``BOOL``, ``NULL``,
``SS``, ``NS``, and ``M`` and ``L`` of such) are read this way, a string being a ``str`` or an enum member (the direct
calls hand moto a handler's values as they are: a ledger status stays a ``StrEnum`` member, which moto's serializer
writes as its value); a table holding anything else (a binary value, which the answer carries base64-encoded, a
``str`` subclass with a ``__str__`` of its own) is scanned through boto3 as before, and so is a table moto does not
have.
``tests/simulation/test_table_reads.py`` compares the items (values, classes, key order and item order) with
``scan_all`` over random tables, several pages of them included; plain moto runs (``--plain``) scan as before.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from boto3.dynamodb.types import TypeDeserializer
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType

from outreach.simulator import moto_runtime

_STRINGS = frozenset(("S", "N"))
_STRING_SETS = frozenset(("SS", "NS"))
_DESERIALIZE: Any = TypeDeserializer().deserialize


class _NotPlain(Exception):
    """A value this fast path does not convert: the table is scanned the usual way."""


def scan_items(table_name: str, region: str) -> list[dict[str, Any]] | None:
    """Every item of moto's table ``table_name`` as ``ContactLedger.scan_all`` reads it (boto3's resource form), in the
    same order; None when the table is not there or holds a value this fast path does not convert."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    table = backend.tables.get(table_name)
    if table is None:
        return None
    try:
        with moto_runtime.aws_call():  # as the Scan it replaces: no call changes the table meanwhile
            items = list(table.all_items())
            return [{name: _DESERIALIZE(_wire(value)) for name, value in item.attrs.items()} for item in items]
    except _NotPlain:
        return None


def _wire(value: Any) -> dict[str, Any]:
    """What a JSON answer carries for ``value`` (a ``DynamoType``), as botocore parses it."""
    if type(value) is not DynamoType:
        raise _NotPlain
    kind, stored = value.type, value.value
    if kind in _STRINGS:
        return {kind: _string(stored)}
    if kind in _STRING_SETS and type(stored) is list:
        return {kind: [_string(member) for member in stored]}
    if kind in ("BOOL", "NULL") and type(stored) is bool:
        return {kind: stored}
    if kind == "M" and type(stored) is dict and "" not in stored:  # (an empty name: plain moto's answer fails)
        return {"M": {key: _wire(nested) for key, nested in stored.items()}}
    if kind == "L" and type(stored) is list:
        return {"L": [_wire(nested) for nested in stored]}
    raise _NotPlain


def _string(stored: Any) -> str:
    """A string value as moto's JSON answer carries it: a ``str`` as it is, an enum member (a handler's status) by its
    value, as moto's serializer writes it (``Enum`` members by ``.value``); anything else (a ``str`` subclass of
    another kind, which moto would write through its own ``__str__``) is not converted here."""
    if type(stored) is str:
        return stored
    if isinstance(stored, Enum) and type(stored.value) is str:
        return stored.value
    raise _NotPlain
