"""The orders table: per order a STATE item (timeline state with its promise ledger, wait token, timer) and
one EVENT# item per accepted event (the inbox and the dedupe marker in one); per SKU, an index of open orders.

pk = ``ORDER#<orderId>`` or ``SKU#<sku>``; sk = ``EVENT#<eventId>`` | ``STATE`` | ``ORDER#<orderId>`` (under a
SKU). An order's EVENT# and STATE items are one key range (``ORDER_RANGE``): a step reads all it needs in one
Query, STATE first.

- ``EVENT#<eventId>``: the validated event as intake accepted it, written once with a condition (a redelivery,
  also one after the event was applied, finds it and is ignored) and never rewritten. It is pending until a
  step applies it: the STATE item's ``applied`` lists (as 8-byte digests) every event id applied, written in
  the same request as the state the events produced, so no event is applied twice or lost. The Order Placed
  event's item is the order's detail (customer, items, address): it is not repeated in the state.
- ``STATE``: ``state`` (the ``OrderState`` without its order detail, with every quote of the promise ledger:
  compact JSON, zlib-compressed, one write unit for a usual order), ``runStatus``, ``phase``, ``version`` (every
  step's write is conditional on it), ``applied``; the wait token and the handshake around it: ``arrived``
  (events and timer fires intake announced, ``announce``/``claim_timer``) and ``accounted`` (how many of them
  the last step saw: the wait parks only while the two are equal); the armed timer (``timerName``,
  ``timerDueAt``) and the fires of it not read by a step yet (``firedTimers``: a timer is not stored as an
  event); and what intake judges later events by: the accepted Order Placed's event id, fingerprint and
  placedAt.

Items of the older layout are still read, so orders in flight go on: a STATE item with ``state`` as JSON text
(the order and quotes in it), and ``INBOX#<receivedAt>#<eventId>`` items (pending events, applied like the
others; they stay behind as dedupe markers). Its ``QUOTE#nnnn`` items (the quotes are in the state) and
payload-less ``EVENT#`` markers are ignored; none of these is written any more.
All reads that decide anything are strongly consistent.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import (
    CONDITION_FAILED,
    client,
    delete_item,
    error_code,
    get_item,
    put_if_absent,
    put_item,
    query,
    update_if,
)
from outreach_lambda.domain.events import STORED, CatalogRequested
from outreach_lambda.domain.model import FINISHED_RUN_STATUSES, Decision, InboundEvent, OrderState

MAX_EVENTS_PER_STEP = 90  # applied by one step; more wait for the next (the wait finds them pending)
EVENT_PREFIX = "EVENT#"
#: Inbox items of the older layout (``INBOX#<receivedAt>#<eventId>``): still read as events, applied like them.
LEGACY_INBOX_PREFIX = "INBOX#"
#: An order's EVENT# and STATE items, in sort-key order ("EVENT#" < "STATE").
ORDER_RANGE = (EVENT_PREFIX, "STATE")
DIGEST_BYTES = 8


def order_pk(order_id: str) -> str:
    return f"ORDER#{order_id}"


#: The wait's one write (the park handshake): store the task token only while no event arrived since the last
#: step and the order is still in the phase the wait is named after.
PARK_UPDATE = "SET waitToken = :t"
PARK_CONDITION = (
    "attribute_exists(pk) AND (attribute_not_exists(arrived) OR arrived = accounted)"
    " AND (attribute_not_exists(#ph) OR #ph = :ph)"
)


def park_request(table_name: str, order_id: str, token: str, waiting_for: str) -> dict[str, Any]:
    """The park as a DynamoDB ``UpdateItem`` request. Each "Waiting for ..." state of the state machine makes
    exactly this request itself (an AWS SDK integration with ``$$.Task.Token``); ``tests/infra/test_park_write.py``
    checks that the definition's request equals this one, so the two cannot drift apart."""
    return {
        "TableName": table_name,
        "Key": {"pk": {"S": order_pk(order_id)}, "sk": {"S": "STATE"}},
        "UpdateExpression": PARK_UPDATE,
        "ConditionExpression": PARK_CONDITION,
        "ExpressionAttributeNames": {"#ph": "phase"},
        "ExpressionAttributeValues": {":t": {"S": token}, ":ph": {"S": waiting_for}},
    }


def batch_pk(event_id: str) -> str:
    return f"BATCH#{event_id}"


def _batch_summary(item: dict[str, Any]) -> dict[str, Any] | None:
    """The batch_delay report's details once every order counted reported its outcome (none reached: nothing)."""
    done = int(item["told"]) + int(item["absorbed"])
    if done < int(item["targeted"]) or not done:
        return None
    return {
        "sku": item["sku"],
        "reason": item["reason"],
        # More outcomes than orders counted: a second chain of a redelivered delay closed it, after an order the
        # first chain reached had finished. The report still goes, with every outcome.
        "orders": max(int(item["targeted"]), done),
        "customersTold": int(item["told"]),
        "absorbedByPadding": int(item["absorbed"]),
    }


def catalog_pk(request_id: str) -> str:
    return f"CATALOG#{request_id}"


def event_digest(event_id: str) -> bytes:
    """How an applied event is recorded on the STATE item: 8 bytes of its id's sha256 (a chance collision
    among one order's events is ~n^2/2^65)."""
    return hashlib.sha256(event_id.encode()).digest()[:DIGEST_BYTES]


def pack_state(state: OrderState) -> bytes:
    """The stored form of a state: compact JSON without the order detail (kept on the Order Placed event's
    item) and without empty fields, compressed."""
    data = state.model_dump(mode="json", by_alias=True, exclude_none=True, exclude={"order"})
    return zlib.compress(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 9)


def unpack_state(raw: Any, placed: dict[str, Any] | None) -> OrderState:
    """A stored state, with the order detail from the Order Placed event (``placed``); also the old form (JSON
    text with the order in it)."""
    if isinstance(raw, str):
        # Judged when it arrived: read back with its types checked, not with bounds that may be newer.
        return OrderState.model_validate_json(raw, context=STORED)
    data = json.loads(zlib.decompress(bytes(getattr(raw, "value", raw))))
    if "order" not in data:
        if placed is None:
            raise ValueError("orders table: a stored state without its Order Placed event item")
        data["order"] = placed
    return OrderState.model_validate(data, context=STORED)


def promise_ledger(state: OrderState | None) -> list[dict[str, str]]:
    """Every quote of the order's promise (time, date, reason, causing event), oldest first."""
    if state is None:
        return []
    return [
        {"at": q["at"], "promisedDate": q["promisedDate"], "reason": q["reason"], "cause": q.get("cause") or ""}
        for q in state.model_dump(mode="json", by_alias=True, include={"quotes"})["quotes"]
    ]


def _needed(sk: str, entry: dict[str, Any], state_item: dict[str, Any] | None, applied: frozenset[bytes]) -> bool:
    """Whether a step must parse this item of the order's range: a pending event, or the Order Placed event
    (the order's detail). An applied ``EVENT#<id>`` item is known by its key alone (``applied`` holds the
    digests of the ids), so its JSON is not parsed; items of the older layout are always parsed."""
    if "event" not in entry:
        return False
    if sk.startswith(EVENT_PREFIX):
        event_id = sk[len(EVENT_PREFIX) :]
        if state_item is None or event_id == state_item.get("placedEventId"):
            return True
        return event_digest(event_id) not in applied
    return sk.startswith(LEGACY_INBOX_PREFIX)


def _standing(item: dict[str, Any] | None) -> OrderStanding | None:
    """An ``OrderStanding`` from a STATE item as the low-level client returns it (typed values); None: no item."""
    if item is None:
        return None
    text = {name: value["S"] for name, value in item.items() if "S" in value}
    return OrderStanding(
        order_id=text["pk"].removeprefix(order_pk("")),
        run_status=text.get("runStatus", "starting"),
        placed_at=datetime.fromisoformat(text["placedAt"]) if text.get("placedAt") else None,
        registered_at=datetime.fromisoformat(text["registeredAt"]) if text.get("registeredAt") else None,
        applied=_digests(item.get("applied", {}).get("B")),
    )


def _digests(raw: Any) -> frozenset[bytes]:
    blob = bytes(getattr(raw, "value", raw)) if raw is not None else b""
    return frozenset(blob[i : i + DIGEST_BYTES] for i in range(0, len(blob), DIGEST_BYTES))


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
    #: Digests (``event_digest``) of the events already applied to ``state``.
    applied: frozenset[bytes] = field(default_factory=frozenset)
    #: How many events intake announced (``announce``), and how many of them the last step accounted for:
    #: the wait parks only while they are equal (nothing arrived since).
    arrived: int = 0
    accounted: int = 0
    #: Keys (``timer_key``) of the order's timers that fired and were announced (``claim_timer``) since the last
    #: step read them: the step forgets the armed timer when it is among them.
    fired_timers: frozenset[str] = frozenset()

    @property
    def standing(self) -> OrderStanding:
        """What intake judges a later event by, from the whole record (when it was read anyway)."""
        return OrderStanding(self.order_id, self.run_status, self.placed_at, applied=self.applied)


class ArrivedMeanwhile(RuntimeError):
    """A step that finishes the order (complete, cancelled) was refused: an event was announced to the order after
    the step read it. The order must not end with that event unread; the step runs again and applies it."""


@dataclass(frozen=True)
class OrderStanding:
    """What intake judges a later event by, read from the STATE item alone (not the order's events or state)."""

    order_id: str
    run_status: str
    #: The order's placedAt in the customer's zone; None on a STATE item registered before it was kept there.
    placed_at: datetime | None
    #: When intake registered the order (its Order Placed arrived); None when not read (``OrderRecord.standing``).
    #: A sku delay that arrived earlier does not reach it (a slice after the first may find it in the sku index).
    registered_at: datetime | None = None
    #: Digests (``event_digest``) of the events the order has applied.
    applied: frozenset[bytes] = frozenset()

    def has_applied(self, event_id: str) -> bool:
        """Whether the order applied this event: a step may read a stored event before intake announces it, and
        finish the order, so an event refused for a finished order may still be the order's."""
        return event_digest(event_id) in self.applied


@dataclass(frozen=True)
class Announcement:
    """What announcing an event to its order found (``announce``)."""

    #: The order's run status and placedAt before the write; None: no such order (nothing was written).
    standing: OrderStanding | None
    #: The event was counted (``arrived``): the order exists and is not finished.
    announced: bool
    #: The wait token, taken: the execution was parked and its holder must hand it on. None: nobody was parked.
    token: str | None = None


#: The STATE attributes an ``OrderStanding`` is read from.
STANDING_ATTRIBUTES = ("pk", "runStatus", "placedAt", "registeredAt", "applied")
BATCH_GET_KEYS = 100  # DynamoDB's limit per BatchGetItem request
BATCH_GET_ATTEMPTS = 5  # requests for keys DynamoDB leaves unprocessed, with backoff; then the event is redelivered
#: Attempts of a transaction DynamoDB cancelled only for another request in flight on one of its items (nothing
#: written), repeated with backoff: ``forget_event``'s check of an order's STATE item meets the order's registration.
CONFLICT_ATTEMPTS = 6


def _conflicted(exc: ClientError) -> bool:
    """The transaction was cancelled only because another request held one of its items (nothing written)."""
    reasons = {r.get("Code") for r in exc.response.get("CancellationReasons", [])}
    return (
        error_code(exc) == "TransactionCanceledException"
        and "TransactionConflict" in reasons
        and reasons <= _CONFLICT_ONLY
    )


_CONFLICT_ONLY = {"TransactionConflict", "None", None}  # the other items of the transaction had nothing against them


def _again_on_conflict(write: Any) -> Any:
    """``write()`` (a transaction), repeated with backoff while DynamoDB cancels it for a conflicting request."""
    for attempt in range(CONFLICT_ATTEMPTS):
        try:
            return write()
        except ClientError as exc:
            if not _conflicted(exc) or attempt + 1 == CONFLICT_ATTEMPTS:
                raise
            time.sleep(0.02 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


class OrdersRepository:
    def __init__(self, table_name: str) -> None:
        self._name = table_name

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
            put_item(self._name, {"pk": f"SKU#{sku}", "sk": order_pk(order_id), "orderId": order_id})
        return True

    def orders_with_sku(self, sku: str, after: str | None = None) -> list[str]:
        """The ids of the sku's open orders, in sort order (the index's own: ``ORDER#<id>``); with ``after``, only
        the ids sorting after it (where a sku delay's next slice goes on)."""
        ids: list[str] = []
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk" + (" AND sk > :after" if after is not None else ""),
            "ExpressionAttributeValues": {":pk": f"SKU#{sku}", **({":after": order_pk(after)} if after else {})},
            "ConsistentRead": True,
        }
        while True:
            page = query(self._name, **kwargs)
            ids.extend(item["orderId"] for item in page["Items"])
            if "LastEvaluatedKey" not in page:
                return ids
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def get(self, order_id: str) -> OrderRecord | None:
        return self.load(order_id)[0]

    def standings(self, order_ids: list[str]) -> dict[str, OrderStanding | None]:
        """Each order's run status and placedAt, from its STATE item only (strongly consistent; no state to
        unpack, no events to parse); None for an unknown order. One GetItem for one order; for many (a sku
        delay) one BatchGetItem per 100, so a delay reaching 1,000 orders reads them in 10 requests."""
        projection = {
            "ProjectionExpression": ", ".join(f"#a{i}" for i in range(len(STANDING_ATTRIBUTES))),
            "ExpressionAttributeNames": {f"#a{i}": name for i, name in enumerate(STANDING_ATTRIBUTES)},
        }
        ids = list(dict.fromkeys(order_ids))
        if len(ids) == 1:
            key = {"pk": {"S": order_pk(ids[0])}, "sk": {"S": "STATE"}}
            item = client("dynamodb").get_item(TableName=self._name, Key=key, ConsistentRead=True, **projection)
            return {ids[0]: _standing(item.get("Item"))}
        found: dict[str, OrderStanding | None] = dict.fromkeys(ids)
        for start in range(0, len(ids), BATCH_GET_KEYS):
            keys = [{"pk": {"S": order_pk(i)}, "sk": {"S": "STATE"}} for i in ids[start : start + BATCH_GET_KEYS]]
            request: dict[str, Any] = {self._name: {"Keys": keys, "ConsistentRead": True, **projection}}
            for attempt in range(BATCH_GET_ATTEMPTS):
                answer = client("dynamodb").batch_get_item(RequestItems=request)
                for item in answer.get("Responses", {}).get(self._name, []):
                    standing = _standing(item)
                    if standing is not None:
                        found[standing.order_id] = standing  # the key's order id: ids asked are keys of found
                request = answer.get("UnprocessedKeys") or {}
                if not request:
                    break
                if attempt + 1 < BATCH_GET_ATTEMPTS:
                    time.sleep(0.05 * 2**attempt)  # DynamoDB's advice for keys it left unprocessed (throttled)
            else:
                raise RuntimeError(f"orders table: STATE items still unprocessed after {BATCH_GET_ATTEMPTS} requests")
        return found

    def load(self, order_id: str) -> tuple[OrderRecord | None, list[tuple[str, InboundEvent]]]:
        """The order as a step needs it, in one Query: its record (state with the order detail) and its pending
        events (not applied yet) in the order they arrived."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {":pk": order_pk(order_id), ":first": ORDER_RANGE[0], ":last": ORDER_RANGE[1]},
            "ConsistentRead": True,
            # STATE first, then the events: every event counted in the ``arrived`` read was stored before it
            # was counted, so the events read after it include it.
            "ScanIndexForward": False,
        }
        events: list[tuple[str, InboundEvent]] = []
        item: dict[str, Any] | None = None
        applied: frozenset[bytes] = frozenset()
        while True:
            page = query(self._name, **kwargs)
            for entry in page["Items"]:
                sk = entry["sk"]
                if sk == "STATE":
                    item = entry
                    applied = _digests(item.get("applied"))
                elif _needed(sk, entry, item, applied):
                    events.append((sk, InboundEvent.model_validate_json(entry["event"])))
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        if item is None:
            return None, []
        record = self._record(item, events, applied)
        pending = [(sk, e) for sk, e in events if event_digest(e.event_id) not in record.applied]
        # The Order Placed first: an event of the order received before it (stored by an intake that found no order
        # yet and stopped, or raced the registration) is applied to the order, not to nothing and marked applied.
        placed_id = record.placed_event_id
        pending.sort(key=lambda entry: (entry[1].event_id != placed_id, entry[1].received_at, entry[1].event_id))
        return record, pending

    @staticmethod
    def _record(item: dict[str, Any], events: list[tuple[str, InboundEvent]], applied: frozenset[bytes]) -> OrderRecord:
        raw_state = item.get("state")
        placed_id = item.get("placedEventId")
        placed = next((e.detail for _, e in events if e.event_id == placed_id), None)
        return OrderRecord(
            order_id=item["orderId"],
            run_status=item.get("runStatus", "starting"),
            placed_event_id=placed_id,
            state=unpack_state(raw_state, placed) if raw_state else None,
            version=int(item.get("version", 0)),
            timer_name=item.get("timerName"),
            timer_due_at=item.get("timerDueAt"),
            placed_fingerprint=item.get("placedFingerprint"),
            placed_at=datetime.fromisoformat(item["placedAt"]) if item.get("placedAt") else None,
            applied=applied,
            arrived=int(item.get("arrived", 0)),
            accounted=int(item.get("accounted", 0)),
            fired_timers=frozenset(item.get("firedTimers", ())),
        )

    # -- catalog requests (not orders: no timeline, one follow-up) ---------------------------------
    def put_catalog_request(self, request: CatalogRequested, event_id: str, now: datetime) -> datetime | None:
        """Record a catalog request: when it was first received, if this event is its record (new, or the same
        event again: Lambda's retry of an invocation that failed after storing it, a redelivery); None when
        another event recorded this requestId before."""
        stored = update_if(
            self._name,
            Key={"pk": catalog_pk(request.request_id), "sk": "REQUEST"},
            UpdateExpression="SET requestId = :r, #q = :q, eventId = :e, receivedAt = if_not_exists(receivedAt, :now)",
            ConditionExpression="attribute_not_exists(pk) OR eventId = :e",
            ExpressionAttributeNames={"#q": "request"},
            ExpressionAttributeValues={
                ":r": request.request_id,
                ":q": request.model_dump_json(by_alias=True),
                ":e": event_id,
                ":now": now.isoformat(),
            },
            ReturnValues="ALL_NEW",
        )
        return None if stored is None else datetime.fromisoformat(str(stored["receivedAt"]))

    def get_catalog_request(self, request_id: str) -> CatalogRequested | None:
        item = get_item(self._name, {"pk": catalog_pk(request_id), "sk": "REQUEST"}, ConsistentRead=True)
        return CatalogRequested.model_validate_json(item["request"], context=STORED) if item else None

    # -- sku batch delays: how many customers were told -------------------------------------------
    # The slices count the open orders they reach (in memory, carried from one slice to the next in the
    # continuation: no write per order or group on this one item, which every woken step also writes), and the
    # last slice closes the fan-out with the total (``close_batch``): the report goes to ops once the fan-out is
    # closed and every order counted has reported its outcome, whichever comes last, by the one writer that sets
    # ``reported``.
    # A summary written before slicing (no ``fanOut``) was counted up front: it reports when the counts meet.
    def open_batch(self, event_id: str, sku: str, reason: str | None, now: datetime) -> str:
        """Record a sku delay whose fan-out begins; on a redelivery keep the record. Returns how the fan-out
        stands: ``"open"`` (new, or still under way), ``"closed"`` (done before), ``"counted"`` (an older
        record, counted up front: its orders must not be counted again)."""
        item = {
            "pk": batch_pk(event_id),
            "sk": "SUMMARY",
            "sku": sku,
            "reason": reason or "",
            "targeted": 0,
            "told": 0,
            "absorbed": 0,
            "fanOut": "open",
            "openedAt": now.isoformat(),
        }
        if put_if_absent(self._name, item):
            return "open"
        return self.batch_fan_out(event_id) or "counted"

    def close_batch(self, event_id: str, targeted: int) -> dict[str, Any] | None:
        """The fan-out is done: it reached ``targeted`` open orders (counted by the slices and carried from one to
        the next). Returns the summary when every one of them has reported already (then the caller reports it).
        Only the first close counts: a second chain of the same delay (a redelivery) finds it closed."""
        item = update_if(
            self._name,
            Key={"pk": batch_pk(event_id), "sk": "SUMMARY"},
            UpdateExpression="SET fanOut = :closed, targeted = :n",
            ConditionExpression="fanOut = :open",
            ExpressionAttributeValues={":closed": "closed", ":open": "open", ":n": targeted},
            ReturnValues="ALL_NEW",
        )
        return self._report_once(event_id, _batch_summary(item) if item is not None else None)

    def batch_fan_out(self, event_id: str) -> str | None:
        """How a sku delay's fan-out stands (``"open"``, ``"closed"``, ``"counted"``); None: no such delay was opened
        (a continuation of it is not Outreach's own)."""
        found = get_item(self._name, {"pk": batch_pk(event_id), "sk": "SUMMARY"}, ConsistentRead=True)
        return str(found.get("fanOut", "counted")) if found is not None else None

    def _report_once(self, event_id: str, summary: dict[str, Any] | None) -> dict[str, Any] | None:
        """The summary to whichever write first finds the batch complete: closing it or counting an outcome."""
        if summary is None:
            return None
        won = update_if(
            self._name,
            Key={"pk": batch_pk(event_id), "sk": "SUMMARY"},
            UpdateExpression="SET reported = :t",
            ConditionExpression="attribute_not_exists(reported)",
            ExpressionAttributeValues={":t": True},
            ReturnValues="NONE",
        )
        return summary if won is not None else None

    def count_batch_outcome(self, event_id: str, told: bool) -> dict[str, Any] | None:
        """Count one order's outcome; returns the summary once, to the step that completes a closed fan-out."""
        field = "told" if told else "absorbed"
        item = update_if(
            self._name,
            Key={"pk": batch_pk(event_id), "sk": "SUMMARY"},
            UpdateExpression="ADD #f :one",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeNames={"#f": field},
            ExpressionAttributeValues={":one": 1},
            ReturnValues="ALL_NEW",
        )
        return self._report_once(
            event_id, _batch_summary(item) if item is not None and item.get("fanOut") != "open" else None
        )

    # -- inbox ---------------------------------------------------------------------------------------
    def put_inbox(self, order_id: str, event: InboundEvent) -> bool:
        """Store an event for the execution. False when this event id was seen before (a redelivery).

        The ``EVENT#<id>`` item is the inbox entry and the dedupe marker at once: it stays after the event was
        applied (the STATE item's ``applied`` says it was), so a redelivery is recognised at any time.
        """
        item = {
            "pk": order_pk(order_id),
            "sk": f"{EVENT_PREFIX}{event.event_id}",
            "event": event.model_dump_json(by_alias=True),
        }
        return put_if_absent(self._name, item)

    # -- the wait token: exactly one of intake / the parking wait claims it -------------------------
    def park(self, order_id: str, token: str, waiting_for: str) -> bool:
        """Store the wait token, only if no event arrived since the last step (``arrived`` = ``accounted``) and
        the order's phase is ``waiting_for``. False (nothing stored) otherwise: the caller advances the order.

        The state machine's "Waiting for ..." states make this very write themselves (``park_request``); this
        method serves the timeline function's older wait entry point (executions started before that)."""
        try:
            client("dynamodb").update_item(**park_request(self._name, order_id, token, waiting_for))
        except ClientError as exc:
            if error_code(exc) in CONDITION_FAILED:
                return False
            raise
        return True

    def announce(self, order_id: str) -> Announcement:
        """Announce a stored event (``arrived`` + 1) and take the wait token, only on an order that exists and is
        not finished, in one write that also says what the order is: the STATE item as it was, on success and
        (``ReturnValuesOnConditionCheckFailure``) when the condition was false. No read before it."""
        values = {":one": {"N": "1"}} | {f":f{i}": {"S": s} for i, s in enumerate(FINISHED_RUN_STATUSES)}
        finished = ", ".join(f":f{i}" for i in range(len(FINISHED_RUN_STATUSES)))
        try:
            answer = client("dynamodb").update_item(
                TableName=self._name,
                Key={"pk": {"S": order_pk(order_id)}, "sk": {"S": "STATE"}},
                UpdateExpression="ADD arrived :one REMOVE waitToken",
                ConditionExpression=f"attribute_exists(pk) AND NOT runStatus IN ({finished})",
                ExpressionAttributeValues=values,
                ReturnValues="ALL_OLD",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            if error_code(exc) not in CONDITION_FAILED:
                raise
            item = exc.response.get("Item")
            return Announcement(_standing(item if isinstance(item, dict) else None), announced=False)
        old = answer.get("Attributes", {})
        token = old.get("waitToken", {}).get("S")
        return Announcement(_standing({"pk": {"S": order_pk(order_id)}, **old}), announced=True, token=token)

    def forget_event(self, order_id: str, event_id: str) -> bool:
        """Remove an event stored for an order that does not exist, only while it still does not (one transaction
        with a check of the STATE item): no step of the order can have read it. False: the order was registered
        meanwhile; the event stays stored for it (announce it)."""
        key = {"pk": {"S": order_pk(order_id)}}
        try:
            _again_on_conflict(
                lambda: client("dynamodb").transact_write_items(
                    TransactItems=[
                        {
                            "ConditionCheck": {
                                "TableName": self._name,
                                "Key": {**key, "sk": {"S": "STATE"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                        {"Delete": {"TableName": self._name, "Key": {**key, "sk": {"S": f"{EVENT_PREFIX}{event_id}"}}}},
                    ]
                )
            )
        except ClientError as exc:
            reasons = exc.response.get("CancellationReasons", [])
            if error_code(exc) == "TransactionCanceledException" and any(
                r.get("Code") == "ConditionalCheckFailed" for r in reasons
            ):
                return False
            raise
        return True

    def claim_timer(self, order_id: str, due: str) -> tuple[bool, str | None]:
        """Announce that the order's armed timer (due at ``due``, a ``timer_key``) fired, and take the wait token
        if the execution is parked, in one write: (announced, token).

        Only the timer the order has armed counts: a timer the order replaced or disarmed, one of a finished or
        unknown order, and a redelivery after a step read the fire (the step re-armed or forgot it) are not
        announced: (False, None). The fire is added to ``firedTimers`` (a set: a redelivery before the step
        adds nothing), which the step reads and clears (``save_step``)."""
        old = update_if(
            self._name,
            Key={"pk": order_pk(order_id), "sk": "STATE"},
            UpdateExpression="ADD arrived :one, firedTimers :fired REMOVE waitToken",
            ConditionExpression="timerDueAt = :due",
            ExpressionAttributeValues={":one": 1, ":fired": {due}, ":due": due},
            ReturnValues="ALL_OLD",
        )
        return (False, None) if old is None else (True, old.get("waitToken"))

    # -- one timeline step, atomically -----------------------------------------------------------
    def save_step(
        self,
        record: OrderRecord,
        decision: Decision,
        consumed: list[str],
        *,
        phase: str,
        timer: tuple[str, str] | None,
        accounted: int,
    ) -> None:
        """Save the step's new state (with its quotes), the events it applied (``consumed``: their ids), its
        ``phase``, the order's armed ``timer`` (name, due; None: none) and how many announced events it
        ``accounted`` for.

        One write of the STATE item, conditional on its version: a retried or concurrent step fails instead of
        applying events twice. A step that finishes the order is also conditional on nothing announced since it
        read the order (``arrived`` as read): no event is left unread by an order that ends, so the answer to it
        is never "ignored" because it came in the instant the order finished (``ArrivedMeanwhile``, and the
        step runs again). An announcement refused because the order had finished (``announce``) is the other
        side of the same line: every event is either applied or refused as for a finished order.
        """
        state = decision.state
        pk = order_pk(record.order_id)
        applied = record.applied | {event_digest(event_id) for event_id in consumed}
        values: dict[str, Any] = {
            ":state": {"B": pack_state(state)} if state else {"NULL": True},
            ":rs": {"S": decision.run_status},
            ":applied": {"B": b"".join(sorted(applied))},
            ":v0": {"N": str(record.version)},
            ":v1": {"N": str(record.version + 1)},
            ":ph": {"S": phase},
            ":acc": {"N": str(accounted)},
        }
        sets = "SET #s = :state, runStatus = :rs, applied = :applied, version = :v1, #ph = :ph, accounted = :acc"
        if timer is not None:
            values.update({":tn": {"S": timer[0]}, ":td": {"S": timer[1]}})
            sets += ", timerName = :tn, timerDueAt = :td"
        forget = ""
        if record.fired_timers:  # the timer fires this step read; one announced since stays for the next step
            values[":fired"] = {"SS": sorted(record.fired_timers)}
            forget = " DELETE firedTimers :fired"
        condition = "version = :v0"
        finishing = decision.run_status in FINISHED_RUN_STATUSES
        if finishing:
            values[":seen"] = {"N": str(record.arrived)}
            condition += " AND " + (
                "(attribute_not_exists(arrived) OR arrived = :seen)" if not record.arrived else "arrived = :seen"
            )
        update: dict[str, Any] = {
            "TableName": self._name,
            "Key": {"pk": {"S": pk}, "sk": {"S": "STATE"}},
            "UpdateExpression": sets + (" REMOVE timerName, timerDueAt" if timer is None else "") + forget,
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#s": "state", "#ph": "phase"},
            "ExpressionAttributeValues": values,
        }
        if finishing:
            update["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
        try:
            client("dynamodb").update_item(**update)
        except ClientError as exc:
            old = exc.response.get("Item") if finishing and error_code(exc) in CONDITION_FAILED else None
            if isinstance(old, dict) and old.get("version", {}).get("N") == str(record.version):
                raise ArrivedMeanwhile(
                    f"order {record.order_id!r}: an event was announced as the step finished it"
                ) from exc
            raise

    def release_skus(self, order_id: str, skus: list[str]) -> None:
        for sku in sorted(set(skus)):
            delete_item(self._name, {"pk": f"SKU#{sku}", "sk": order_pk(order_id)})

    def quotes(self, order_id: str) -> list[dict[str, str]]:
        """The promise ledger: every quote (time, date, reason, causing event), oldest first."""
        record = self.get(order_id)
        return promise_ledger(record.state if record is not None else None)
