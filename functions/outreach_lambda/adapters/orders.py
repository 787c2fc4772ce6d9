"""The orders table: per order a STATE item (timeline state, wait token, timer), QUOTE# items (the
promise ledger), INBOX# items (events waiting for the execution) and, per SKU, an index of open orders.

The STATE item also keeps what intake judges later events by: the accepted Order Placed's fingerprint and
its placedAt.

pk = ``ORDER#<orderId>`` or ``SKU#<sku>``; sk = ``STATE`` | ``QUOTE#0001`` | ``INBOX#<receivedAt>#<eventId>``
| ``EVENT#<eventId>`` (dedupe marker) | ``ORDER#<orderId>`` (under a SKU).
All reads that decide anything are strongly consistent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import CONDITION_FAILED, client, error_code, put_if_absent, table, update_if
from outreach_lambda.domain.events import STORED, CatalogRequested
from outreach_lambda.domain.model import Decision, InboundEvent, OrderState

MAX_EVENTS_PER_STEP = 90  # a DynamoDB transaction holds 100 items


def _items_of(order_id: str, prefix: str) -> dict[str, Any]:
    """Query arguments for an order's items whose sort key starts with ``prefix`` (INBOX#, QUOTE#)."""
    return {
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": order_pk(order_id), ":prefix": prefix},
    }


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


def catalog_pk(request_id: str) -> str:
    return f"CATALOG#{request_id}"


@dataclass(frozen=True)
class OrderRecord:
    order_id: str
    run_status: str  # starting | running | cancelled | complete
    placed_event_id: str | None
    state: OrderState | None
    version: int
    timer_name: str | None
    timer_due_at: str | None
    #: sha256 of the accepted Order Placed detail (``events.fingerprint``): a different one is a conflict.
    placed_fingerprint: str | None = None
    #: The order's placedAt in the customer's zone: later dates of the order are checked against it.
    placed_at: datetime | None = None


class OrdersRepository:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    @property
    def _table(self) -> Any:
        return table(self._name)

    # -- registration (intake) -------------------------------------------------------------------
    def register(
        self,
        order_id: str,
        placed_event_id: str,
        skus: list[str],
        now: datetime,
        *,
        fingerprint: str,
        placed_at: datetime,
    ) -> bool:
        """Create the order's STATE item with the placed detail's fingerprint and placedAt (in the customer's
        zone). False when the order already exists."""
        item = {
            "pk": order_pk(order_id),
            "sk": "STATE",
            "orderId": order_id,
            "runStatus": "starting",
            "placedEventId": placed_event_id,
            "placedFingerprint": fingerprint,
            "placedAt": placed_at.isoformat(),
            "version": 0,
            "registeredAt": now.isoformat(),
        }
        if not put_if_absent(self._name, item):
            return False
        # One write per sku (at most MAX_ITEMS): the deployed roles have no BatchWriteItem.
        for sku in sorted(set(skus)):
            self._table.put_item(Item={"pk": f"SKU#{sku}", "sk": order_pk(order_id), "orderId": order_id})
        return True

    def orders_with_sku(self, sku: str) -> list[str]:
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": f"SKU#{sku}"},
            "ConsistentRead": True,
        }
        while True:
            page = self._table.query(**kwargs)
            ids.extend(item["orderId"] for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return ids
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, order_id: str) -> OrderRecord | None:
        item = self._table.get_item(Key={"pk": order_pk(order_id), "sk": "STATE"}, ConsistentRead=True).get("Item")
        if item is None:
            return None
        raw_state = item.get("state")
        return OrderRecord(
            order_id=item["orderId"],
            run_status=item.get("runStatus", "starting"),
            placed_event_id=item.get("placedEventId"),
            # Judged when it arrived: read back with its types checked, not with bounds that may be newer.
            state=OrderState.model_validate_json(raw_state, context=STORED) if raw_state else None,
            version=int(item.get("version", 0)),
            timer_name=item.get("timerName"),
            timer_due_at=item.get("timerDueAt"),
            placed_fingerprint=item.get("placedFingerprint"),
            placed_at=datetime.fromisoformat(item["placedAt"]) if item.get("placedAt") else None,
        )

    # -- catalog requests (not orders: no timeline, one follow-up) ---------------------------------
    def put_catalog_request(self, request: CatalogRequested, event_id: str, now: datetime) -> bool:
        """Record a catalog request. False when this requestId was recorded before."""
        item = {
            "pk": catalog_pk(request.request_id),
            "sk": "REQUEST",
            "requestId": request.request_id,
            "request": request.model_dump_json(by_alias=True),
            "eventId": event_id,
            "receivedAt": now.isoformat(),
        }
        return put_if_absent(self._name, item)

    def get_catalog_request(self, request_id: str) -> CatalogRequested | None:
        item = self._table.get_item(Key={"pk": catalog_pk(request_id), "sk": "REQUEST"}, ConsistentRead=True).get(
            "Item"
        )
        return CatalogRequested.model_validate_json(item["request"], context=STORED) if item else None

    # -- sku batch delays: how many customers were told -------------------------------------------
    def open_batch(self, event_id: str, sku: str, reason: str | None, targeted: int, now: datetime) -> None:
        """Record a sku delay fanned out to ``targeted`` open orders (kept on a redelivery)."""
        put_if_absent(
            self._name,
            {
                "pk": f"BATCH#{event_id}",
                "sk": "SUMMARY",
                "sku": sku,
                "reason": reason or "",
                "targeted": targeted,
                "told": 0,
                "absorbed": 0,
                "openedAt": now.isoformat(),
            },
        )

    def count_batch_outcome(self, event_id: str, told: bool) -> dict[str, Any] | None:
        """Count one order's outcome; returns the summary exactly once, to the step that completes it."""
        field = "told" if told else "absorbed"
        item = update_if(
            self._name,
            Key={"pk": f"BATCH#{event_id}", "sk": "SUMMARY"},
            UpdateExpression="ADD #f :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#f": field},
            ExpressionAttributeValues={":one": 1},
            ReturnValues="ALL_NEW",
        )
        if item is None:
            return None
        done = int(item["told"]) + int(item["absorbed"])
        if done != int(item["targeted"]):
            return None
        return {
            "sku": item["sku"],
            "reason": item["reason"],
            "orders": int(item["targeted"]),
            "customersTold": int(item["told"]),
            "absorbedByPadding": int(item["absorbed"]),
        }

    # -- inbox -----------------------------------------------------------------------------------
    def put_inbox(self, order_id: str, event: InboundEvent) -> bool:
        """Store an event for the execution. False when this event id was seen before (a redelivery).

        A permanent ``EVENT#<id>`` marker is written with the inbox item in one transaction, so an event
        redelivered after the execution consumed it is still recognised.
        """
        pk = {"S": order_pk(order_id)}
        inbox_sk = f"INBOX#{event.received_at.isoformat()}#{event.event_id}"
        try:
            client("dynamodb").transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": {"pk": pk, "sk": {"S": f"EVENT#{event.event_id}"}},
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._name,
                            "Item": {
                                "pk": pk,
                                "sk": {"S": inbox_sk},
                                "event": {"S": event.model_dump_json(by_alias=True)},
                            },
                        }
                    },
                ]
            )
        except ClientError as exc:
            if error_code(exc) in CONDITION_FAILED:
                return False
            raise
        return True

    def inbox(self, order_id: str, limit: int = MAX_EVENTS_PER_STEP) -> list[tuple[str, InboundEvent]]:
        page = self._table.query(
            **_items_of(order_id, "INBOX#"),
            ConsistentRead=True,
            Limit=limit,
        )
        return [(item["sk"], InboundEvent.model_validate_json(item["event"])) for item in page["Items"]]

    # -- the wait token: exactly one of intake / the parking wait claims it -------------------------
    def store_token(self, order_id: str, token: str, *, timer: tuple[str | None, str | None] | None = None) -> None:
        """Store the wait token; with ``timer``, record the armed timer (name, due) or forget it (None, None) in
        the same write (one request and one write of the STATE item instead of two)."""
        sets, values, removes = ["waitToken = :t"], {":t": token}, ""
        if timer is not None and timer[0] is not None:
            sets.append("timerName = :n, timerDueAt = :d")
            values.update({":n": timer[0], ":d": timer[1] or ""})
        elif timer is not None:
            removes = " REMOVE timerName, timerDueAt"
        self._table.update_item(
            Key={"pk": order_pk(order_id), "sk": "STATE"},
            UpdateExpression="SET " + ", ".join(sets) + removes,
            ExpressionAttributeValues=values,
        )

    def claim_token(self, order_id: str, expected: str | None = None) -> str | None:
        """Remove and return the stored wait token; None when there is none (or another took it)."""
        kwargs: dict[str, Any] = {
            "Key": {"pk": order_pk(order_id), "sk": "STATE"},
            "UpdateExpression": "REMOVE waitToken",
            "ReturnValues": "ALL_OLD",
        }
        if expected is None:
            kwargs["ConditionExpression"] = "attribute_exists(waitToken)"
        else:
            kwargs["ConditionExpression"] = "waitToken = :t"
            kwargs["ExpressionAttributeValues"] = {":t": expected}
        old = update_if(self._name, **kwargs)
        return None if old is None else old.get("waitToken")

    def set_timer(self, order_id: str, name: str | None, due_at: str | None) -> None:
        if name is None:
            self._table.update_item(
                Key={"pk": order_pk(order_id), "sk": "STATE"}, UpdateExpression="REMOVE timerName, timerDueAt"
            )
            return
        self._table.update_item(
            Key={"pk": order_pk(order_id), "sk": "STATE"},
            UpdateExpression="SET timerName = :n, timerDueAt = :d",
            ExpressionAttributeValues={":n": name, ":d": due_at},
        )

    def forget_fired_timer(self, order_id: str, due_at: str) -> None:
        """A timer deletes itself when it fires: forget it, unless a newer one was armed meanwhile."""
        update_if(
            self._name,
            Key={"pk": order_pk(order_id), "sk": "STATE"},
            UpdateExpression="REMOVE timerName, timerDueAt",
            ConditionExpression="timerDueAt = :d",
            ExpressionAttributeValues={":d": due_at},
        )

    # -- one timeline step, atomically -----------------------------------------------------------
    def save_step(self, record: OrderRecord, decision: Decision, consumed_inbox_keys: list[str]) -> None:
        """Save the step's new state, append its ledger quotes and consume inbox events in one transaction.

        The version condition makes a retried or concurrent step fail instead of applying events twice.
        """
        state, new_quotes = decision.state, decision.new_quotes
        pk = order_pk(record.order_id)
        ddb = client("dynamodb")
        first_quote = len(state.quotes) - len(new_quotes) + 1 if state else 1
        items: list[dict[str, Any]] = [
            {
                "Update": {
                    "TableName": self._name,
                    "Key": {"pk": {"S": pk}, "sk": {"S": "STATE"}},
                    "UpdateExpression": "SET #s = :state, runStatus = :rs, version = :v1",
                    "ConditionExpression": "version = :v0",
                    "ExpressionAttributeNames": {"#s": "state"},
                    "ExpressionAttributeValues": {
                        ":state": {"S": state.to_json() if state else "null"},
                        ":rs": {"S": decision.run_status},
                        ":v0": {"N": str(record.version)},
                        ":v1": {"N": str(record.version + 1)},
                    },
                }
            }
        ]
        for offset, quote in enumerate(new_quotes):
            quote_json = json.loads(quote.model_dump_json(by_alias=True))
            items.append(
                {
                    "Put": {
                        "TableName": self._name,
                        "Item": {
                            "pk": {"S": pk},
                            "sk": {"S": f"QUOTE#{first_quote + offset:04d}"},
                            "at": {"S": quote_json["at"]},
                            "promisedDate": {"S": quote_json["promisedDate"]},
                            "reason": {"S": quote.reason},
                            "cause": {"S": quote.cause or ""},
                        },
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            )
        for sk in consumed_inbox_keys:
            items.append({"Delete": {"TableName": self._name, "Key": {"pk": {"S": pk}, "sk": {"S": sk}}}})
        ddb.transact_write_items(TransactItems=items)

    def release_skus(self, order_id: str, skus: list[str]) -> None:
        for sku in sorted(set(skus)):
            self._table.delete_item(Key={"pk": f"SKU#{sku}", "sk": order_pk(order_id)})

    def quotes(self, order_id: str) -> list[dict[str, str]]:
        page = self._table.query(
            **_items_of(order_id, "QUOTE#"),
            ConsistentRead=True,
        )
        return [
            {"at": i["at"], "promisedDate": i["promisedDate"], "reason": i["reason"], "cause": i.get("cause", "")}
            for i in page["Items"]
        ]
