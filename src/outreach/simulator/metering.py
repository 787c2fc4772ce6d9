"""What the deployed code would call and what DynamoDB would bill, counted while a scenario runs.

Counted (``Metering``), as AWS would see them in a deployed stack:

- **AWS calls** the deployed code makes: every botocore call made while a Lambda handler runs (its own calls),
  and every call of the state machine's service integrations (the clients moto's Step Functions interpreter
  uses for ``lambda:invoke``, ``sns:publish`` and AWS SDK tasks: the waits' ``aws-sdk:dynamodb:updateItem``,
  marked in ``moto_runtime``). The simulator's own calls (building the world, delivering an event as the
  EventBridge rule would, deleting a fired schedule as Scheduler's ``ActionAfterCompletion`` does, reading back
  the results) are not counted.
- **DynamoDB write and read request units**, per item and size, as DynamoDB on-demand bills them
  (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
  a write is 1 WRU per started KB of the larger of the item before and after it (a delete: the item deleted;
  minimum 1); a write whose condition is false still costs the size of the existing item (minimum 1); each item
  of ``TransactWriteItems`` (``ConditionCheck`` included) costs 2 WRU per started KB, also when the transaction
  is cancelled; items of ``BatchWriteItem`` cost as single writes. A read is 1 RRU per started 4 KB when
  strongly consistent, half when eventually consistent; a Query or Scan sums the sizes of the items it read
  before rounding. Item sizes follow
  https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
  (names + values; numbers 1 byte per two significant digits + 1; lists and maps 3 bytes + 1 per element).
- **Lambda invocations** per function, with an estimate of each invocation's billed duration: the handler's
  own time in this process (wall time minus the time spent inside its AWS calls; a loaded machine inflates
  it, so this errs on the expensive side) plus ``CALL_LATENCY_MS`` per AWS call it makes (a real call crosses
  the network; a mocked one does not). Wall time, not ``time.thread_time``: reading a thread's CPU clock is a
  system call that cost ~1.6 ms here, several per AWS call.
- **Log bytes** the handlers write (CloudWatch Logs ingestion; metrics are embedded in the logs, EMF).

Counting never changes what a run does: the wrappers only observe (``tests/simulation/test_metering.py``).

Fast path 101: a write looks its item up before it runs and, for a PutItem or an UpdateItem that answered without an
error, takes the item stored after it from what it knows (the item PutItem answers; the very item UpdateItem changed in
place) instead of looking it up again; anything else (an error, an UpdateItem that made a new item, a delete) is looked
up. Fast path 104: an UpdateItem whose item was just read by the same key in the same call (moto's response layer reads
it, ``backend.get_item(name, key)``, then calls ``backend.update_item(name, key, ...)``) takes the item that read found
(what the look-up would find: the same table, key and steps, and every write in between clears what was read).
``tests/simulation/test_metering.py`` compares the units with the look-ups' over random writes around 1 KB.
"""

from __future__ import annotations

import base64
import functools
import math
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from botocore.client import BaseClient
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_sns

from outreach.simulator.patching import installed

#: Assumed network latency of one AWS call from a Lambda function (DynamoDB, SNS, Scheduler, Step Functions
#: in the same region answer in single-digit milliseconds; 10 ms is on the safe side).
CALL_LATENCY_MS = 10.0
#: The lines Lambda itself writes per invocation (START, END, REPORT, with the X-Ray trace id), in bytes.
PLATFORM_LOG_BYTES = 330
#: How an SNS Publish to a phone number (an SMS) is counted in ``Metering.calls``.
SMS = "sns:Publish(SMS)"


@dataclass
class Metering:
    calls: Counter[str] = field(default_factory=Counter)  # "dynamodb:TransactWriteItems" -> count
    calls_by_origin: Counter[str] = field(default_factory=Counter)  # function name or "states" -> count
    #: (function name or "states", "service:Operation"): which caller made which kind of call (IAM needs it)
    operations_by_origin: Counter[tuple[str, str]] = field(default_factory=Counter)
    write_units: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # operation -> WRU
    read_units: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))  # operation -> RRU
    invocations: Counter[str] = field(default_factory=Counter)  # function name -> count
    events: int = 0  # events on the bus: scenario (order) events and timers delivered to intake
    timers: int = 0  # one-time schedules that fired (Scheduler invocations)
    billed_ms: float = 0.0  # estimated, all invocations
    log_bytes: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def summary(self, per: int = 1) -> dict[str, Any]:
        """Totals divided by ``per`` (orders), rounded for a report."""

        def each(value: float) -> float:
            return round(value / per, 2)

        return {
            "awsCalls": each(self.total_calls),
            "awsCallsByOperation": {k: each(v) for k, v in sorted(self.calls.items())},
            "awsCallsByCaller": {k: each(v) for k, v in sorted(self.calls_by_origin.items())},
            "dynamodbWriteUnits": each(sum(self.write_units.values())),
            "dynamodbWriteUnitsByOperation": {k: each(v) for k, v in sorted(self.write_units.items())},
            "dynamodbReadUnits": each(sum(self.read_units.values())),
            "eventBridgeEvents": each(self.events),
            "schedulerInvocations": each(self.timers),
            "lambdaInvocations": each(sum(self.invocations.values())),
            "lambdaInvocationsByFunction": {k: each(v) for k, v in sorted(self.invocations.items())},
            "lambdaBilledMs": each(self.billed_ms),
            "logBytes": each(self.log_bytes + PLATFORM_LOG_BYTES * sum(self.invocations.values())),
        }


# -- item sizes, as DynamoDB counts them ---------------------------------------------------------------
def _number_size(text: str) -> int:
    digits = Decimal(text).normalize().as_tuple().digits
    return (len(digits) + 1) // 2 + 1


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one attribute value in DynamoDB JSON (``{"S": "..."}``)."""
    (kind, raw), *_ = value.items()
    if kind == "S":
        return len(raw.encode())
    if kind == "N":
        return _number_size(raw)
    if kind == "B":
        return len(raw) * 3 // 4 if isinstance(raw, str) else len(raw)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(v.encode()) for v in raw)
    if kind == "NS":
        return sum(_number_size(v) for v in raw)
    if kind == "BS":
        return sum(len(v) * 3 // 4 for v in raw)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in raw)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in raw.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: Any) -> int:
    """Bytes of a moto item (or 0 for no item): ``value_size`` of each attribute of ``item.to_json()``, read
    from moto's values in place (``to_json`` deep-copies every map and list of the item, before and after
    every write)."""
    if item is None:
        return 0
    total = 0
    for name, value in item.attrs.items():  # text and numbers (most attributes) measured here, the rest below
        total += len(name) if name.isascii() else len(name.encode())
        kind = value.type
        if kind == "S":
            raw = value.value
            total += len(raw) if raw.isascii() else len(raw.encode())
        elif kind == "N":
            total += _number_size_cached(value.value)
        else:
            total += _stored_size(value, nested=False)
    return total


@functools.lru_cache(maxsize=4096)
def _number_size_cached(text: str) -> int:
    return _number_size(text)


def _stored_size(value: Any, nested: bool) -> int:
    """``value_size`` of a moto ``DynamoType`` as ``Item.to_json`` renders it: the item's own attributes as
    stored, values inside maps and lists as ``to_regular_json`` renders them (binary values decoded)."""
    kind, raw = value.type, value.value
    if kind == "S":
        return len(raw) if raw.isascii() else len(raw.encode())
    if kind == "N":
        return _number_size_cached(raw)
    if kind == "B":
        if nested and isinstance(raw, str):
            raw = base64.b64decode(raw)
        return len(raw) * 3 // 4 if isinstance(raw, str) else len(raw)
    if kind == "L":  # loops, not generators: an item's nested values are measured twice per write
        total = 3
        for member in raw:
            total += _stored_size(member, True) + 1
        return total
    if kind == "M":
        total = 3
        for key, member in raw.items():
            total += (len(key) if key.isascii() else len(key.encode())) + _stored_size(member, True) + 1
        return total
    return value_size({kind: raw})  # BOOL, NULL and the sets: their values are stored as they are rendered


def _write_units(size: int) -> int:
    return max(1, math.ceil(size / 1024))


def _read_units(size: int, consistent: bool) -> float:
    units = max(1, math.ceil(size / 4096))
    return float(units) if consistent else units / 2


# -- the hooks ---------------------------------------------------------------------------------------
_active: Metering | None = None


class _ThreadState(threading.local):
    """Per thread: ``frames`` (the handler invocations running), ``call`` (the metered call being answered),
    ``in_transaction``, and ``looked_up`` (fast path 104: the item the last metered ``get_item`` of this thread found,
    with the call, backend, table name and key it was read by). Fast path 106: ``call``, ``in_transaction`` and
    ``looked_up`` have class defaults (what ``getattr(local, name, default)`` answered), so the wrappers of every
    backend read and write read them directly, without the ``AttributeError`` a ``threading.local`` raises and catches
    for an attribute its thread never set (no transaction runs in a happy order: ``in_transaction`` is never set), and
    a query's items are summed in a loop instead of a generator."""

    call: tuple[str, Any] | None = None
    in_transaction = False
    looked_up: tuple[Any, ...] | None = None


_local = _ThreadState()


@dataclass
class _Frame:
    function: str
    started: float
    in_calls: float = 0.0
    calls: int = 0


def _frames() -> list[_Frame]:
    frames: list[_Frame] | None = getattr(_local, "frames", None)
    if frames is None:
        frames = _local.frames = []
    return frames


@contextmanager
def in_function(name: str) -> Iterator[None]:
    """Around one handler invocation (``moto_runtime._invoke_in_process``): its AWS calls are its own."""
    meter = _active
    if meter is None:
        yield
        return
    frames = _frames()
    frame = _Frame(name, time.perf_counter())
    frames.append(frame)
    try:
        yield
    finally:
        frames.pop()
        own_ms = max(0.0, (time.perf_counter() - frame.started - frame.in_calls) * 1000)
        with meter.lock:
            meter.invocations[name] += 1
            meter.billed_ms += math.ceil(own_ms + CALL_LATENCY_MS * frame.calls)


def calls_so_far() -> int:
    """AWS calls the handler running in this thread has made so far in its invocation (0 outside one): what the
    simulated Lambda context's remaining time counts down by (``moto_runtime._FakeContext``)."""
    frames = _frames()
    return frames[-1].calls if frames else 0


def mark_state_machine_client(client: Any) -> Any:
    """A client moto's Step Functions interpreter calls AWS with: its calls are service integrations."""
    client._sim_state_machine = True
    return client


def _marked(factory: Callable[..., Any]) -> Callable[..., Any]:
    def make(*args: Any, **kwargs: Any) -> Any:
        return mark_state_machine_client(factory(*args, **kwargs))

    return make


class CountingWriter:
    """A text sink that counts the bytes the handlers log (CloudWatch Logs ingestion)."""

    def __init__(self, sink: Any) -> None:
        self._sink = sink

    def write(self, data: str) -> int:
        meter = _active
        if meter is not None and frames_active():
            meter.log_bytes += len(data.encode())
        return int(self._sink.write(data))

    def flush(self) -> None:
        self._sink.flush()


def frames_active() -> bool:
    return bool(_frames())


def _metered_call(inner: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: BaseClient, operation_name: str, api_params: dict[str, Any]) -> Any:
        meter = _active
        frames = _frames()
        if meter is None:
            return inner(self, operation_name, api_params)
        if frames:
            origin = frames[-1].function
        elif getattr(self, "_sim_state_machine", False):
            origin = "states"
        else:
            return inner(self, operation_name, api_params)  # the simulator's own call
        name = f"{self.meta.service_model.service_name}:{operation_name}"
        if name == "sns:Publish" and "PhoneNumber" in api_params:
            name = SMS  # a text message to a customer, priced apart from the ops topic's publishes
        with meter.lock:
            meter.calls[name] += 1
            meter.calls_by_origin[origin] += 1
            meter.operations_by_origin[origin, name] += 1
        outer = getattr(_local, "call", None)
        _local.call = (operation_name, _consistency(operation_name, api_params))
        started = time.perf_counter()
        try:
            return inner(self, operation_name, api_params)
        finally:
            _local.call = outer
            if frames:
                frames[-1].in_calls += time.perf_counter() - started
                frames[-1].calls += 1

    return call


def _current_operation() -> str | None:
    call = _local.call  # (class defaults: no AttributeError raised and caught for a thread that never set one)
    if call is None or _local.in_transaction:
        return None
    return str(call[0])


def _key_of(table: Any, attrs: dict[str, Any]) -> dict[str, Any]:
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr and table.range_key_attr in attrs:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _stored(backend: DynamoDBBackend, table_name: str, key: dict[str, Any]) -> Any:
    table = backend.get_table(table_name)
    hash_key, range_key = backend.get_keys_value(table, key)
    return table.get_item(hash_key, range_key)


def _count_write(operation: str, units: float) -> None:
    meter = _active
    if meter is not None:
        with meter.lock:
            meter.write_units[operation] += units


def _count_read(operation: str, units: float) -> None:
    meter = _active
    if meter is not None:
        with meter.lock:
            meter.read_units[operation] += units


def _single_write(
    method: Callable[..., Any],
    key_from: Callable[[Any, tuple[Any, ...], dict[str, Any]], Any],
    stored_after: Callable[[Any, Any], Any] | None = None,
) -> Any:
    """A write billed by the larger of its item before and after. ``stored_after(item before, answer)``: the item stored
    after a write that answered without an error, known without looking it up again (fast path 101), or ``_LOOK_UP``."""

    def write(self: DynamoDBBackend, table_name: str, *args: Any, **kwargs: Any) -> Any:
        looked_up = _local.looked_up
        _local.looked_up = None  # (fast path 104: a write makes any item read before it stale)
        operation = _current_operation()
        if operation is None:
            return method(self, table_name, *args, **kwargs)
        key = (args[0] if args else kwargs.get("key")) if key_from is _key_arg else None
        found: Any = _LOOK_UP
        if (
            looked_up is not None
            and key is not None
            and looked_up[0] is _local.call
            and looked_up[1] is self
            and looked_up[2] == table_name
            and looked_up[3] is key
        ):
            found = looked_up[4]  # fast path 104: read by this very key in this call, and nothing written since
        keys: tuple[Any, Any, Any] | None = None
        if found is _LOOK_UP:
            table = self.get_table(table_name)
            hash_key, range_key = self.get_keys_value(table, key_from(table, args, kwargs))  # looked up once for both
            keys = (table, hash_key, range_key)
            found = table.get_item(hash_key, range_key)
        stored = found
        before = item_size(stored)
        answered = False
        try:
            answer = method(self, table_name, *args, **kwargs)
            answered = True
            return answer
        finally:  # a failed condition still costs the existing item's size
            after_item = stored_after(stored, answer) if answered and stored_after is not None else _LOOK_UP
            if after_item is _LOOK_UP:
                if keys is None:
                    table = self.get_table(table_name)
                    keys = (table, *self.get_keys_value(table, key_from(table, args, kwargs)))
                after_item = keys[0].get_item(keys[1], keys[2])
            _count_write(operation, _write_units(max(before, item_size(after_item))))

    return write


# -- fast path 101: the item a write stored, known without looking it up again -------------------------------------
_LOOK_UP = object()


def _updated_in_place(before: Any, answer: Any) -> Any:
    """After an UpdateItem of an item that existed: that very item. moto's ``update_item`` reads the item by the same
    key (``table.get_item``) and changes that object in place (its executors, fast path 16 likewise); it stores a new
    item only when there was none, which is looked up."""
    return before if type(before) is Item else _LOOK_UP


def _put_stored(before: Any, answer: Any) -> Any:
    """After a PutItem: the item moto's ``put_item`` answers, the one ``Table.put_item`` stored under its key."""
    return answer if type(answer) is Item else _LOOK_UP


def _transact(method: Callable[..., Any]) -> Any:
    def transact(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> Any:
        _local.looked_up = None  # (fast path 104: a write makes any item read before it stale)
        operation = _current_operation()
        if operation is None:
            return method(self, transact_items)
        touched = []
        for entry in transact_items:
            (_, op), *_ = entry.items()
            table = self.get_table(op["TableName"])
            key = _key_of(table, op.get("Item") or op["Key"])
            touched.append((op["TableName"], key, item_size(_stored(self, op["TableName"], key))))
        _local.in_transaction = True
        try:
            return method(self, transact_items)
        finally:
            _local.in_transaction = False
            for table_name, key, before in touched:
                after = item_size(_stored(self, table_name, key))
                _count_write(operation, 2 * _write_units(max(before, after)))

    return transact


#: The calls DynamoDB bills read units for. moto's own handling of a write reads the item through ``get_item``
#: too (UpdateItem's response layer does, for its return values); DynamoDB bills such a write no read units.
READ_OPERATIONS = frozenset(("GetItem", "BatchGetItem", "TransactGetItems", "Query", "Scan"))


def _consistency(operation_name: str, api_params: dict[str, Any]) -> bool | frozenset[str]:
    """Whether a call reads strongly consistently: for BatchGetItem, which tables do (each says so itself)."""
    if operation_name == "BatchGetItem":
        requests = api_params.get("RequestItems") or {}
        return frozenset(name for name, request in requests.items() if request.get("ConsistentRead"))
    return bool(api_params.get("ConsistentRead"))


def _get(method: Callable[..., Any]) -> Any:
    def get(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        item = method(self, *args, **kwargs)
        call = _local.call
        if call is not None and call[0] in READ_OPERATIONS and not _local.in_transaction:
            operation = str(call[0])
            table_name: str = args[0] if args else kwargs["table_name"]
            consistent = call[1]
            if isinstance(consistent, frozenset):  # BatchGetItem: moto reads each key with get_item(table, ...)
                consistent = table_name in consistent
            billed = item
            projected = args[2] if len(args) > 2 else kwargs.get("projection_expressions")
            if projected and item is not None:  # moto answers the projection; DynamoDB bills the whole item
                billed = _stored(self, table_name, args[1] if len(args) > 1 else kwargs["keys"])
            _count_read(operation, _read_units(item_size(billed), consistent))
        if call is not None and len(args) == 2 and not kwargs:  # fast path 104: what a write by this key finds
            _local.looked_up = (call, self, args[0], args[1], item)
        return item

    return get


def _query_or_scan(method: Callable[..., Any], consistent_at: str) -> Any:
    def read(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        call = _local.call
        if call is not None and not _local.in_transaction:
            consistent = bool(kwargs.get(consistent_at, call[1]))
            size = 0
            for item in result[0]:
                size += item_size(item)
            _count_read(str(call[0]), _read_units(size, consistent))
        return result

    return read


def _put_key(table: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return _key_of(table, args[0] if args else kwargs["item_attrs"])


def _key_arg(table: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    return args[0] if args else kwargs["key"]


@contextmanager
def metered() -> Iterator[Metering]:
    """Count while a run lasts (install inside ``moto_runtime.patched``: wraps whatever is installed then)."""
    global _active
    if _active is not None:
        raise RuntimeError("one metered run at a time per process")
    patches: list[tuple[Any, str, Any]] = [
        (BaseClient, "_make_api_call", _metered_call(BaseClient.__dict__["_make_api_call"])),
        (state_task_service_sns, "boto_client_for", _marked(state_task_service_sns.boto_client_for)),
        (DynamoDBBackend, "put_item", _single_write(DynamoDBBackend.__dict__["put_item"], _put_key, _put_stored)),
        (
            DynamoDBBackend,
            "update_item",
            _single_write(DynamoDBBackend.__dict__["update_item"], _key_arg, _updated_in_place),
        ),
        (DynamoDBBackend, "delete_item", _single_write(DynamoDBBackend.__dict__["delete_item"], _key_arg)),
        (DynamoDBBackend, "transact_write_items", _transact(DynamoDBBackend.__dict__["transact_write_items"])),
        (DynamoDBBackend, "get_item", _get(DynamoDBBackend.__dict__["get_item"])),
        (DynamoDBBackend, "query", _query_or_scan(DynamoDBBackend.__dict__["query"], "consistent_read")),
        (DynamoDBBackend, "scan", _query_or_scan(DynamoDBBackend.__dict__["scan"], "consistent_read")),
    ]
    meter = Metering()
    with installed(patches):
        _active = meter
        try:
            yield meter
        finally:
            _active = None
            _local.looked_up = None  # (fast path 104: no item, and with it no moto backend, outlives the run)
