"""Every patch of moto's private internals the simulator needs, in one place (moto is pinned exactly).

Always installed by ``patched()``:

1. Lambda: ``LambdaFunction._invoke_lambda`` runs the real handler in-process instead of in docker.
2. Quiescence: the simulator may only move the virtual clock when every running execution is parked
   on a task token (``CallbackEndpoint.wait``) or has ended. Execution threads are counted busy from
   ``ExecutionWorker.start`` (in the caller's thread, before the thread runs) until their logic returns;
   parking subtracts one, and whoever completes a parked token adds one back *before* waking it.
   Nothing here depends on real time: no polling, and a real-time watchdog only reports a stuck run.
3. Speed: the boto3 client moto builds for every Lambda task is cached per region and service.
4. Retry backoff (``time.sleep`` in the retrier) does not sleep real time.
5. Consistency: moto's backends are not thread-safe, and executions run in threads of their own; every
   mocked AWS call is serialised with one re-entrant lock (a Lambda invoke holds it while its handler
   runs, so the handler's own AWS calls re-enter it). A real service is consistent per request too.
6. DynamoDB transactions: moto deep-copies every table a transaction touches, once per item, to be able
   to roll back; that makes long runs quadratic. Here only the items the transaction touches are
   snapshotted and restored on failure: the same all-or-nothing result at the cost of those items.

Fast paths, installed unless ``patched(fast=False)`` (``runner.run(fast=False)``); each gives the same
results as plain moto, which ``tests/simulation/test_fast_path_parity.py`` checks on every example:

7. DynamoDB Query: ``Table.query`` looks at the queried partition only (moto sorts the whole table on
   every call, which made long runs quadratic); moto's own sorting, paging and filtering still run.
8. ASL: ``AmazonStateLanguageParser.parse`` is cached per definition text. The evaluation components
   hold no per-execution state (that lives in each execution's ``Environment``), so executions share
   one parsed program; their lazily assigned heap keys are assigned once, at parse time.
9. JSONPath: the ``parse`` functions of ``asl/utils/json_path.py`` and ``common/path/result_path.py``
   are cached per path text (jsonpath-ng builds a parser for every call).
10. ``executions_in_memory`` reads executions and their history events from moto's backend instead of
    paging ``GetExecutionHistory`` (not a patch: a reader used while the system is quiescent).
"""

from __future__ import annotations

import copy
import functools
import json
import threading
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from moto.awslambda.models import LambdaFunction
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table as DynamoTable
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

Handler = Callable[[dict[str, Any], Any], Any]
MOTO_VERSION = "5.2.5"


class SimulationStuck(RuntimeError):
    pass


@dataclass
class HandlerError:
    function: str
    error_type: str
    message: str


@dataclass
class Quiescence:
    """Counts execution threads that are doing something (not parked on a token, not ended)."""

    busy: int = 0
    executions_started: int = 0
    progress: int = 0  # mocked AWS calls so far: a run that makes none for a while is stuck, not slow
    cond: threading.Condition = field(default_factory=threading.Condition)

    def add(self, n: int = 1) -> None:
        with self.cond:
            self.busy += n
            self.cond.notify_all()

    def wait_idle(self, watchdog_seconds: float) -> None:
        """Block until every execution is parked or ended; raise if nothing moves for ``watchdog_seconds``."""
        with self.cond:
            while self.busy != 0:
                seen = self.progress
                if not self.cond.wait_for(lambda: self.busy == 0, timeout=watchdog_seconds) and self.progress == seen:
                    raise SimulationStuck(
                        f"{self.busy} execution(s) made no progress for {watchdog_seconds:.0f} s of real time: "
                        "something blocks outside the virtual clock (see the handler log)"
                    )


@dataclass
class Runtime:
    handlers: dict[str, Handler]
    quiescence: Quiescence = field(default_factory=Quiescence)
    lambda_invocations: int = 0
    errors: list[HandlerError] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fast: bool = True


_active: Runtime | None = None


@dataclass
class _FakeContext:
    function_name: str
    memory_limit_in_mb: int
    invoked_function_arn: str
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = "/aws/lambda/simulated"
    log_stream_name: str = "simulated"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    runtime = _active
    handler = runtime.handlers.get(self.function_name) if runtime else None
    if runtime is None or handler is None:
        return _original_invoke(self, event)
    with runtime.lock:
        runtime.lambda_invocations += 1
        request_id = f"sim-{runtime.lambda_invocations:08d}"
    if isinstance(event, str | bytes):
        event = json.loads(event or "{}")
    context = _FakeContext(self.function_name, int(self.memory_size or 128), self.function_arn, request_id)
    try:
        result = handler(event, context)
    except Exception as exc:
        with runtime.lock:
            runtime.errors.append(HandlerError(self.function_name, type(exc).__name__, str(exc)))
        payload = {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_exc().splitlines(),
        }
        return json.dumps(payload), True, ""
    return json.dumps(result, default=str), False, ""


def _callback_wait(self: CallbackEndpoint, timeout: float | None = None) -> Any:
    runtime = _active
    if runtime is None:
        return _original_callback_wait(self, timeout)
    q = runtime.quiescence
    with q.cond:
        if self._notify_event.is_set():
            return self._outcome
        self._sim_parked = True  # type: ignore[attr-defined]
        q.busy -= 1
        q.cond.notify_all()
    self._notify_event.wait(timeout=timeout)
    return self._outcome


def _unpark(endpoint: CallbackEndpoint) -> None:
    runtime = _active
    if runtime is not None and getattr(endpoint, "_sim_parked", False):
        endpoint._sim_parked = False  # type: ignore[attr-defined]
        runtime.quiescence.busy += 1


def _callback_notify(self: CallbackEndpoint, outcome: Any) -> None:
    runtime = _active
    if runtime is None:
        return _original_callback_notify(self, outcome)
    with runtime.quiescence.cond:
        self._outcome = outcome
        _unpark(self)
        self._notify_event.set()
    if self._heartbeat_endpoint:
        self._heartbeat_endpoint.notify()
    return None


def _callback_interrupt_all(self: CallbackEndpoint) -> None:
    runtime = _active
    if runtime is None:
        return _original_interrupt_all(self)
    with runtime.quiescence.cond:
        _unpark(self)
    return _original_interrupt_all(self)


def _worker_start(self: ExecutionWorker) -> None:
    runtime = _active
    if runtime is not None:
        runtime.quiescence.add(1)
        runtime.quiescence.executions_started += 1
    _original_worker_start(self)


def _worker_logic(self: ExecutionWorker) -> None:
    runtime = _active
    try:
        _original_worker_logic(self)
    finally:
        if runtime is not None:
            runtime.quiescence.add(-1)


_aws_lock = threading.RLock()


def _serialised_aws_call(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
    with _aws_lock:
        if _active is not None:
            _active.quiescence.progress += 1
        return _original_stubber_call(self, event_name, request, **kwargs)


class _NoTableCopies:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend: tables are not copied."""

    @staticmethod
    def deepcopy(obj: Any, memo: Any = None) -> Any:
        return obj if isinstance(obj, DynamoTable) else copy.deepcopy(obj, memo)

    copy = staticmethod(copy.copy)


def _touched_items(backend: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    snapshots = []
    for entry in transact_items:
        _, op = next(iter(entry.items()))
        table = backend.tables.get(op.get("TableName"))
        attrs = op.get("Item") or op.get("Key") or {}
        if table is None or table.hash_key_attr not in attrs:
            continue
        hash_key = DynamoType(attrs[table.hash_key_attr])
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr in attrs else None
        bucket = table.items.get(hash_key)
        current = (bucket or {}).get(range_key) if table.has_range_key else bucket
        snapshots.append((table, hash_key, range_key, copy.deepcopy(current)))
    return snapshots


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    snapshots = _touched_items(self, transact_items)
    try:
        _original_transact(self, transact_items)
    except Exception:
        for table, hash_key, range_key, item in reversed(snapshots):
            if not table.has_range_key:
                if item is None:
                    table.items.pop(hash_key, None)
                else:
                    table.items[hash_key] = item
            elif item is None:
                table.items.get(hash_key, {}).pop(range_key, None)
            else:
                table.items[hash_key][range_key] = item
        raise


@functools.cache
def _cached_client(region: str, service: str) -> Any:
    return _original_boto_client_for(region=region, service=service)


def _boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    return _cached_client(region, service)


# -- fast paths 7-10 (``patched(fast=True)``); each gives the same results as plain moto --------------
def _partition_query(self: DynamoTable, hash_key: DynamoType | None, *args: Any, **kwargs: Any) -> Any:
    """``Table.query`` on the base table looks at the queried partition only.

    moto builds its candidates from ``all_items()`` (every item of the table, sorted) and keeps those of
    the partition; here ``all_items`` answers with the partition alone for the duration of the call. moto
    then sorts, pages, filters and projects exactly as before (it re-sorts the candidates by sort key).
    """
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    if index_name is not None or hash_key is None:
        return _original_query(self, hash_key, *args, **kwargs)
    bucket = self.items.get(hash_key)  # .get: ``items`` is a defaultdict
    if bucket is None:
        partition: list[Any] = []
    elif self.range_key_attr:
        partition = list(bucket.values())
    else:
        partition = [bucket]
    self.all_items = lambda: partition  # type: ignore[method-assign]
    try:
        return _original_query(self, hash_key, *args, **kwargs)
    finally:
        del self.all_items


def _warm_heap_keys(root: Any) -> None:
    """Give every component of a parsed program its heap key now: ``EvalComponent.heap_key`` is assigned
    lazily (check-then-set), which is racy once several executions share one program."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, EvalComponent):
            _ = obj.heap_key
        if isinstance(obj, Component):
            stack.extend(vars(obj).values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif isinstance(obj, dict):
            stack.extend(obj.values())


@functools.lru_cache(maxsize=16)
def _parse_asl_cached(definition: str) -> tuple[Any, Any]:
    program, tree = _original_asl_parse(definition)
    _warm_heap_keys(program)
    return program, tree


def _parse_asl(definition: str) -> tuple[Any, Any]:
    """ANTLR parses a definition once: the evaluation components moto builds from it hold no per-execution
    state (everything an execution changes lives in its ``Environment``), so executions can share them."""
    return _parse_asl_cached(definition)


_jsonpath_ext_parse = functools.lru_cache(maxsize=1024)(json_path.parse)
_jsonpath_parse = functools.lru_cache(maxsize=1024)(result_path.parse)


def executions_in_memory(state_machine_arn: str, region: str) -> Iterator[tuple[str, str, list[str]]]:
    """(input, status, history event types) of every execution, read from moto's Step Functions backend
    instead of paging ``GetExecutionHistory`` (which deep-copies and serialises every event). Only while
    quiescent: the lists are moto's own."""
    from moto.stepfunctions.responses import get_backend

    backend: Any = get_backend(DEFAULT_ACCOUNT_ID, region)  # the parser backend (execute_state_machine)
    for execution in backend.describe_state_machine(state_machine_arn).executions:
        env = execution.exec_worker.env
        events = env.event_manager._history_event_list if env is not None else []
        yield execution.execution_input, execution.status, [event["type"] for event in events]


_original_invoke = LambdaFunction._invoke_lambda
_original_stubber_call = BotocoreStubber.__call__
_original_transact = DynamoDBBackend.transact_write_items
_original_callback_wait = CallbackEndpoint.wait
_original_callback_notify = CallbackEndpoint.notify
_original_interrupt_all = CallbackEndpoint.interrupt_all
_original_worker_start = ExecutionWorker.start
_original_worker_logic = ExecutionWorker._execution_logic
_original_boto_client_for = moto_boto_client.boto_client_for
_original_query = DynamoTable.query
_original_asl_parse = AmazonStateLanguageParser.parse
_no_sleep_time = types.SimpleNamespace(sleep=lambda seconds: None)

_PATCHES: list[tuple[Any, str, Any]] = [
    (LambdaFunction, "_invoke_lambda", _invoke_in_process),
    (CallbackEndpoint, "wait", _callback_wait),
    (CallbackEndpoint, "notify", _callback_notify),
    (CallbackEndpoint, "interrupt_all", _callback_interrupt_all),
    (ExecutionWorker, "start", _worker_start),
    (ExecutionWorker, "_execution_logic", _worker_logic),
    (lambda_eval_utils, "boto_client_for", _boto_client_for),
    (retrier_decl, "time", _no_sleep_time),
    (BotocoreStubber, "__call__", _serialised_aws_call),
    (DynamoDBBackend, "transact_write_items", _transact_write_items),
    (dynamodb_models, "copy", _NoTableCopies),
]

_FAST_PATCHES: list[tuple[Any, str, Any]] = [
    (DynamoTable, "query", _partition_query),
    (AmazonStateLanguageParser, "parse", staticmethod(_parse_asl)),
    (json_path, "parse", _jsonpath_ext_parse),
    (result_path, "parse", _jsonpath_parse),
]


@contextmanager
def patched(handlers: dict[str, Handler], *, fast: bool = True) -> Iterator[Runtime]:
    """Install the patches for one simulation run; restores moto exactly afterwards."""
    global _active
    if _active is not None:
        raise RuntimeError("one simulation at a time per process")
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise RuntimeError(f"the simulator patches moto {MOTO_VERSION} internals, found moto {moto.__version__}")
    runtime = Runtime(handlers=handlers, fast=fast)
    patches = _PATCHES + (_FAST_PATCHES if fast else [])
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    _active = runtime
    try:
        yield runtime
    finally:
        _active = None
        for owner, name, original in saved:
            setattr(owner, name, original)
        _cached_client.cache_clear()
