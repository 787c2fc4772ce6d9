"""The shop's own opt-out list, in the contacts table under its own partition (``OPT_OUTS_PK``).

One item per normalised address (``domain.opt_outs.normalise``): ``sk`` is the address, with the reason and
the instant it was added. One partition, so the list is one Query (``outreach opt-out list``); a send reads
one item. Addresses are never logged.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_lambda.adapters.aws import delete_item, get_item, put_if_absent, query
from outreach_lambda.domain.opt_outs import InvalidAddress, normalise

OPT_OUTS_PK = "OPTOUT#addresses"


class DynamoOptOuts:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    def add(self, address: str, reason: str, at: datetime) -> bool:
        item = {"pk": OPT_OUTS_PK, "sk": normalise(address), "reason": reason[:200], "at": at.isoformat()}
        return put_if_absent(self._name, item)

    def remove(self, address: str) -> bool:
        return bool(delete_item(self._name, {"pk": OPT_OUTS_PK, "sk": normalise(address)}, ReturnValues="ALL_OLD"))

    def contains(self, address: str) -> bool:
        try:
            key = normalise(address)
        except InvalidAddress:
            return False
        return get_item(self._name, {"pk": OPT_OUTS_PK, "sk": key}, ProjectionExpression="pk") is not None

    def all(self) -> list[dict[str, Any]]:
        """Every entry (address, reason, at), in address order."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": OPT_OUTS_PK},
        }
        while True:
            page = query(self._name, **kwargs)
            items += [{"address": i["sk"], "reason": i.get("reason", ""), "at": i.get("at", "")} for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
