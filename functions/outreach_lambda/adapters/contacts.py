"""The contact ledger: one item per contact and channel, keyed by the contact's idempotency key.

A contact is claimed (SENDING) with a conditional write before anything is sent, so a retried or concurrent
sender can never send it twice; then it is finished with what became of it (``ports.LedgerStatus``). Only an
entry whose send provably did not happen (RETRY; PARKED when redriven) can be claimed again, and every claim
counts an attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from outreach_lambda.adapters.aws import put_if_absent, table, update_if
from outreach_lambda.ports import LedgerStatus

#: One item per cause for which contacts are parked (sk = the cause): ops are alerted once per cause.
PARKED_CAUSES_PK = "PARKED#causes"


class ContactLedger:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    @property
    def _table(self) -> Any:
        return table(self._name)

    def claim(self, pk: str, key: str, fields: dict[str, Any], again: frozenset[str]) -> int | None:
        """Claim the contact for sending: the attempt number, or None when it may not be sent (again)."""
        entries = {"status": LedgerStatus.SENDING.value, **fields}
        names = {f"#{i}": name for i, name in enumerate(entries)}
        values: dict[str, Any] = {f":{i}": value for i, value in enumerate(entries.values())}
        sets = ", ".join(f"#{i} = :{i}" for i in range(len(entries)))
        allowed = [f":again{i}" for i in range(len(again))]
        values.update({f":again{i}": status for i, status in enumerate(sorted(again))})
        condition = "attribute_not_exists(pk)"
        if allowed:
            condition += f" OR #0 IN ({', '.join(allowed)})"
        item = update_if(
            self._name,
            Key={"pk": pk, "sk": key},
            UpdateExpression=f"SET {sets}, attempts = if_not_exists(attempts, :zero) + :one",
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":zero": 0, ":one": 1},
            ReturnValues="ALL_NEW",
        )
        return None if item is None else int(item["attempts"])

    def finish(self, pk: str, key: str, status: str, fields: dict[str, Any]) -> None:
        names = {f"#{i}": name for i, name in enumerate(["status", *fields])}
        values = {f":{i}": value for i, value in enumerate([status, *fields.values()])}
        sets = ", ".join(f"#{i} = :{i}" for i in range(len(names)))
        self._table.update_item(
            Key={"pk": pk, "sk": key},
            UpdateExpression=f"SET {sets}",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def first_parked(self, cause: str, now: datetime) -> bool:
        """Record that contacts are parked for ``cause``; True the first time (until a redrive clears it)."""
        return put_if_absent(self._name, {"pk": PARKED_CAUSES_PK, "sk": cause, "since": now.isoformat()})

    def scan_all(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = self._table.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
