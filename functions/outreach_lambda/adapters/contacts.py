"""The contact ledger: one item per contact and channel, keyed by the contact's idempotency key.

A contact is claimed (SENDING) with a conditional put before anything is sent, so a retried or
concurrent sender can never send it twice; then it is marked SENT (or FAILED) with what was sent.
"""

from __future__ import annotations

from typing import Any

from outreach_lambda.adapters.aws import put_if_absent, table


class ContactLedger:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    @property
    def _table(self) -> Any:
        return table(self._name)

    def claim(self, pk: str, key: str, fields: dict[str, Any]) -> bool:
        return put_if_absent(self._name, {"pk": pk, "sk": key, "status": "SENDING", **fields})

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

    def scan_all(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = self._table.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
