"""Run a scenario: the real ASL and handlers on moto, under a discrete-event virtual clock.

The clock only ever jumps while the system is quiescent (every execution parked on its task token or
ended). Then it moves to the earliest of: the next scenario event, a redrive of parked contacts, the next
EventBridge Scheduler timer a parked order armed, a parked task's timeout, a run of the reconciler of stuck
claims that finds one, Lambda's retry of an asynchronous invocation that failed (on ties in that order). Exactly
one thing is delivered, then the run waits for quiescence again. Waits of days cost nothing, and results do
not depend on thread timing. Faults a scenario asks for (``faults``) are injected by ``faults.py``.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import heapq
import io
import json
import re
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TextIO

import boto3
import time_machine
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.scheduler.models import scheduler_backends
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends
from moto.sqs.models import sqs_backends
from outreach_lambda import cold_start
from outreach_lambda.adapters.contacts import CLAIMED_AT, ContactLedger
from outreach_lambda.adapters.opt_outs import DynamoOptOuts
from outreach_lambda.services.reconciler import STUCK_AFTER
from outreach_lambda.settings import SettingsError, parse_config
from outreach_lambda.wiring import ASYNC_RETRY_DELAYS, FUNCTIONS, FunctionName

from outreach import operate
from outreach.collector import fewer_collections
from outreach.simulator import (
    metering,
    moto_runtime,
    own_calls,
    read_back,
    ses_suppression,
    table_reads,
    timer_index,
    world,
)
from outreach.simulator.clicks import ActionClicks, NoSuchLink
from outreach.simulator.faults import Faults
from outreach.simulator.scenario import Scenario, ScenarioError, ScenarioEvent

WATCHDOG_SECONDS = 60.0
_AT = re.compile(r"^at\((\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\)$")


@dataclass
class SimulationResult:
    scenario: str
    contacts: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    orders: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, str]] = field(default_factory=list)
    #: Customers' clicks on one-click links (scenario ``click`` events) and what the endpoint answered.
    clicks: list[dict[str, Any]] = field(default_factory=list)
    #: What each sent contact said, in the order of ``contacts``: the e-mail as sent (MIME bytes) or the SMS
    #: text. Not part of the JSON contract; ``outreach simulate --out DIR`` writes them (outreach.preview).
    sent: list[bytes | str] = field(default_factory=list)
    #: what the deployed code would call and DynamoDB would bill (not part of the --json output)
    meter: metering.Metering = field(default_factory=lambda: metering.Metering())

    def to_json(self) -> dict[str, Any]:
        out = {
            "scenario": self.scenario,
            "contacts": self.contacts,
            "alerts": self.alerts,
            "orders": self.orders,
            "rejected": self.rejected,
            "stats": self.stats,
        }
        if self.clicks:
            out["clicks"] = self.clicks
        if self.errors:
            out["errors"] = self.errors
        return out


def iso(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def run(scenario: Scenario, log: TextIO | None = None, *, fast: bool = True) -> SimulationResult:
    """Simulate the scenario. Handler logs go to ``log`` (discarded when None), never to stdout.

    ``fast=False`` switches off the fast paths of :mod:`moto_runtime` (plain moto behind the patches the
    virtual clock needs): the parity tests compare both."""
    try:
        config = parse_config(scenario.config)
    except SettingsError as exc:
        raise ScenarioError(f"config: {exc}") from None
    started = time.perf_counter()
    sink = log if log is not None else io.StringIO()
    traveller = time_machine.travel(scenario.start, tick=False)
    clock = traveller.start()
    collector = _quiet_collector() if fast else contextlib.nullcontext()
    try:
        with (
            collector,
            warnings.catch_warnings(),
            contextlib.redirect_stdout(metering.CountingWriter(sink)),  # type: ignore[type-var]
            world.process_environment(world.BASE_ENV),
            mock_aws(config={"stepfunctions": {"execute_state_machine": True}}),
        ):
            # Powertools warns on every invocation that emitted no metric (a wait that only parks, most often).
            warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)
            boto3.DEFAULT_SESSION = world.session()  # one per process: moto's own mock restores the default
            cold_start.reset()  # every run is a fresh deployment: no clients or settings of an earlier run
            faults = Faults(scenario.faults, scenario.at)
            with (
                moto_runtime.patched({}, fast=fast) as runtime,  # fast paths build the world too
                faults.installed(),
                metering.metered() as meter,
                ses_suppression.installed(scenario.suppressed),
            ):
                the_world = world.build(config.model_dump_json(by_alias=True))
                opt_outs = DynamoOptOuts(the_world.contacts_table)
                for address in scenario.opt_outs:
                    opt_outs.add(address, "on the scenario's optOuts list", scenario.start)
                runtime.handlers.update(world.load_handlers(the_world, faults.crash))
                inboxes = _QueueHarvest(the_world)
                clicks: list[dict[str, Any]] = []
                _loop(scenario, the_world, runtime, clock, inboxes, faults, meter, clicks)
                result = _collect(scenario, the_world, runtime, inboxes)
                result.clicks = clicks
                result.meter = meter
            cold_start.reset()
    finally:
        traveller.stop()
    result.stats["wallSeconds"] = round(time.perf_counter() - started, 3)
    return result


@contextlib.contextmanager
def _quiet_collector() -> Iterator[None]:
    """Fewer cyclic garbage collections during a run (a fast path: results do not depend on it).

    A run allocates millions of short-lived objects; with the default thresholds the collector keeps
    re-scanning everything alive (imports, moto's models, every order's state), so the cost per order
    grew with the number of orders. What exists when the run starts is frozen out of the scans and the
    youngest generation is collected less often; both are restored afterwards.
    """
    gc.freeze()
    try:
        with fewer_collections():
            yield
    finally:
        gc.unfreeze()


class _QueueHarvest:
    """What reached the dead-letter queue and the ops-alert tap, read from moto's SQS backend after every
    step (before the clock jumps past the queues' retention period)."""

    def __init__(self, w: world.World) -> None:
        backend = sqs_backends[DEFAULT_ACCOUNT_ID][world.REGION]
        self._queues = {
            "rejected": backend.queues[w.dead_letter_queue_url.rsplit("/", 1)[-1]],
            "alerts": backend.queues[w.ops_tap_queue_url.rsplit("/", 1)[-1]],
        }
        self.messages: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {"rejected": {}, "alerts": {}}

    def harvest(self) -> None:
        for kind, queue in self._queues.items():
            seen = self.messages[kind]
            for message in list(queue._messages):
                if message.id not in seen:
                    # with SQS's SentTimestamp, as `outreach dead-letters list` reads it (virtual time, ms)
                    sent = {"SentTimestamp": {"StringValue": str(message.sent_timestamp)}}
                    seen[message.id] = (message.body, {**message.message_attributes, **sent})


def _loop(
    scenario: Scenario,
    w: world.World,
    runtime: moto_runtime.Runtime,
    clock: Any,
    inboxes: _QueueHarvest,
    faults: Faults,
    meter: metering.Metering,
    clicks: list[dict[str, Any]] | None = None,
) -> None:
    """Deliver, one at a time and in time order, whatever comes next: an event the action endpoint put on the
    bus, a scenario event (or click), a redrive of parked contacts, a timer falling due, a parked task's
    timeout, a useful run of the reconciler, or Lambda's retry of a failed asynchronous invocation (on ties in
    that order)."""
    events = scenario.timed_events()
    redrives = sorted(scenario.at(r, "redrives") for r in scenario.redrives)
    end = scenario.end()
    clients = _RunnerClients()  # fast path 114: made when first used (a fast run of orders without clicks: never)
    now = scenario.start
    index = 0
    actions = ActionClicks(w, lambda: clients.lam)
    timers = timer_index.TimerIndex(_due) if runtime.fast else None
    retries = _AsyncRetries(w, runtime)
    while True:
        runtime.quiescence.wait_idle(WATCHDOG_SECONDS)
        inboxes.harvest()
        retries.take_failures()
        candidates: list[tuple[datetime, int, Any]] = []
        tapped = actions.drain()
        if tapped is not None:
            candidates.append((now, -1, tapped))
        if index < len(events):
            candidates.append((events[index][0], 0, events[index]))
        if redrives:
            candidates.append((redrives[0], 1, None))
        timer = _next_timer(w.schedule_group, timers)
        if timer is not None:
            candidates.append((timer[0], 2, timer))
        deadline = _earliest_deadline(runtime.deadlines)
        if deadline is not None:
            candidates.append((deadline[1], 3, deadline[0]))
        if faults.windows:  # only faults leave claims in SENDING: without them the reconciler finds nothing
            reconcile = _next_useful_reconcile(w, scenario.start)
            if reconcile is not None:
                candidates.append((reconcile, 4, None))
        retry = retries.next()
        if retry is not None:
            candidates.append((retry.due, 5, None))
        if not candidates:
            break
        at, kind, what = min(candidates, key=lambda c: (c[0], c[1]))
        if at > end:
            break
        now = max(now, at)
        clock.move_to(now)
        if kind == -1:
            envelope = what
        elif kind == 0:
            index += 1
            _, position, event = what
            if event.click is not None:
                try:
                    outcome = actions.click(event.click, now)
                except NoSuchLink as exc:  # a click on a link no e-mail carries: an error of the scenario
                    raise ScenarioError(f"events[{position}].click (at {event.at!r}, {iso(now)}): {exc}") from None
                if clicks is not None:
                    clicks.append(outcome)
                continue
            envelope = _envelope(event, position, now)
        elif kind == 1:
            redrives.pop(0)
            operate.redrive(w.deployed, operate.parked(w.deployed))
            continue
        elif kind == 2:
            due, name, target = what
            if runtime.fast:  # fast path 45: straight to moto's backend (``own_calls``)
                own_calls.delete_schedule(world.REGION, w.schedule_group, name)
            else:
                clients.scheduler.delete_schedule(Name=name, GroupName=w.schedule_group)  # ActionAfterCompletion=DELETE
            if faults.loses_timer(due):
                continue  # Scheduler never delivers it: the wait's timeout is the safety net
            envelope = _timer_envelope(name, target, now)
            meter.timers += 1
        elif kind == 3:
            runtime.time_out(what)
            continue
        elif kind == 4:
            reconciler = world.function_name(FunctionName.RECONCILER)
            _deliver(clients, runtime.fast, reconciler, _scheduled_envelope(now))
            continue
        else:
            again = retries.pop()
            error = _deliver(clients, runtime.fast, again.function, again.event)
            if error is not None:
                retries.failed(again.function, again.event, again.attempt, now, error)
            continue
        meter.events += 1  # on the bus, then the rule invokes intake
        error = _deliver(clients, runtime.fast, w.intake_function, envelope)
        if error is not None:
            retries.failed(w.intake_function, envelope, 1, now, error)
    runtime.quiescence.wait_idle(WATCHDOG_SECONDS)
    inboxes.harvest()


def _earliest_deadline(deadlines: dict[Any, datetime]) -> tuple[Any, datetime] | None:
    """The parked task whose timeout comes first, the first parked on ties (fast path 75: from the index's heap)."""
    if isinstance(deadlines, timer_index.Deadlines):
        return deadlines.earliest()
    if not deadlines:
        return None
    return min(deadlines.items(), key=lambda item: item[1])


class _RunnerClients:
    """The runner's own boto3 clients, each made when first used (fast path 114): a client costs about 4 ms of CPU to
    make (botocore copies the session's event handlers, resolves the endpoint and reads its configuration), and a fast
    run delivers its events and deletes its fired schedules without them (fast path 45); only a click (through the
    action endpoint) or a plain run calls them. Made under the AWS lock, as a client made before the run was: making
    one reads ``os.environ``, which a handler's invocation changes while it runs."""

    @functools.cached_property
    def lam(self) -> Any:
        with moto_runtime.aws_call():
            return boto3.client("lambda", region_name=world.REGION)

    @functools.cached_property
    def scheduler(self) -> Any:
        with moto_runtime.aws_call():
            return boto3.client("scheduler", region_name=world.REGION)


def _deliver(clients: _RunnerClients, fast: bool, function: str, event: Any) -> str | None:
    """Invoke ``function`` with ``event`` as an EventBridge rule does (fast path 45: straight to moto's backend);
    the function's error (``Type: message``) when it failed, else None."""
    if fast:
        headers: dict[str, Any] = {}
        answer = own_calls.invoke(world.REGION, function, json.dumps(event), headers)
        if "x-amz-function-error" not in headers:
            return None
    else:
        response = own_calls.plain_invoke(clients.lam, function, json.dumps(event))
        if "FunctionError" not in response:
            return None
        answer = response["Payload"].read()
    try:
        failure = json.loads(answer)
        return f"{failure['errorType']}: {failure['errorMessage']}"
    except (ValueError, KeyError, TypeError):
        return "the function failed"


@dataclass(order=True)
class _Retry:
    due: datetime
    seq: int
    function: str = field(compare=False)
    event: Any = field(compare=False)
    attempt: int = field(compare=False)  # which attempt this delivery is: 2, 3 ...


class _AsyncRetries:
    """Lambda's retries of asynchronous invocations whose function failed: the bus's deliveries to intake (the
    runner's) and the handlers' ``Event`` invocations (``moto_runtime.AsyncFailure``), each played again
    ``ASYNC_RETRY_DELAYS`` after its last failure. Once they are spent, the event of a function with a dead-letter
    queue (``FunctionSpec.dead_letters``) goes there as Lambda's on-failure handling puts it: the event as it was,
    ``RequestID``, ``ErrorCode`` and ``ErrorMessage`` (here saying how many attempts failed, and the last error);
    the event of any other function is dropped, as Lambda drops it (the timeline's: the wait's own timeout advances
    the order later)."""

    def __init__(self, w: world.World, runtime: moto_runtime.Runtime) -> None:
        self._runtime = runtime
        self._pending: list[_Retry] = []
        self._count = 0
        self._dead_letters = {world.function_name(n) for n, spec in FUNCTIONS.items() if spec.dead_letters}
        self._queue = w.dead_letter_queue_url.rsplit("/", 1)[-1]

    def take_failures(self) -> None:
        """The handlers' asynchronous invocations that failed since the last look, each a first attempt."""
        if not self._runtime.async_failures:
            return
        with self._runtime.lock:
            failures, self._runtime.async_failures[:] = list(self._runtime.async_failures), []
        for f in failures:
            self.failed(f.function, f.event, 1, f.at, f"{f.error.error_type}: {f.error.message}")

    def failed(self, function: str, event: Any, attempt: int, at: datetime, error: str) -> None:
        """Attempt ``attempt`` of ``event`` failed at ``at`` with ``error``: the next one, or the on-failure end."""
        if attempt <= len(ASYNC_RETRY_DELAYS):
            self._count += 1
            heapq.heappush(
                self._pending, _Retry(at + ASYNC_RETRY_DELAYS[attempt - 1], self._count, function, event, attempt + 1)
            )
            return
        if function not in self._dead_letters:
            return
        message = f"not processed: {function} failed {attempt} times, last with {error}"[:1024]
        with moto_runtime.aws_call():
            sqs_backends[DEFAULT_ACCOUNT_ID][world.REGION].send_message(
                self._queue,
                json.dumps(event),
                message_attributes={
                    "RequestID": {"DataType": "String", "StringValue": f"retry-{self._count}"},
                    "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                    "ErrorMessage": {"DataType": "String", "StringValue": message},
                },
            )

    def next(self) -> _Retry | None:
        return self._pending[0] if self._pending else None

    def pop(self) -> _Retry:
        return heapq.heappop(self._pending)


def _next_useful_reconcile(w: world.World, start: datetime) -> datetime | None:
    """The first scheduled run of the reconciler (every ``FUNCTIONS[RECONCILER].every`` from the start) that finds
    a claim stuck in SENDING. Runs that would find nothing change nothing (they publish ``ContactsStuck`` 0), so
    the simulator skips them rather than waking up every 15 minutes of a 6-week run."""
    in_flight = ContactLedger(w.contacts_table).stuck(datetime.max.replace(tzinfo=UTC))
    if not in_flight:
        return None
    every = FUNCTIONS[FunctionName.RECONCILER].every
    assert every is not None
    oldest = datetime.strptime(str(in_flight[0][CLAIMED_AT]), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    ticks = (oldest + STUCK_AFTER - start) // every + 1  # the first run with the claim older than the bound
    return start + ticks * every


def _scheduled_envelope(now: datetime) -> dict[str, Any]:
    return {
        "version": "0",
        "id": f"schedule-{iso(now)}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": DEFAULT_ACCOUNT_ID,
        "time": iso(now),
        "region": world.REGION,
        "resources": [],
        "detail": {},
    }


def _next_timer(group: str, index: timer_index.TimerIndex | None = None) -> tuple[datetime, str, dict[str, Any]] | None:
    """The earliest pending one-time schedule, read from moto's EventBridge Scheduler backend (with ``index``: fast path
    54, the schedules that came and went since the last step; without: a look at every schedule)."""
    schedules = scheduler_backends[DEFAULT_ACCOUNT_ID][world.REGION].schedule_groups[group].schedules
    found = index.next(schedules) if index is not None else timer_index.scan(schedules, _due)
    if found is None:
        return None
    due, name, schedule = found
    return due, name, schedule.target


@functools.lru_cache(maxsize=65536)
def _due(expression: str) -> datetime | None:
    """When a one-time ``at(...)`` schedule fires (parsed once per expression: every step looks at all)."""
    match = _AT.match(expression)
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC) if match else None


def _envelope(event: ScenarioEvent, position: int, now: datetime) -> Any:
    if event.is_raw:
        return event.raw_payload
    return {
        "version": "0",
        "id": event.id or f"sim-{position:05d}",
        "detail-type": event.detail_type,
        "source": event.source,
        "account": DEFAULT_ACCOUNT_ID,
        "time": iso(now),
        "region": world.REGION,
        "resources": [],
        "detail": event.detail,
    }


def _timer_envelope(name: str, target: dict[str, Any], now: datetime) -> dict[str, Any]:
    params = target.get("EventBridgeParameters", {})
    return {
        "version": "0",
        "id": f"timer-{name}",
        "detail-type": params.get("DetailType", "Timer Due"),
        "source": params.get("Source", "outreach.timer"),
        "account": DEFAULT_ACCOUNT_ID,
        "time": iso(now),
        "region": world.REGION,
        "resources": [target.get("Arn", "")],
        "detail": json.loads(target.get("Input", "{}")),
    }


# -- reading back what really happened -----------------------------------------------------------
def _collect(
    scenario: Scenario, w: world.World, runtime: moto_runtime.Runtime, inboxes: _QueueHarvest
) -> SimulationResult:
    result = SimulationResult(scenario=scenario.name)
    contacts = _contacts(w, runtime.fast)
    result.contacts = [contact for contact, _ in contacts]
    result.sent = [content for _, content in contacts]
    result.alerts = _alerts(inboxes.messages["alerts"].values())
    result.rejected = _rejected(inboxes.messages["rejected"].values())
    result.orders, transitions = _orders(w, runtime.fast)
    result.stats = {
        "stateTransitions": transitions,
        "lambdaInvocations": runtime.lambda_invocations,
        "executions": runtime.quiescence.executions_started,
        # What the providers really accepted, whatever the ledger says (a sender that died after the call).
        "providerMessages": {
            "email": len(ses_backends[DEFAULT_ACCOUNT_ID][world.REGION].sent_messages),
            "sms": len(sns_backends[DEFAULT_ACCOUNT_ID][world.REGION].sms_messages),
        },
    }
    result.errors = [{"function": e.function, "type": e.error_type, "message": e.message} for e in runtime.errors]
    return result


def _contacts(w: world.World, fast: bool = False) -> list[tuple[dict[str, Any], bytes | str]]:
    """The contact ledger, each entry checked against what SES / SNS really sent, with what was sent."""
    emails = {m.id: m for m in ses_backends[DEFAULT_ACCOUNT_ID][world.REGION].sent_messages}
    sms = sns_backends[DEFAULT_ACCOUNT_ID][world.REGION].sms_messages
    # fast path 77: read from moto's table, in the order its Scan walks it (``table_reads``)
    items = table_reads.scan_items(w.contacts_table, world.REGION) if fast else None
    if items is None:
        items = ContactLedger(w.contacts_table).scan_all()
    out = []
    for item in items:
        if item.get("status") != "SENT":
            continue
        message_id = item["messageId"]
        if item["channel"] == "email":
            sent = emails.get(message_id)
            if sent is None:
                raise RuntimeError(f"ledger says {item['sk']} was e-mailed but SES has no message {message_id}")
            content: bytes | str
            if hasattr(sent, "raw_data"):  # SES v2 Raw content: the MIME message as the customer gets it
                # To and Subject: only the header section is read (as SES reads it, fast path 40; fast path 71)
                to, subject = read_back.to_and_subject(sent.raw_data, fast)
                content = sent.raw_data.encode()
            else:
                to, subject, content = sent.destinations["ToAddresses"][0], sent.subject, sent.body
        else:
            if message_id not in sms:
                raise RuntimeError(f"ledger says {item['sk']} was sent by SMS but SNS has no message {message_id}")
            to, subject, content = sms[message_id][0], item["subject"], sms[message_id][1]
        # An order's or a catalog request's contact; a message acknowledgement also names its conversation.
        owner: dict[str, Any] = {key: item[key] for key in ("orderId", "requestId", "conversationId") if key in item}
        if "orderId" in owner:
            owner.pop("requestId", None)
        contact = {
            "at": iso(datetime.fromisoformat(item["at"])),
            **owner,
            "kind": item["kind"],
            "channel": item["channel"],
            "to": to,
            "subject": subject,
        }
        if "promisedDate" in item:
            contact["promisedDate"] = item["promisedDate"]
        out.append((contact, content))
    return sorted(
        out,
        key=lambda pair: (
            pair[0]["at"],
            pair[0].get("orderId") or pair[0].get("requestId") or pair[0].get("conversationId") or "",
            pair[0]["channel"] == "sms",
            pair[0]["kind"],
        ),
    )


def _alerts(messages: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for body, _ in messages:
        alert = json.loads(body)
        entry = {"at": iso(datetime.fromisoformat(alert["at"])), "orderId": alert.get("orderId"), "kind": alert["kind"]}
        if alert.get("details"):
            entry["details"] = alert["details"]
        out.append(entry)
    return sorted(out, key=lambda a: (a["at"], a["orderId"] or "", a["kind"]))


def _rejected(messages: Iterable[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for body, attributes in messages:
        event = json.loads(body)
        is_event = isinstance(event, dict)
        entry = {
            "at": event.get("time") if is_event else None,
            "detailType": event.get("detail-type") if is_event else None,
            "error": operate.letter_reason(attributes, "rejected"),
        }
        detail = event.get("detail") if is_event else None
        keys: tuple[str, ...] = ("orderId", "requestId")
        if operate.sender_request(event, operate.letter_code(attributes)):
            # a function's own request that Lambda gave up on (the sender's: an order's, a catalog's, a message's),
            # at the time it was given up on
            detail, keys = event, ("orderId", "requestId", "messageId")
            sent_ms = int(attributes["SentTimestamp"]["StringValue"])
            entry["at"] = iso(datetime.fromtimestamp(sent_ms / 1000, UTC))
        if isinstance(detail, dict):
            for key in keys:
                if key in detail:
                    entry[key] = detail[key]
        out.append(entry)
    return sorted(out, key=lambda r: (r["at"] or "", r["detailType"] or ""))


def _orders(w: world.World, fast: bool) -> tuple[list[dict[str, Any]], int]:
    from outreach_lambda.adapters.orders import OrdersRepository

    orders_repo = OrdersRepository(w.orders_table)
    out = []
    transitions = 0
    for order_id, status, history_types in _executions(w, fast):
        transitions += sum(1 for kind in history_types if kind.endswith("StateEntered"))
        quotes = [
            {"at": iso(datetime.fromisoformat(q["at"])), "promisedDate": q["promisedDate"], "reason": q["reason"]}
            for q in orders_repo.quotes(order_id)
        ]
        out.append(
            {
                "orderId": order_id,
                "status": status,
                "promisedDate": quotes[-1]["promisedDate"] if quotes else None,
                "quotes": quotes,
            }
        )
    return sorted(out, key=lambda o: o["orderId"]), transitions


def _executions(w: world.World, fast: bool) -> Iterator[tuple[str, str, list[str]]]:
    """(orderId, status, history event types) of every execution of the state machine.

    Fast: read from moto's Step Functions backend in memory (the events ``GetExecutionHistory`` would
    page through, without serialising thousands of them). Plain: through the API, as a user would.
    """
    if fast:
        for execution_input, status, kinds in moto_runtime.executions_in_memory(w.state_machine_arn, world.REGION):
            yield json.loads(execution_input)["orderId"], status, kinds
        return
    sfn = boto3.client("stepfunctions", region_name=world.REGION)
    listed = []
    for page in sfn.get_paginator("list_executions").paginate(stateMachineArn=w.state_machine_arn):
        listed.extend(page["executions"])
    for item in listed:
        history: list[Any] = []
        for events in sfn.get_paginator("get_execution_history").paginate(executionArn=item["executionArn"]):
            history.extend(events["events"])
        order_id = json.loads(sfn.describe_execution(executionArn=item["executionArn"])["input"])["orderId"]
        yield order_id, item["status"], [e["type"] for e in history]
