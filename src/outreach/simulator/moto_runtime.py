"""Every patch of moto's private internals the simulator needs, in one place (moto is pinned exactly).

Always installed by ``patched()``:

1. Lambda: ``LambdaFunction._invoke_lambda`` runs the real handler in-process instead of in docker.
2. Quiescence: the simulator may only move the virtual clock when every running execution is parked
   on a task token (``CallbackEndpoint.wait``) or has ended. Execution threads are counted busy from
   ``ExecutionWorker.start`` (in the caller's thread, before the thread runs) until their logic returns;
   parking subtracts one, and whoever completes a parked token adds one back *before* waking it.
   Nothing here depends on real time: no polling, and a real-time watchdog only reports a stuck run.
   Executions take turns (``Turns``): one runs until it parks or ends, then the next in the order they
   were started or woken, so an event that wakes many executions gives the same result on every run.
   A parked callback task's timeout (``TimeoutSeconds``/``TimeoutSecondsPath``, the waits' safety net) is a
   deadline in virtual time (``Runtime.deadlines``): the runner fires the earliest like a timer
   (``Runtime.time_out``), and the task ends with States.Timeout as in Step Functions.
3. Speed: the boto3 client moto builds for every Lambda task and every AWS SDK integration task (the waits'
   ``aws-sdk:dynamodb:updateItem``) is cached per region and service, and marked as the state machine's
   (``metering``: its calls are counted with origin "states").
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
11. Transport: ``botocore.client.BaseClient._make_api_call`` runs botocore's own parameter events,
    validation, serialisation, ``before-call``/``after-call`` events, response parser and error classes,
    but hands the request to moto's handler directly: no endpoint-rule resolution per call, user agent,
    signing or retry bookkeeping on success, no search through every service's URL patterns (the handler
    found for a URL is remembered), and for JSON-protocol requests no WSGI environ (``_JsonRequest``
    carries what moto's ``setup_class`` reads). Same lock and progress count as patch 5.
12. moto's response plumbing: ``moto.core.responses.method_names_from_class`` (``inspect.getmembers`` per
    request) is cached per class; ``ResponseSerializer.get_value`` looks up a plain dict's members with
    the alias list moto's picker computes, computed once per shape; ``UpdateExpressionParser.make`` is
    cached per expression text (its callers only read the tree or deep-copy it before changing it), and
    the validators' ``deepcopy`` of such a cached tree unpickles a pickle of it taken once;
    ``ActionResult.execute_result`` serialises JSON-protocol results (DynamoDB, Step Functions) with a
    straight walk of moto's own JSON serializer steps (``json_answers.serialize_json``; timestamps, errors and event
    streams go moto's way; a dict with one key, as every DynamoDB attribute value is, serialises the members
    that list that key among their candidate keys, which is all the loop over every member finds).
13. Task tokens: ``CallbackPoolManager.add`` records which pool issued a token, and while
    ``send_task_success``/``send_task_failure``/``send_task_heartbeat`` of ``StepFunctionsParserBackend``
    run, ``_get_executions`` answers with the token's execution alone instead of every execution (moto
    offers the token to each in turn; only its own accepts it), which made wake-ups quadratic.
14. Start-up: ``_moto_preload`` (imported first) keeps moto's EC2 models out of the import (see there).
15. One-time costs: ``moto.core.utils.create_loader`` returns one shared ``Loader`` (moto made a new one
    for every service model it loads, and each lists every botocore data directory again), and so does
    ``botocore.session.create_loader`` for every botocore session; werkzeug compiles a rule's URL builder
    (which moto's routing never calls) only when a URL is first built with it; the program ANTLR parses
    from the state machine definition is kept between processes as a pickle (``PROGRAM_CACHE_ENV``), and so
    are botocore's parsed model files and service lists and jinja2's compiled templates (``startup_cache``).
16 to 22, 24, 25, 32 and 34: per-call costs of moto's backends, in ``fast_calls`` (see there).
30, 31, 33, 35, 47 and 50: copies (and renderings) of DynamoDB items nobody can see, conversions and item sizes, in
    ``item_copies``.
23. The DynamoDB calls the handlers make most (Query, UpdateItem, PutItem, GetItem, DeleteItem) go from botocore's
    validated parameters to moto's response class and from moto's serialised structure to botocore's parser, with
    no JSON text, request object or ``setup_class`` in between (``direct_calls``; compared call by call with plain
    moto in ``tests/simulation/test_direct_calls.py``).
26. REST-protocol calls (Lambda Invoke, SES v2, Scheduler) reach moto's handler as the WSGI environ werkzeug would
    build from botocore's serialised request, built directly: no ``AWSRequest``, no ``normalize_request``
    (``rest_calls``; compared with werkzeug's environ and with plain moto in ``tests/simulation/test_rest_calls.py``).
27. moto's REST router (werkzeug's URL map, then the rules' query-argument and header constraints) runs once per
    route: the operation and path labels it found are kept by everything the router reads of a request (protocol,
    host, method, raw path, the constrained arguments and headers); requests it matches to nothing take its way
    each time (``rest_calls``).
29. A Task (Map, Parallel) state runs in its execution's own thread: moto's thread per state and its real-time
    wait for it decide nothing in virtual time (``inline_states``).
40. SES ``SendRawEmail`` (SES v2 ``SendEmail`` with ``Raw`` content) parses the header section of the message, the
    only part moto reads, instead of the whole message (``ses_calls``; compared with plain moto in
    ``tests/simulation/test_ses_calls.py``).
41 and 42: moto's Step Functions state data and boto3's DynamoDB parameters are deep-copied without
    ``copy.deepcopy``'s per-object dispatch, object for object the same copy (``data_copies``).
43. The account of every request and the mark that its access key was used: backends that exist are read from
    moto's dicts directly, anything missing is built moto's way (``accounts``).
44. Pure helpers of moto's request path computed once per argument (the ``date`` header per instant, the partition
    per region) and ``utcnow`` without its import per call (``call_plumbing``).
45. The runner's own deliveries (the rule invoking intake or the reconciler, Scheduler deleting a fired schedule) call
    moto's Lambda and Scheduler backends as moto's response classes would, under the same lock (``own_calls``).
46. Fast path 23 also answers Step Functions' ``SendTaskSuccess``/``SendTaskFailure`` and the valid calls of clients
    that do not validate (moto's interpreter's: the waits' ``aws-sdk:dynamodb:updateItem``) (``direct_calls``).
48. boto3's DynamoDB parameter transformer does not walk the parts of a call or an answer where the shape it transforms
    cannot be (``dynamodb_transforms``).
49. botocore's parameter validation answers "no errors" from a check compiled once per shape, and walks as before
    (the same report) whenever that check fails or cannot tell (``param_checks``).
51. A REST request built by fast path 26 carries its body, form and files as werkzeug leaves them once moto has read
    them (``rest_calls``).
52. The handler of a URL seen for the first time (a schedule's, an address's: a resource named in the path) is found
    among each service's URL patterns compiled once per run, not formatted and compiled again (``_service_urls``).
53. ``BaseResponse._get_param`` decodes a JSON body once per request, each parameter handed out once from that decoding
    (a parameter read again is decoded afresh, as moto decodes it for every read) (``call_plumbing``).
54. The runner's earliest pending timer is kept in a heap of the schedules that came since the last step, not found by
    a look at every schedule at every step; a schedule changed in place (``Schedule.update``) rebuilds it
    (``timer_index``).
55. A JSON answer answered directly (fast path 23) whose structure is botocore's parse of its text already (blobs
    decoded in place) is handed over as it is, not walked by botocore's parser (``json_answers``).
56 to 65: the DynamoDB calls' per-call costs: attribute values serialised straight away (56) with one serializer per
    operation (65, both in ``json_answers``), the request's backend read from moto's dicts (57), key values hashed and
    compared through their values (58), a condition's syntax tree kept per text and names (62), ``DynamoType`` built
    directly (64, all four in ``fast_calls``), an item's size measured in place (59, ``item_copies``), the parameters
    checked and converted in one walk (60, ``request_params``), boto3's attribute values (de)serialised by class (61,
    ``dynamodb_transforms``), request headers answering a missing name without an exception (63, ``direct_calls``).
70. An execution's program runs in the execution's own thread: moto's extra thread per execution and its real-time
    join with the machine's top-level timeout decide nothing in virtual time (``inline_states``, as fast path 29).
71. Not a patch: the runner reads each sent e-mail's ``To`` and ``Subject`` back as the header lines carry them where
    ``policy.default``'s header registry provably reads the same (a bare address, plain ASCII words) (``read_back``).
72. Not a patch: ``world.process_environment`` (each in-process handler's environment) writes only the variables whose
    value changes (``world``).
73. A Lambda ``Invoke`` of a simulated function (by name or unqualified ARN, a UTF-8 payload naming no ``qualifier``,
    invocation type ``RequestResponse`` or ``Event``) sets up moto's ``LambdaResponse`` as ``setup_class`` would and
    runs its ``call_action``: no botocore serialisation, WSGI environ, werkzeug request or router (``lambda_calls``).
74. SES v2 ``SendEmail`` and Scheduler ``CreateSchedule``, once botocore has serialised them, set up moto's response
    class as ``setup_class`` would and run its ``call_action``: no WSGI environ, werkzeug request or router
    (``rest_answers``).
75. The runner's earliest task timeout comes from a heap kept beside ``Runtime.deadlines`` (``timer_index.Deadlines``),
    not from ``min`` over every parked task's deadline at every step; ties go to the first parked, as with ``min``.
76. A backend lookup (``BackendDict.__getitem__``) of an account that is there, in a ``BackendDict`` registered since
    the last ``BackendDict.reset``, reads the dict directly: no lock, list of accounts or ``__eq__`` with every
    registered ``BackendDict``; anything else as before (``accounts``).
77. Not a patch: the runner reads the contact ledger back from moto's table, in the order its ``Scan`` walks it, each
    value as the answer carries it and boto3 deserialises it (``table_reads``); anything else is scanned as before.
78. A message sent to an SQS queue (an ops alert reaching the tap queue, a rejected event) does not count the messages
    already queued: moto's senders read ``Queue.attributes`` only for ``ContentBasedDeduplication``, and get that
    attribute alone (``queue_sends``).
79. A schedule group's ``schedules`` logs every schedule put in it, and the runner's timer index (fast path 54) pushes
    what came since its last look instead of comparing every pending schedule at every step (``timer_index``).
80. ``States.get_input`` hands the input itself, not a deep copy, to the five functions that only write it as JSON text,
    measure it or give it to ``States.reset`` (which copies it again) (``state_inputs``).
81. A history event's timestamp text is formatted once per (instant, zone): the clock stands still while a step runs
    (``history_events``).
87 to 96: the DynamoDB calls again: the response object set up from a template per URL and operation (87,
    ``dynamodb_calls``), an UpdateItem of a shape moto accepted before checked for its values only (88,
    ``update_answers``), answers written from the table's values (89, ``item_copies`` and ``json_answers``), boto3's
    condition pass with nothing to build (90) and a map of attribute values (de)serialised in one loop (95, both in
    ``dynamodb_transforms``), a condition built from a compiled tree (91, ``fast_calls``), the response object's
    headers keyed once per name (92, ``direct_calls``), a Query's key condition read once per shape (93,
    ``key_conditions``), PutItem's empty-set check reading the key attributes once (94, ``item_copies``), the ``date``
    header of every call answered in process read from the clock's timestamp (96, ``direct_calls``).
107. botocore's per-call events (``provide-client-params``, ``before-parameter-build``, ``before-call``, ``after-call``)
    reach the handlers botocore keeps for them without the emitter's indirections, leaving out botocore's handlers
    the operation model proves idle (``call_events``).
108. A JSON-protocol call finds the URL botocore sends it to and moto's handler for it once per endpoint URL, and every
    call answered in process holds the AWS lock through a class's ``__enter__``/``__exit__``, not a generator's
    context manager (``_ANSWERING``).
109. A new URL's service is searched among the patterns that can match its host: each pattern's literal beginnings
    (``https://scheduler.``) are read once from its parse, and the patterns whose beginnings no URL of the host can have
    are skipped, in moto's order otherwise (``url_routes``).
110. SES ``send_raw_email`` reads its addresses once per text (``parseaddr``, ``getaddresses``, ``formataddr``
    remembered) and draws a message id's 56 letters from moto's generator at once, the same draws (``ses_calls``).
(111: tried and left out, see docs/simulator.md.)
112. The Step Functions interpreter's JSON text (``to_json_str``: history event details, size checks, task parameters)
    is written by one kept encoder per separators, not a new encoder per call (``history_events``).
113. A Lambda ``Invoke`` (and SES v2 ``SendEmail``, Scheduler ``CreateSchedule``, and ``_JsonRequest``'s calls such as
    ``StartExecution``) answered in process: moto's look-ups of missing request headers answer without raising (fast
    path 63's headers), a parameter the JSON body provably
    does not name is not looked for in its decoding (``call_plumbing``), and the runner's own invoke does not parse
    a payload that cannot name a ``qualifier`` (``own_calls``).
114. Not a patch: the runner makes its own boto3 clients (Lambda, Scheduler) when it first uses them: a fast run without
    clicks never does (``runner._RunnerClients``).
115. Not a patch: an in-process handler's variables are compared with the environment as it keeps them (encoded once
    per variables dict), not read back through ``os.environ.get`` one by one (``world.process_environment``).
116. Fast path 11 reads an operation's event names and request-context entries from a plan made once per operation
    model (``_call_plan``), and fast path 107 calls its handlers with one merged argument dict.
117. A botocore client class is made once per service description and session emitter: the operation methods are
    kept, the ``creating-client-class`` event still runs for every client, and the class made the first time is the
    answer while the event's handlers leave the same attributes and bases (``client_classes``).
118. A botocore client's ``ServiceModel`` is made once per (service name, description its loader keeps) and shared by
    every client of it: operation models and shapes, and what the fast paths compile per shape or operation model,
    are resolved once, not again by every run's new clients (``client_classes``).
119. A client's copy of its session's event handlers (``_PrefixTrie._recursive_copy``) copies dicts, ``NodeList`` s of
    lists, chunks and ``None`` straight away, anything else botocore's way (``emitter_copies``).
120. What is compiled per shape or operation model (parameter checks and converters, event names, call plans) is kept
    from one run to the next, as fast path 118 keeps the models; what is keyed by a run's objects is still forgotten
    at its end (``param_checks.bound``, ``direct_calls.forget_run``, ``call_events.forget_run``).
121. What the DynamoDB fast paths learnt per expression (conditions lexed and parsed, update plans, validated update
    expressions, key conditions) is kept from one run to the next, each collection bounded (``fast_calls.forget_run``).
122. ``camelcase_to_underscores`` is remembered per text in moto's SQS and SNS modules as well (fast path 21's function:
    ``Queue.attributes`` converts every attribute name character by character each time it is read) (``fast_calls``).
123. ``urllib.request.getproxies_environment`` (botocore's ``getproxies`` and ``proxy_bypass``, twice per client made)
    answers ``{}`` from one search of the environment's names when none ends in ``_proxy`` (``proxy_lookups``).
"""

from __future__ import annotations

# isort: off
from outreach.simulator import _moto_preload  # noqa: F401  (first: keeps moto's EC2 models out of start-up)
# isort: on

import copy
import functools
import hashlib
import json
import os
import pickle
import re
import sys
import threading
import traceback
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import moto.backend_index as backend_index
from botocore import loaders as botocore_loaders
from botocore import session as botocore_session
from botocore.awsrequest import AWSPreparedRequest, AWSResponse, _urljoin, create_request_object  # type: ignore[attr-defined]
from botocore.client import BaseClient
from botocore.endpoint import convert_to_response_dict
from botocore.httpchecksum import resolve_checksum_context
from moto.awslambda.models import LambdaFunction
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.core.base_backend import BackendDict
from moto.core.botocore_stubber import BotocoreStubber, MockRawResponse
from moto.core.exceptions import HTTPException
from moto.core.request import normalize_request
from moto.core.serialize import AttributePickerContext, ResponseSerializer, XFormedAttributePicker
from moto.core.utils import get_equivalent_url_in_aws_domain
from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType
from moto.dynamodb.models.table import Table as DynamoTable
from moto.dynamodb.parsing import validators as dynamodb_validators
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]
from moto.moto_api import recorder as moto_recorder
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.component import Component
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service_aws_sdk
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint, CallbackPoolManager
from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
from moto.stepfunctions.parser.asl.utils import boto_client as moto_boto_client
from moto.stepfunctions.parser.asl.utils import json_path
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker
from moto.stepfunctions.parser.models import StepFunctionsParserBackend
from outreach_lambda.wiring import FUNCTION_TIMEOUT
from werkzeug.datastructures import MultiDict
from werkzeug.routing.rules import Rule as WerkzeugRule

from outreach.simulator import (
    accounts,
    call_events,
    call_plumbing,
    client_classes,
    data_copies,
    direct_calls,
    dynamodb_transforms,
    emitter_copies,
    fast_calls,
    history_events,
    inline_states,
    item_copies,
    json_answers,
    lambda_calls,
    metering,
    param_checks,
    proxy_lookups,
    queue_sends,
    rest_answers,
    rest_calls,
    ses_calls,
    startup_cache,
    state_inputs,
    timer_index,
    url_routes,
)
from outreach.simulator.patching import installed

Handler = Callable[[dict[str, Any], Any], Any]
MOTO_VERSION = "5.2.5"


class SimulationStuck(RuntimeError):
    pass


@dataclass
class HandlerError:
    function: str
    error_type: str
    message: str


@dataclass(frozen=True)
class AsyncFailure:
    """An asynchronous invocation (``InvocationType`` ``Event``) whose handler raised: Lambda retries it
    (``wiring.ASYNC_RETRY_DELAYS``), which the runner plays in virtual time."""

    at: datetime
    function: str
    event: Any
    error: HandlerError


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
class Turns:
    """Executions take turns: one runs (with whatever threads it spawns and waits for) until it parks on a
    token or ends, then the next, in the order they were started or woken.

    Tickets are drawn where an execution becomes runnable: by the thread that starts it (``StartExecution``)
    or completes its token (``SendTaskSuccess``), inside a serialised AWS call, in program order. So when one
    event wakes many executions, which one runs first no longer depends on how the OS schedules threads.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)
    issued: int = 0
    serving: int = 0
    held: bool = False
    waiting: dict[int, threading.Event] = field(default_factory=dict)  # ticket -> its thread, asleep

    def ticket(self) -> int:
        with self.lock:
            self.issued += 1
            return self.issued - 1

    def take(self, ticket: int) -> None:
        while True:
            with self.lock:
                if not self.held and self.serving == ticket:
                    self.held = True
                    return
                turn = self.waiting.setdefault(ticket, threading.Event())
            turn.wait()  # only this ticket's turn wakes it: no thundering herd with 1,000 woken executions

    def give_back(self) -> None:
        with self.lock:
            self.held = False
            self.serving += 1
            turn = self.waiting.pop(self.serving, None)
        if turn is not None:
            turn.set()


@dataclass
class Runtime:
    handlers: dict[str, Handler]
    quiescence: Quiescence = field(default_factory=Quiescence)
    turns: Turns = field(default_factory=Turns)
    lambda_invocations: int = 0
    errors: list[HandlerError] = field(default_factory=list)
    #: Asynchronous invocations by the handlers that failed, in the order they failed (the runner takes them).
    async_failures: list[AsyncFailure] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    fast: bool = True
    direct_calls: int = 0  # botocore calls answered without the HTTP round trip (fast paths)
    # Task timeouts of parked callback tasks, in virtual time: the runner fires the earliest like a timer.
    deadlines: dict[CallbackEndpoint, datetime] = field(default_factory=dict)

    def time_out(self, endpoint: CallbackEndpoint) -> None:
        """A parked task's timeout came (virtual time): it ends as States.Timeout, as in Step Functions."""
        with self.quiescence.cond:
            self.deadlines.pop(endpoint, None)
            _unpark(endpoint)
            endpoint._notify_event.set()  # no outcome: moto raises the task's timeout


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
        """The function's timeout less ``CALL_LATENCY_MS`` for every AWS call the invocation made so far: the
        simulator's clock does not move while a handler runs, and counting calls (not CPU time) keeps every run,
        fast path or plain moto, the same."""
        return int(timeout_ms() - metering.CALL_LATENCY_MS * metering.calls_so_far())


def timeout_ms() -> int:
    """How long a simulated function may run (``wiring.FUNCTION_TIMEOUT``; tests shorten it to slice a sku delay)."""
    return int(FUNCTION_TIMEOUT.total_seconds() * 1000)


#: The invocation type of the invocation moto is about to run on this thread (``_typed_invoke``).
_invocation = threading.local()


def _typed_invoke(self: LambdaFunction, body: str, request_headers: Any, response_headers: Any) -> str | bytes:
    """moto's ``LambdaFunction.invoke``, noting first whether the invocation is asynchronous (``Event``) for the
    handler's run (``_invoke_in_process``), which moto calls without the headers."""
    _invocation.asynchronous = request_headers.get("x-amz-invocation-type", "RequestResponse") == "Event"
    return _original_function_invoke(self, body, request_headers, response_headers)  # type: ignore[no-any-return]


def _invoke_in_process(self: LambdaFunction, event: Any = None) -> tuple[str, bool, str]:
    asynchronous = getattr(_invocation, "asynchronous", False)
    _invocation.asynchronous = False  # an invocation the handler makes says its own type
    runtime = _active
    handler = runtime.handlers.get(self.function_name) if runtime else None
    if runtime is None or handler is None:
        return _original_invoke(self, event)
    with runtime.lock:
        runtime.lambda_invocations += 1
        request_id = f"sim-{runtime.lambda_invocations:08d}"
    if isinstance(event, str | bytes):
        # Not decodable: moto already decoded the payload, which was a JSON string (intake rejects it).
        with suppress(json.JSONDecodeError):
            event = json.loads(event or "{}")
    context = _FakeContext(self.function_name, int(self.memory_size or 128), self.function_arn, request_id)
    try:
        with metering.in_function(self.function_name):
            result = handler(event, context)
    except Exception as exc:
        error = HandlerError(self.function_name, type(exc).__name__, str(exc))
        with runtime.lock:
            runtime.errors.append(error)
            if asynchronous:  # Lambda answered 202 long ago; it retries the event (the runner plays it)
                runtime.async_failures.append(AsyncFailure(datetime.now(UTC), self.function_name, event, error))
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
        if timeout is not None and timeout < _NO_TIMEOUT:  # the task's TimeoutSeconds(Path), in virtual time
            runtime.deadlines[self] = datetime.now(UTC) + timedelta(seconds=timeout)
        q.busy -= 1
        q.cond.notify_all()
    runtime.turns.give_back()
    self._notify_event.wait()  # a timeout is a virtual deadline the runner fires (Runtime.time_out)
    with q.cond:
        runtime.deadlines.pop(self, None)
    ticket = getattr(self, "_sim_ticket", None)
    runtime.turns.take(ticket if ticket is not None else runtime.turns.ticket())
    return self._outcome


#: moto's TimeoutSeconds when a state sets none (99999999 s): not a deadline worth simulating.
_NO_TIMEOUT = 10**7


def _unpark(endpoint: CallbackEndpoint) -> None:
    runtime = _active
    if runtime is not None and getattr(endpoint, "_sim_parked", False):
        endpoint._sim_parked = False  # type: ignore[attr-defined]
        endpoint._sim_ticket = runtime.turns.ticket()  # type: ignore[attr-defined]
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
        self._sim_ticket = runtime.turns.ticket()  # type: ignore[attr-defined]
    _original_worker_start(self)


def _worker_logic(self: ExecutionWorker) -> None:
    runtime = _active
    ticket = getattr(self, "_sim_ticket", None)
    if runtime is not None and ticket is not None:
        runtime.turns.take(ticket)
    try:
        _original_worker_logic(self)
    finally:
        if runtime is not None:
            if ticket is not None:
                runtime.turns.give_back()
            runtime.quiescence.add(-1)


_aws_lock = threading.RLock()


@contextmanager
def aws_call() -> Iterator[None]:
    """Around a call the simulator makes of moto's backends itself (``own_calls``): the lock of every mocked AWS
    call, and the progress the watchdog looks for."""
    with _aws_lock:
        if _active is not None:
            _active.quiescence.progress += 1
        yield


def _serialised_aws_call(self: BotocoreStubber, event_name: str, request: Any, **kwargs: Any) -> Any:
    with _aws_lock:
        if _active is not None:
            _active.quiescence.progress += 1
        return _original_stubber_call(self, event_name, request, **kwargs)


class _NoTableCopies:
    """Stands in for the ``copy`` module inside moto's DynamoDB backend: tables are not copied, nor (fast path 30a)
    the item ``update_item`` copies for a stream the table does not have."""

    @staticmethod
    def deepcopy(obj: Any, memo: Any = None) -> Any:
        return obj if isinstance(obj, DynamoTable) or item_copies.unread_copy(obj, memo) else copy.deepcopy(obj, memo)

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
    # Under the AWS lock: creating a client reads every environment variable (botocore's proxy lookup
    # iterates os.environ) while in-process handlers set their variables. Defence in depth: since
    # ``world.process_environment`` deletes nothing until the last block ends, no variable can vanish
    # mid-iteration any more (that was KeyError -> States.Runtime -> "timeline failed", now and then).
    with _aws_lock:
        return _original_boto_client_for(region=region, service=service)


def _boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
    return metering.mark_state_machine_client(_cached_client(region, service))


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
    program, tree = _parse_asl_once(definition)  # fast path 15: kept between processes
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


# -- fast path 11: a botocore call answered by moto without the HTTP round trip -------------------------
def _direct_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
    """``BaseClient._make_api_call`` as botocore runs it, minus the transport.

    The same parameter events, validation and serialisation (``_convert_to_request_dict``), the same
    ``before-call``/``after-call`` events, the same moto handler for the same HTTP request, the same
    response parser and errors. Left out: endpoint-rule resolution per call (the client's endpoint is
    used), the user agent, request signing, the retry bookkeeping of a successful call, and moto's search
    of every service's URL patterns (the handler found for a URL is remembered). The events reach their
    handlers as ``call_events.emit`` calls them (fast path 107).
    """
    operation_model = self._service_model.operation_model(operation_name)
    names, operation_context = _call_plan(operation_model)  # fast path 116
    meta = self.meta
    events = meta.events
    request_context = {"client_region": meta.region_name, "client_config": meta.config, **operation_context}
    # ``BaseClient._emit_api_params``
    api_params = call_events.first_response(
        call_events.emit(
            events, names[0], {"params": api_params, "model": operation_model, "context": request_context}
        ),
        api_params,
    )
    call_events.emit(events, names[1], {"params": api_params, "model": operation_model, "context": request_context})

    def request_dict() -> dict[str, Any]:
        prepared = self._convert_to_request_dict(
            api_params=api_params,
            operation_model=operation_model,
            endpoint_url=self.meta.endpoint_url,
            context=request_context,
            set_user_agent_header=False,
        )
        resolve_checksum_context(prepared, operation_model, api_params)
        return prepared

    direct = _direct_answer(self, operation_model, api_params)  # fast path 23: no HTTP-shaped round trip
    if direct is None:
        direct = _direct_invoke(self, operation_model, api_params)  # fast path 73: a simulated function's Invoke
    if direct is not None:
        http, parsed = direct
        if parsed is None:  # not a plain success: botocore parses moto's text, with its retry rules
            http, parsed = _answer_from_moto(self, operation_model, request_dict, http)
    else:
        prepared = request_dict()
        event_response = call_events.first_response(
            call_events.emit(
                events,
                names[2],
                {
                    "model": operation_model,
                    "params": prepared,
                    "request_signer": self._request_signer,
                    "context": request_context,
                },
                until_response=True,
            )
        )
        if event_response is not None:
            http, parsed = event_response
        else:
            http, parsed = _answer_from_moto(self, operation_model, lambda: prepared)
    call_events.emit(
        events,
        names[3],
        {"http_response": http, "parsed": parsed, "model": operation_model, "context": request_context},
    )
    if http.status_code >= 300:
        error_code = request_context.get("error_code_override") or parsed.get("Error", {}).get("Code")
        raise self.exceptions.from_code(error_code)(parsed, operation_name)
    return parsed


@functools.lru_cache(maxsize=1024)
def _call_plan(operation_model: Any) -> tuple[tuple[str, str, str, str], dict[str, Any]]:
    """Fast path 116: what fast path 11 reads of an operation model for every call, once per model (botocore's operation
    models are never changed, and each of these is a cached property of one, or of its service model): the names of the
    four events botocore emits for a call, and the request context's entries from the model, in botocore's order (the
    client's region and configuration come first, read per call). Kept per run (cleared at its end; a model is held,
    so its identity, the key, cannot be reused meanwhile)."""
    service_model = operation_model.service_model
    names = call_events.call_names(operation_model)
    context = {
        "has_streaming_input": operation_model.has_streaming_input,
        "auth_type": operation_model.resolved_auth_type,
        "unsigned_payload": operation_model.unsigned_payload,
        "auth_options": service_model.metadata.get("auth"),
    }
    return names, context


def _answer_from_moto(
    client: Any, operation_model: Any, request_dict: Callable[[], dict[str, Any]], first: AWSResponse | None = None
) -> tuple[Any, Any]:
    """moto's answer to the request, parsed by botocore, with botocore's retries; ``first``: moto's answer to the
    first attempt, already given (fast path 23), so only a retry sends the request (built then)."""
    endpoint = client._endpoint
    attempts = 1
    prepared: dict[str, Any] | None = None
    while True:
        if first is not None:
            http, first = first, None
        else:
            prepared = prepared or request_dict()
            answered = _direct_rest(prepared, operation_model)  # fast path 74: SendEmail, CreateSchedule
            if answered is not None:
                http = answered
            else:
                light = rest_calls.light_request(prepared, operation_model)  # fast path 26: no werkzeug, no AWSRequest
                http = _moto_response(light or create_request_object(prepared).prepare())
        response_dict = convert_to_response_dict(http, operation_model)
        parser = endpoint._response_parser_factory.create_parser(operation_model.service_model.resolved_protocol)
        parsed = parser.parse(response_dict, operation_model.output_shape)
        if http.status_code < 300:
            break
        endpoint._add_modeled_error_fields(response_dict, parsed, operation_model, parser)
        # botocore's retry bookkeeping (an invocation id per call) only matters once a call may be retried
        prepared = prepared or request_dict()
        endpoint._update_retries_context(prepared["context"], attempts)
        if not endpoint._needs_retry(attempts, operation_model, prepared, (http, parsed), None):
            break
        attempts += 1
        endpoint._update_retries_context(prepared["context"], attempts, (http, parsed))
    if "ResponseMetadata" in parsed:
        parsed["ResponseMetadata"]["RetryAttempts"] = attempts - 1
    return http, parsed


def _direct_answer(client: Any, operation_model: Any, api_params: dict[str, Any]) -> tuple[AWSResponse, Any] | None:
    """Fast path 23 (``direct_calls``): moto's answer to a covered call without the HTTP-shaped round trip, as
    (response, parsed); parsed is None when botocore must parse the text (an error). None: not covered."""
    endpoint_url = client.meta.endpoint_url
    found = _json_handlers.get(endpoint_url)
    if found is None:
        url = _json_url(endpoint_url)
        parsed_url, _ = _aws_url(url)
        found = _json_handlers[endpoint_url] = (
            url,
            _moto_handler(f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"),
        )
    url, handler = found
    call = direct_calls.prepare(client, operation_model, api_params, url, handler)
    if call is None:
        return None
    with _ANSWERING:
        status, headers, body, wire, blobs = call()
    if status < 300 and wire is not None:
        return direct_calls.parsed_success(client, operation_model, url, status, headers, body, wire, blobs)
    return AWSResponse(url, status, headers, MockRawResponse(body)), None  # type: ignore[arg-type]


def _direct_invoke(client: Any, operation_model: Any, api_params: dict[str, Any]) -> tuple[AWSResponse, None] | None:
    """Fast path 73 (``lambda_calls``): moto's answer to a covered Lambda ``Invoke``, set up without the request, as
    (response, None): botocore parses it. None: not covered."""
    call = lambda_calls.prepare(client, operation_model, api_params, _handler_for_url)
    if call is None:
        return None
    with _ANSWERING:
        return call(), None


def _direct_rest(prepared: dict[str, Any], operation_model: Any) -> AWSResponse | None:
    """Fast path 74 (``rest_answers``): moto's answer to a covered REST request, set up without the request."""
    call = rest_answers.prepare(prepared, operation_model, _handler_for_url)
    if call is None:
        return None
    with _ANSWERING:
        return call()  # type: ignore[no-any-return]


class _Answering:
    """Around moto answering one call: under the one lock every mocked call takes, counted as progress (quiescence)
    and as a call answered in process (fast path 108: a class, not a generator's context manager)."""

    def __enter__(self) -> None:
        _aws_lock.acquire()
        runtime = _active
        if runtime is not None:
            try:
                runtime.quiescence.progress += 1
                runtime.direct_calls += 1
            except BaseException:
                _aws_lock.release()  # (as the generator it replaced: the lock never outlives a failed entry)
                raise

    def __exit__(self, *exc: object) -> None:
        _aws_lock.release()


_ANSWERING = _Answering()
#: Fast path 108: per endpoint URL of a JSON-protocol client, the URL botocore sends to and moto's handler for it
#: (``_json_url``, ``_aws_url`` and ``_moto_handler`` of it, as fast path 11 found them for every call). For one run:
#: ``_aws_url`` depends on moto's settings. Bounded by the clients' endpoints (a handful); cleared at the end of a run.
_json_handlers: dict[str, tuple[str, Callable[..., Any] | None]] = {}


def _handler_for_url(url: str) -> Callable[..., Any] | None:
    """The handler ``BotocoreStubber`` picks for ``url`` (``_moto_response``'s lookup)."""
    parsed_url, _ = _aws_url(url)
    return _moto_handler(f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}")


#: the URL botocore sends a JSON-protocol request to (``prepare_request_dict`` with the path ``/``)
_json_url = functools.lru_cache(maxsize=64)(lambda endpoint_url: _urljoin(endpoint_url, "/", None))


def _moto_response(request: AWSPreparedRequest | rest_calls.LightRequest) -> AWSResponse:
    """What ``BotocoreStubber`` answers for ``request``, under the same lock as every mocked call."""
    parsed_url, _ = _aws_url(request.url)
    handler = _moto_handler(f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}")
    if handler is None:
        raise RuntimeError(f"moto has no handler for {request.url}")
    with _ANSWERING:
        normalized: Any = getattr(request, "moto_request", None)  # fast path 26 (``rest_calls``)
        if normalized is None:
            json_protocol = "X-Amz-Target" in request.headers and request.method == "POST"
            normalized = _JsonRequest(request) if json_protocol and not moto_recorder._user_enabled else None  # type: ignore[arg-type]
        if normalized is None:
            normalized = normalize_request(request)  # type: ignore[arg-type]
        try:
            moto_recorder._record_request(normalized)
            status, headers, body = handler(normalized, normalized.raw_url, normalized.headers)
        except HTTPException as exc:
            status, headers, body = exc.code, exc.get_headers(), exc.get_body()
    return AWSResponse(request.url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]


class _JsonRequest:
    """What moto's ``BaseResponse.setup_class`` and its JSON-protocol handlers read of the werkzeug
    ``Request`` that ``normalize_request`` would build (a WSGI environ per call): a POST with a JSON body,
    no form, no files, the same URL and headers (``Host`` added as moto adds it to the environ)."""

    from_wsgi_server = False
    content_encoding = None
    form: MultiDict[str, Any] = MultiDict()
    files: MultiDict[str, Any] = MultiDict()
    values: MultiDict[str, Any] = MultiDict()

    def __init__(self, request: AWSPreparedRequest) -> None:
        parsed = urlsplit(request.url)
        self.method = request.method
        self.raw_url = request.url
        self.path = self.raw_path = parsed.path or "/"
        body: Any = request.body
        if hasattr(body, "read"):
            body = body.read()
        self.data: bytes = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        self.headers = direct_calls._Headers(  # fast path 113: moto's look-ups of missing names answer without raising
            [
                (key, value.decode("utf-8") if isinstance(value, bytes) else value)
                for key, value in request.headers.items()
                if key.lower() != "transfer-encoding"
            ]
        )
        self.headers.setdefault("Content-Length", str(len(self.data)))
        self.headers.setdefault("Host", parsed.netloc)
        self.environ: dict[str, Any] = {}
        self.content_type = self.headers.get("Content-Type", "")


#: ``get_equivalent_url_in_aws_domain`` per URL, for one run (it depends on the URL and moto's settings only)
_aws_url = functools.lru_cache(maxsize=4096)(get_equivalent_url_in_aws_domain)


@functools.lru_cache(maxsize=4096)
def _moto_handler(clean_url: str) -> Callable[..., Any] | None:
    """The handler ``BotocoreStubber.process_request`` picks for a URL (same search, done once per URL; a service's
    URL patterns compiled once per run, fast path 52)."""
    host = url_routes.host_of(clean_url)
    for service, pattern in url_routes.candidates(backend_index.backend_url_patterns, host):  # fast path 109
        if pattern.match(clean_url):
            for url, method_to_execute in _service_urls(service):
                if url.match(clean_url):
                    return method_to_execute
    return None


@functools.lru_cache(maxsize=256)
def _service_urls(service: str) -> list[tuple[re.Pattern[str], Callable[..., Any]]]:
    """Fast path 52: a service's URL patterns and handlers (``backend.urls``, which moto formats again on every call,
    each compiled), as ``BotocoreStubber`` reads them, once per run: a URL of a resource by name (a schedule, an
    address) is a new URL, and looking its handler up made them again."""
    import moto.backends as backends

    backend_dict: Any = backends.get_backend(service)  # type: ignore[call-overload]
    if isinstance(backend_dict, BackendDict):
        regions = backend_dict[DEFAULT_ACCOUNT_ID]
        backend = regions["us-east-1"] if "us-east-1" in regions else regions["aws"]
    else:
        backend = backend_dict["global"]
    return [(re.compile(url), method_to_execute) for url, method_to_execute in backend.urls.items()]


# -- fast path 12: the cost of moto's response handling, not its result ------------------------------
_method_names = functools.lru_cache(maxsize=None)(moto_utils.method_names_from_class)


_member_keys: dict[tuple[Any, ...], list[str]] = {}


def _serializer_get_value(self: ResponseSerializer, value: Any, key: str, shape: Any) -> Any:
    """``ResponseSerializer.get_value`` for a plain ``dict`` (DynamoDB's results are nothing else).

    moto's ``XFormedAttributePicker`` tries a list of alias keys in order; for a dict that list depends
    only on the member key, its shape and the shape's parent structure (set by the serializer just
    before) and the class name ``dict``. Here the list is computed once (by moto's own picker) and
    looked up in the dict the way ``moto.core.utils.get_value`` does; other values and pickers with
    response transformers take moto's way.
    """
    picker = self._value_picker
    if type(value) is not dict or type(picker) is not XFormedAttributePicker or picker.response_transformers:
        return _original_get_value(self, value, key, shape)
    cache_key = (tuple(picker.alias_providers), shape, getattr(shape, "parent", None), key)  # shapes: identity
    keys = _member_keys.get(cache_key)
    if keys is None:
        context = AttributePickerContext(obj=value, key=key, shape=shape)
        keys = _member_keys[cache_key] = list(picker.get_possible_keys(context))
    for candidate in keys:
        if "." not in candidate and candidate in value:
            return value[candidate]
        if "." in candidate:
            return _original_get_value(self, value, key, shape)
    return None


_ast_copies: dict[int, tuple[Any, bytes]] = {}  # id(cached tree) -> (tree, its pickle)


@functools.lru_cache(maxsize=1024)
def _update_expression_ast(expression: str) -> Any:
    tree = _original_update_expression_make(expression)
    _ast_copies[id(tree)] = (tree, pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL))
    fast_calls.keep_tree(tree)  # fast path 24: its clauses are found once
    return tree


def _copy_tree(obj: Any, memo: Any = None) -> Any:
    """``deepcopy`` as moto's DynamoDB validators call it; a cached update-expression tree is copied by
    unpickling its pickle, about four times faster for the same graph (the nodes are plain objects with
    no copy or pickle hooks of their own; shared and parent references are kept either way)."""
    cached = _ast_copies.get(id(obj)) if memo is None else None
    if cached is not None and cached[0] is obj:
        return pickle.loads(cached[1])
    return copy.deepcopy(obj, memo)


def _parse_update_expression(cls: Any, expression: str) -> Any:
    """``UpdateExpressionParser.make`` parsed once per expression text. Its callers only read the tree
    (``find_clauses``) or deep-copy it before validating and executing it (``Validator.__init__``)."""
    if cls is not UpdateExpressionParser:
        return _original_update_expression_make.__func__(cls, expression)  # type: ignore[attr-defined]
    return _update_expression_ast(expression)


# -- fast path 15: one-time costs of a run -------------------------------------------------------------
_shared_loader = functools.cache(moto_utils.create_loader)  # a Loader remembers what it listed and loaded
#: One botocore ``Loader`` per data path for every botocore session (boto3's default one, the handlers', the
#: clients moto makes for Lambda tasks): each new Loader lists all ~400 service directories again before its
#: first model and reads every model once more. Loaded models are shared read-only by a Loader's clients anyway.
_shared_botocore_loader = functools.cache(botocore_loaders.create_loader)


def _lazy_url_builder(self: WerkzeugRule, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
    """``Rule._compile_builder`` deferred to the first URL built with the rule.

    moto routes REST requests (Lambda, SES v2, Scheduler) with a werkzeug ``Map`` of one rule per operation,
    and werkzeug compiles Python code for *building* URLs from every rule it adds (0.15 s for SES v2's ~110
    operations). moto only ever *matches* URLs; should anything build one, the rule's builder is compiled
    then, exactly as werkzeug would have, and replaces this stand-in."""
    name = "_build_unknown" if append_unknown else "_build"

    def build(rule: WerkzeugRule, *args: Any, **kwargs: Any) -> tuple[str, str]:
        compiled = _original_compile_builder(rule, append_unknown)
        setattr(rule, name, compiled.__get__(rule, None))  # type: ignore[attr-defined]
        return compiled(rule, *args, **kwargs)

    return build


#: Where parsed state machine programs (and the other one-time results of ``startup_cache``) are kept between
#: processes: a directory, or ``off``. Default: ``$XDG_CACHE_HOME/outreach-simulator`` (``~/.cache/...``).
PROGRAM_CACHE_ENV = startup_cache.CACHE_ENV
_program_cache = startup_cache.directory


def _parse_asl_once(definition: str) -> tuple[Any, None]:
    """The program ANTLR parses from a definition, kept as a pickle between processes (the parse is 80 ms of
    a one-order ``outreach simulate``; loading the pickle well under 1 ms).

    The file is named by a hash of the definition text, moto's version and Python's, so any change to one of
    them parses afresh; a file that cannot be read or unpickled is parsed afresh and written again (written
    to a temporary name first, then renamed: concurrent runs never see half a file). ANTLR's parse tree is
    not kept: moto only ever uses the program (``ExecutionWorker``; the definition check on
    ``CreateStateMachine`` only needs the parse to succeed, and a definition that fails is never cached).
    """
    directory = _program_cache()
    if directory is None:
        return _original_asl_parse(definition)[0], None
    key = hashlib.sha256("\n".join((MOTO_VERSION, sys.version, definition)).encode()).hexdigest()
    path = directory / f"asl-{key[:32]}.pickle"
    with suppress(Exception):  # a cache: whatever is wrong with the file, parse again
        return pickle.loads(path.read_bytes()), None
    program = _original_asl_parse(definition)[0]
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        data = pickle.dumps(program, protocol=pickle.HIGHEST_PROTOCOL)
        directory.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(path)
    except (OSError, pickle.PicklingError, RecursionError, TypeError, AttributeError):
        with suppress(OSError):
            partial.unlink(missing_ok=True)
    return program, None


# -- fast path 13: SendTaskSuccess/Failure/Heartbeat go to the token's own execution ---------------------
_token_pools: dict[str, Any] = {}  # task token -> the CallbackPoolManager that issued it
_pool_owners: dict[Any, tuple[Any, Any]] = {}  # CallbackPoolManager -> (backend, execution)
_token_hint = threading.local()


def _pool_add(self: CallbackPoolManager, callback_id: str) -> Any:
    endpoint = _original_pool_add(self, callback_id)
    _token_pools[callback_id] = self
    return endpoint


def _with_token_hint(original: Callable[..., Any]) -> Callable[..., Any]:
    def call(self: Any, task_token: str, *args: Any, **kwargs: Any) -> Any:
        _token_hint.token = task_token
        try:
            return original(self, task_token, *args, **kwargs)
        finally:
            _token_hint.token = None

    return call


def _executions_for_token(self: Any, execution_status: Any = None) -> list[Any]:
    """``StepFunctionsParserBackend._get_executions`` while a task token is being completed.

    moto offers the token to every (running) execution in turn and only the one whose callback pool
    issued it accepts it (tokens are unique), so that one execution alone gives the same outcome,
    errors included. Pools are matched to executions once; an unknown token takes moto's way.
    """
    token = getattr(_token_hint, "token", None)
    pool = _token_pools.get(token) if token is not None else None
    if pool is None:
        return _original_get_executions(self, execution_status)  # type: ignore[no-any-return]
    if pool not in _pool_owners:
        for state_machine in self.state_machines:
            for execution in state_machine.executions:
                worker = getattr(execution, "exec_worker", None)
                env = getattr(worker, "env", None)
                if env is not None:
                    _pool_owners.setdefault(env.callback_pool_manager, (self, execution))
    backend, owner = _pool_owners.get(pool, (None, None))
    if backend is not self:
        return _original_get_executions(self, execution_status)  # type: ignore[no-any-return]
    return [owner] if execution_status is None or execution_status == owner.status else []


_original_invoke = LambdaFunction._invoke_lambda
_original_function_invoke = LambdaFunction.invoke
_original_stubber_call = BotocoreStubber.__call__
_original_transact = DynamoDBBackend.transact_write_items
_original_callback_wait = CallbackEndpoint.wait
_original_callback_notify = CallbackEndpoint.notify
_original_interrupt_all = CallbackEndpoint.interrupt_all
_original_worker_start = ExecutionWorker.start
_original_worker_logic = ExecutionWorker._execution_logic
_original_boto_client_for = moto_boto_client.boto_client_for
_original_query = DynamoTable.query
_original_update_expression_make = UpdateExpressionParser.make
_original_pool_add = CallbackPoolManager.add
_original_get_executions = StepFunctionsParserBackend._get_executions
_original_get_value = ResponseSerializer.get_value
_original_make_api_call = BaseClient._make_api_call  # type: ignore[attr-defined]
_original_asl_parse = AmazonStateLanguageParser.parse
_original_compile_builder = WerkzeugRule._compile_builder
_no_sleep_time = types.SimpleNamespace(sleep=lambda seconds: None)

_PATCHES: list[tuple[Any, str, Any]] = [
    (LambdaFunction, "_invoke_lambda", _invoke_in_process),
    (LambdaFunction, "invoke", _typed_invoke),
    (CallbackEndpoint, "wait", _callback_wait),
    (CallbackEndpoint, "notify", _callback_notify),
    (CallbackEndpoint, "interrupt_all", _callback_interrupt_all),
    (ExecutionWorker, "start", _worker_start),
    (ExecutionWorker, "_execution_logic", _worker_logic),
    (lambda_eval_utils, "boto_client_for", _boto_client_for),
    (state_task_service_aws_sdk, "boto_client_for", _boto_client_for),
    (retrier_decl, "time", _no_sleep_time),
    (BotocoreStubber, "__call__", _serialised_aws_call),
    (DynamoDBBackend, "transact_write_items", _transact_write_items),
    (dynamodb_models, "copy", _NoTableCopies),
]

_FAST_PATCHES: list[tuple[Any, str, Any]] = [
    (DynamoTable, "query", item_copies.without_result_copy(_partition_query)),  # fast paths 7 and 30c
    (AmazonStateLanguageParser, "parse", staticmethod(_parse_asl)),
    (json_path, "parse", _jsonpath_ext_parse),
    (result_path, "parse", _jsonpath_parse),
    (BaseClient, "_make_api_call", _direct_api_call),
    (moto_responses, "method_names_from_class", _method_names),
    (moto_utils, "create_loader", _shared_loader),
    (botocore_session, "create_loader", _shared_botocore_loader),
    (WerkzeugRule, "_compile_builder", _lazy_url_builder),
    *startup_cache.PATCHES,
    (ResponseSerializer, "get_value", _serializer_get_value),
    *json_answers.PATCHES,  # fast paths 12 (its serialisation) and 55
    (UpdateExpressionParser, "make", classmethod(_parse_update_expression)),
    (dynamodb_validators, "deepcopy", _copy_tree),
    (CallbackPoolManager, "add", _pool_add),
    (StepFunctionsParserBackend, "_get_executions", _executions_for_token),
    *[
        (StepFunctionsParserBackend, name, _with_token_hint(getattr(StepFunctionsParserBackend, name)))
        for name in ("send_task_success", "send_task_failure", "send_task_heartbeat")
    ],
    *fast_calls.PATCHES,  # fast paths 16 to 25, 32 and 34
    *rest_calls.PATCHES,  # fast path 27
    *inline_states.PATCHES,  # fast paths 29 and 70
    *item_copies.PATCHES,  # fast paths 30, 31, 33, 35, 47 and 50
    *ses_calls.PATCHES,  # fast paths 40 and 110
    *data_copies.PATCHES,  # fast paths 41 and 42
    *dynamodb_transforms.PATCHES,  # fast path 48
    *param_checks.PATCHES,  # fast path 49
    *timer_index.PATCHES,  # fast paths 54 and 79
    *accounts.PATCHES,  # fast paths 43 and 76
    *call_plumbing.PATCHES,  # fast path 44
    *queue_sends.PATCHES,  # fast path 78
    *state_inputs.PATCHES,  # fast path 80
    *history_events.PATCHES,  # fast paths 81 and 112
    *client_classes.PATCHES,  # fast paths 117 and 118
    *emitter_copies.PATCHES,  # fast path 119
    *proxy_lookups.PATCHES,  # fast path 123
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
    runtime = Runtime(handlers=handlers, fast=fast, deadlines=timer_index.Deadlines() if fast else {})
    accounts.clear()  # (and marks made by anything that installed fast path 76 on its own before: not counted)
    try:
        with installed(_PATCHES + (_FAST_PATCHES if fast else [])):
            _active = runtime
            try:
                yield runtime
            finally:
                _active = None
    finally:
        _cached_client.cache_clear()
        _aws_url.cache_clear()
        _json_handlers.clear()
        _service_urls.cache_clear()
        _token_pools.clear()
        _pool_owners.clear()
        fast_calls.forget_run()  # fast path 121: what it learnt per expression is kept
        direct_calls.forget_run()  # fast path 120 keeps what is a function of a model or shape alone
        dynamodb_transforms.clear()
        param_checks.bound()  # (fast path 120)
        rest_calls.clear()
        rest_answers.clear()
        accounts.clear()
        history_events.clear()
        call_events.forget_run()  # (fast path 120)
        url_routes.clear()
        # (fast path 120: ``_call_plan``, a function of the operation model alone, is kept; at most 1,024 models)
