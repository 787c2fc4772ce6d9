"""The contact ledger: one item per contact and channel, keyed by the contact's idempotency key.

A contact is claimed (SENDING) with a conditional write before anything is sent, so a retried or concurrent
sender can never send it twice; then it is finished with what became of it (``ports.LedgerStatus``). Only an
entry whose send provably did not happen (RETRY; PARKED when redriven) can be claimed again, and every claim
counts an attempt.

While an entry is SENDING it carries ``inFlight`` and ``claimedAt``, the keys of the sparse index
``SENDING_INDEX``: the reconciler finds claims left in SENDING (the sender died between claim and outcome) with
one Query of that index, never a Scan; finishing an entry removes both, so the index only ever holds claims in
flight.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from outreach_lambda.adapters.aws import put_if_absent, query, scan, update_if, update_item
from outreach_lambda.ports import LedgerStatus

#: One item per cause for which contacts are parked (sk = the cause): ops are alerted once per cause.
PARKED_CAUSES_PK = "PARKED#causes"
#: The sparse global secondary index of claims in flight (infra/constructs/storage.py creates it): partition key
#: ``IN_FLIGHT`` (always ``SENDING``), sort key ``CLAIMED_AT`` (UTC, fixed-width ISO 8601, so text order is time
#: order). Only SENDING entries have these attributes.
SENDING_INDEX = "claims-in-flight"
IN_FLIGHT = "inFlight"
CLAIMED_AT = "claimedAt"


def claimed_at(now: datetime) -> str:
    """A claim's instant as stored: fixed width, so that comparing the text compares the instants."""
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class ContactLedger:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    def claim(
        self, pk: str, key: str, fields: dict[str, Any], again: frozenset[str], now: datetime | None = None
    ) -> int | None:
        """Claim the contact for sending: the attempt number, or None when it may not be sent (again)."""
        entries = {
            "status": LedgerStatus.SENDING.value,
            **fields,
            IN_FLIGHT: LedgerStatus.SENDING.value,
            CLAIMED_AT: claimed_at(now or datetime.now(UTC)),
        }
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
        update_item(
            self._name,
            Key={"pk": pk, "sk": key},
            UpdateExpression=f"SET {sets} REMOVE {IN_FLIGHT}, {CLAIMED_AT}",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def sent_promises(self, pk: str) -> list[tuple[datetime, date]]:
        """(sentAt, promisedDate) of each of the owner's contacts that went out stating a date. One that ops
        confirmed as sent (``outreach contacts skip --sent``: the provider's logs show it went) counts from the
        time they confirmed it (``confirmedAt``): the time it went is not recorded."""
        told: list[tuple[datetime, date]] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "FilterExpression": (
                "#s = :sent AND attribute_exists(#p) AND (attribute_exists(#t) OR attribute_exists(#c))"
            ),
            "ProjectionExpression": "#p, #t, #c",
            "ExpressionAttributeNames": {"#s": "status", "#p": "promisedDate", "#t": "sentAt", "#c": "confirmedAt"},
            "ExpressionAttributeValues": {":pk": pk, ":sent": LedgerStatus.SENT.value},
            "ConsistentRead": True,
        }
        while True:
            page = query(self._name, **kwargs)
            told.extend(
                (
                    datetime.fromisoformat(str(item.get("sentAt") or item["confirmedAt"])),
                    date.fromisoformat(str(item["promisedDate"])),
                )
                for item in page["Items"]
            )
            if "LastEvaluatedKey" not in page:
                return told
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def stuck(self, claimed_before: datetime) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {
            "IndexName": SENDING_INDEX,
            "KeyConditionExpression": "#f = :sending AND #c < :before",
            "ExpressionAttributeNames": {"#f": IN_FLIGHT, "#c": CLAIMED_AT},
            "ExpressionAttributeValues": {
                ":sending": LedgerStatus.SENDING.value,
                ":before": claimed_at(claimed_before),
            },
        }
        while True:
            page = query(self._name, **kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def settle_stuck(self, pk: str, key: str, claimed_at: str, status: str, fields: dict[str, Any]) -> bool:
        names = {f"#{i}": name for i, name in enumerate(["status", *fields])}
        values: dict[str, Any] = {f":{i}": value for i, value in enumerate([status, *fields.values()])}
        sets = ", ".join(f"#{i} = :{i}" for i in range(len(names)))
        settled = update_if(
            self._name,
            Key={"pk": pk, "sk": key},
            UpdateExpression=f"SET {sets} REMOVE {IN_FLIGHT}, {CLAIMED_AT}",
            ConditionExpression=f"#0 = :sending AND {CLAIMED_AT} = :claimed",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={**values, ":sending": LedgerStatus.SENDING.value, ":claimed": claimed_at},
        )
        return settled is not None

    def first_parked(self, cause: str, now: datetime) -> bool:
        """Record that contacts are parked for ``cause``; True the first time (until a redrive clears it)."""
        return put_if_absent(self._name, {"pk": PARKED_CAUSES_PK, "sk": cause, "since": now.isoformat()})

    def scan_all(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"ConsistentRead": True}
        while True:
            page = scan(self._name, **kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
