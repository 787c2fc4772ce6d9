"""Customer conversations and who has ordered, in the orders table:

- ``MESSAGE#<messageId>`` / ``MESSAGE``: a customer message (who wrote, about what, when it must be answered
  by, whether it was answered, whether ops were told it is overdue);
- ``CUSTOMER#<sha256 of the e-mail address>`` / ``ORDERED``: this customer placed an order (so a catalog
  requester who ordered gets no design-advice offer). No address in a key.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from outreach_lambda.adapters.aws import get_item, put_if_absent, update_if
from outreach_lambda.domain.events import STORED, CustomerMessageReceived


def message_pk(message_id: str) -> str:
    return f"MESSAGE#{message_id}"


def customer_pk(email: str) -> str:
    return "CUSTOMER#" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


class ConversationsRepository:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

    def open(
        self,
        message: CustomerMessageReceived,
        who: dict[str, str],
        answer_by: datetime,
        now: datetime,
        event_id: str,
    ) -> datetime | None:
        """Record a new message: its answer-by time, if this event is its record (new, or the same event again:
        Lambda's retry of an invocation that failed after recording it, a redelivery; the time first recorded);
        None when another event recorded this message before."""
        written: dict[str, Any] = {
            "eventId": event_id,
            "message": message.model_dump_json(by_alias=True, exclude_none=True),
            # who: the customer's e-mail ("to"), name, time zone and locale, as far as known.
            **{k: v for k, v in who.items() if k in ("to", "name", "timezone", "locale") and v},
        }
        kept = {"receivedAt": now.isoformat(), "answerBy": answer_by.isoformat(), "status": "open"}  # first ones
        sets = [f"#{k} = :{k}" for k in written] + [f"#{k} = if_not_exists(#{k}, :{k})" for k in kept]
        stored = update_if(
            self._name,
            Key={"pk": message_pk(message.message_id), "sk": "MESSAGE"},
            UpdateExpression="SET " + ", ".join(sets),
            ConditionExpression="attribute_not_exists(pk) OR #eventId = :eventId",
            ExpressionAttributeNames={f"#{k}": k for k in (*written, *kept)},
            ExpressionAttributeValues={f":{k}": v for k, v in {**written, **kept}.items()},
            ReturnValues="ALL_NEW",
        )
        return None if stored is None else datetime.fromisoformat(str(stored["answerBy"]))

    def get(self, message_id: str) -> dict[str, Any] | None:
        found = get_item(self._name, {"pk": message_pk(message_id), "sk": "MESSAGE"}, ConsistentRead=True)
        if found is None:
            return None
        out = dict(found)
        out["message"] = CustomerMessageReceived.model_validate_json(found["message"], context=STORED)
        return out

    def answered(self, message_id: str, now: datetime) -> bool:
        """Mark the message answered; False when there is no such message."""
        return (
            update_if(
                self._name,
                Key={"pk": message_pk(message_id), "sk": "MESSAGE"},
                UpdateExpression="SET #s = :answered, answeredAt = :now",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":answered": "answered", ":now": now.isoformat()},
                ReturnValues="ALL_NEW",
            )
            is not None
        )

    def overdue(self, message_id: str, now: datetime) -> bool:
        """Mark an open message overdue; True only the first time and only while it is unanswered."""
        return (
            update_if(
                self._name,
                Key={"pk": message_pk(message_id), "sk": "MESSAGE"},
                UpdateExpression="SET #s = :overdue, overdueAt = :now",
                ConditionExpression="#s = :open",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues={":overdue": "overdue", ":open": "open", ":now": now.isoformat()},
                ReturnValues="ALL_NEW",
            )
            is not None
        )

    def note_order(self, email: str, order_id: str, now: datetime) -> None:
        put_if_absent(
            self._name, {"pk": customer_pk(email), "sk": "ORDERED", "orderId": order_id, "at": now.isoformat()}
        )

    def has_ordered(self, email: str) -> bool:
        key = {"pk": customer_pk(email), "sk": "ORDERED"}
        return get_item(self._name, key, ConsistentRead=True) is not None
