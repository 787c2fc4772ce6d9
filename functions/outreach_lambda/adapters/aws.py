"""boto3 clients, created once per cold start on first use (never at import time), and AWS error codes.

boto3 itself is imported on first use too: importing it costs ~150 ms that a handler's import need not pay.

DynamoDB is called through the low-level client, with the request's values written as DynamoDB JSON by boto3's
own ``TypeSerializer`` and the answer's read back by its ``TypeDeserializer`` (``get_item``, ``put_if``,
``update_if``, ``update_item``, ``delete_item``, ``query``, ``scan``): the same values both ways as boto3's
``Table`` resource, without the resource layer's work per call (a deep copy of the request, a walk of the
operation's whole input and output shapes, the resource action's parameter building: ~30 us per call). Key
conditions are written as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.cold_start import once

#: A conditional write found the condition false (a plain write, or one item of a transaction).
CONDITION_FAILED = frozenset({"ConditionalCheckFailedException", "TransactionCanceledException"})


@once
def client(service: str) -> Any:
    import boto3

    return boto3.client(service)  # type: ignore[call-overload]


@once
def _codecs() -> tuple[Any, Any]:
    """boto3's serializer and deserializer (their methods are looked up per request, not kept: whatever boto3's
    classes hold then is what runs)."""
    from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

    return TypeSerializer(), TypeDeserializer()


#: the members of a DynamoDB request whose values are attribute maps (written as DynamoDB JSON)
_VALUE_MAPS = ("Key", "Item", "ExpressionAttributeValues", "ExclusiveStartKey")


def to_wire(values: Mapping[str, Any]) -> dict[str, Any]:
    """A map of plain values (str, Decimal, int, bytes, sets, lists, dicts, bool, None) as DynamoDB JSON."""
    serialize = _codecs()[0].serialize
    return {name: serialize(value) for name, value in values.items()}


def from_wire(item: Mapping[str, Any]) -> dict[str, Any]:
    """A DynamoDB JSON map as plain values (numbers as Decimal, binaries as ``Binary``), as the resource reads it."""
    deserialize = _codecs()[1].deserialize
    return {name: deserialize(value) for name, value in item.items()}


def _request(table_name: str, params: Mapping[str, Any]) -> dict[str, Any]:
    request = {"TableName": table_name, **params}
    for member in _VALUE_MAPS:
        if member in request:
            request[member] = to_wire(request[member])
    return request


def put_item(table_name: str, item: Mapping[str, Any], **params: Any) -> None:
    """``PutItem`` without a condition."""
    client("dynamodb").put_item(**_request(table_name, {"Item": item, **params}))


def update_item(table_name: str, **params: Any) -> dict[str, Any]:
    """``UpdateItem``: the attributes ``ReturnValues`` asked for, as plain values (else empty)."""
    return from_wire(client("dynamodb").update_item(**_request(table_name, params)).get("Attributes", {}))


def get_item(table_name: str, key: Mapping[str, Any], **params: Any) -> dict[str, Any] | None:
    """``GetItem``: the item's plain values; None when there is none."""
    item = client("dynamodb").get_item(**_request(table_name, {"Key": key, **params})).get("Item")
    return None if item is None else from_wire(item)


def delete_item(table_name: str, key: Mapping[str, Any], **params: Any) -> dict[str, Any]:
    """``DeleteItem``: the item's old plain values when ``ReturnValues="ALL_OLD"`` asked for them (else empty)."""
    answer = client("dynamodb").delete_item(**_request(table_name, {"Key": key, **params}))
    return from_wire(answer.get("Attributes", {}))


def query(table_name: str, **params: Any) -> dict[str, Any]:
    """One page of ``Query`` (key condition as text): ``Items`` and ``LastEvaluatedKey`` as plain values."""
    return _page(client("dynamodb").query(**_request(table_name, params)))


def scan(table_name: str, **params: Any) -> dict[str, Any]:
    """One page of ``Scan``: ``Items`` and ``LastEvaluatedKey`` as plain values."""
    return _page(client("dynamodb").scan(**_request(table_name, params)))


def _page(answer: Mapping[str, Any]) -> dict[str, Any]:
    page: dict[str, Any] = {"Items": [from_wire(item) for item in answer.get("Items", [])]}
    if "LastEvaluatedKey" in answer:
        page["LastEvaluatedKey"] = from_wire(answer["LastEvaluatedKey"])
    return page


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ``ClientError`` (e.g. 'ThrottlingException'); None for anything else."""
    if not isinstance(exc, ClientError):
        return None
    code = exc.response.get("Error", {}).get("Code")
    return str(code) if code else None


def put_if_absent(table_name: str, item: dict[str, Any]) -> bool:
    """Put ``item`` unless an item with its key exists. False when it existed (nothing written)."""
    return put_if(table_name, item, "attribute_not_exists(pk)")


def put_if(table_name: str, item: dict[str, Any], condition: str, values: dict[str, Any] | None = None) -> bool:
    """``PutItem`` with a condition (``values`` its ``:placeholders``). False when the condition was false
    (nothing written)."""
    extra = {"ExpressionAttributeValues": values} if values else {}
    try:
        put_item(table_name, item, ConditionExpression=condition, **extra)
    except ClientError as exc:
        if error_code(exc) in CONDITION_FAILED:
            return False
        raise
    return True


def update_if(table_name: str, **update: Any) -> dict[str, Any] | None:
    """``UpdateItem`` with a condition, returning the item's attributes (``ReturnValues``); None when the
    condition was false (nothing written)."""
    try:
        return update_item(table_name, **update)
    except ClientError as exc:
        if error_code(exc) in CONDITION_FAILED:
            return None
        raise
