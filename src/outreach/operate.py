"""Commands against a deployed stack (boto3, the normal profile and region resolution): send an event, show an
order's status, work the dead-letter queue, resume an order whose timeline failed, redrive parked contacts.
See docs/runbook.md.

The stack's resources are read from its CloudFormation outputs (``--stack``, default ``Outreach-dev``, or
``Outreach-$STAGE`` when ``STAGE`` is set).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
from outreach_lambda.adapters.aws import update_if
from outreach_lambda.adapters.contacts import PARKED_CAUSES_PK, ContactLedger
from outreach_lambda.adapters.conversations import message_pk
from outreach_lambda.adapters.opt_outs import DynamoOptOuts
from outreach_lambda.adapters.orders import OrdersRepository, catalog_pk, order_pk, promise_ledger
from outreach_lambda.adapters.workflow import execution_name
from outreach_lambda.domain.events import (
    INTERNAL_DETAIL_TYPES,
    Detail,
    check_source,
    parse_detail,
)
from outreach_lambda.domain.model import ContactOrder
from outreach_lambda.domain.stages import stage
from outreach_lambda.ports import LedgerStatus
from outreach_lambda.services.reconciler import STUCK_AFTER
from outreach_lambda.step_contract import (
    CatalogSendRequest,
    ExecutionInput,
    FeedbackNote,
    IntakeResult,
    MessageAckRequest,
    SendRequest,
    SendResult,
    StepModel,
)
from pydantic import ValidationError

#: The stack the commands work on unless ``--stack`` says otherwise: ``Outreach-<STAGE>`` (infra/app.py).
DEFAULT_STAGE = "dev"


def default_stack() -> str:
    return f"Outreach-{os.environ.get('STAGE') or DEFAULT_STAGE}"


#: CloudFormation outputs of the stack (infra/stack.py) these commands need.
OUTPUTS = (
    "StateMachineArn",
    "DeadLetterQueueUrl",
    "OrdersTableName",
    "ContactsTableName",
    "IntakeFunctionName",
    "SenderFunctionName",
    "EventBusName",
)
RESUMABLE = ("FAILED", "TIMED_OUT", "ABORTED")
#: The code of a letter Lambda put in the queue after a function failed on it three times (attributes
#: ``RequestID``, ``ErrorCode``, ``ErrorMessage``), as opposed to one intake rejected or EventBridge could not deliver.
FUNCTION_FAILED = "FUNCTION_FAILED"
#: How long a replay hides the dead letters it is about to replay from other readers.
REPLAY_HOLD = 300


class OperateError(RuntimeError):
    """What an operator must know: the command did nothing (or nothing more)."""


@dataclass(frozen=True)
class Deployed:
    state_machine_arn: str
    dead_letter_queue_url: str
    orders_table: str
    contacts_table: str
    intake_function: str
    sender_function: str
    event_bus_name: str = ""

    @classmethod
    def from_stack(cls, stack_name: str) -> Deployed:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
        missing = [key for key in OUTPUTS if key not in outputs]
        if missing:
            raise OperateError(f"stack {stack_name!r} has no output {', '.join(missing)}: deploy the current version")
        return cls(
            outputs["StateMachineArn"],
            outputs["DeadLetterQueueUrl"],
            outputs["OrdersTableName"],
            outputs["ContactsTableName"],
            outputs["IntakeFunctionName"],
            outputs["SenderFunctionName"],
            outputs["EventBusName"],
        )

    @property
    def region(self) -> str:
        """The region of the stack (from the state machine's ARN)."""
        return self.state_machine_arn.split(":")[3]

    def execution_arn(self, name: str) -> str:
        return self.state_machine_arn.replace(":stateMachine:", ":execution:", 1) + f":{name}"

    def console_link(self, execution_arn: str) -> str:
        """The execution's page in the Step Functions console."""
        region = self.region
        return (
            f"https://{region}.console.aws.amazon.com/states/home?region={region}"
            f"#/v2/executions/details/{quote(execution_arn, safe=':')}"
        )


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    receipt_handle: str
    event: Any
    code: str
    reason: str

    @property
    def for_sender(self) -> bool:
        return sender_request(self.event, self.code)

    def summary(self) -> dict[str, Any]:
        event: dict[str, Any] = self.event if isinstance(self.event, dict) else {}
        detail: dict[str, Any] = event["detail"] if isinstance(event.get("detail"), dict) else {}
        if self.for_sender:
            detail = {**event, "orderId": event.get("orderId") or event.get("messageId")}
        return {
            "messageId": self.message_id,
            "time": event.get("time"),
            "detailType": event.get("detail-type"),
            "source": event.get("source"),
            "eventId": event.get("id"),
            "orderId": detail.get("orderId") or detail.get("requestId"),
            "code": self.code,
            "reason": self.reason,
        }


def dead_letters(deployed: Deployed, limit: int = 100, hold_seconds: int = 0) -> list[DeadLetter]:
    """Up to ``limit`` rejected or undeliverable events, oldest first, with their reasons, left in the queue.
    ``hold_seconds`` hides them from other readers meanwhile (a replay holds what it is about to replay)."""
    sqs = boto3.client("sqs")
    found: dict[str, DeadLetter] = {}
    while len(found) < limit:
        messages = sqs.receive_message(
            QueueUrl=deployed.dead_letter_queue_url,
            MaxNumberOfMessages=min(10, limit - len(found)),
            VisibilityTimeout=hold_seconds,
            MessageAttributeNames=["All"],
            AttributeNames=["SentTimestamp"],
        ).get("Messages", [])
        if not [m for m in messages if m["MessageId"] not in found]:
            break
        for message in messages:
            attributes: dict[str, dict[str, str]] = dict(message.get("MessageAttributes", {}))  # type: ignore[arg-type]
            try:
                event: Any = json.loads(message["Body"])
            except json.JSONDecodeError:
                event = message["Body"]
            found.setdefault(
                message["MessageId"],
                DeadLetter(
                    message["MessageId"],
                    message["ReceiptHandle"],
                    event,
                    letter_code(attributes),
                    letter_reason(attributes, "EventBridge or Lambda could not deliver it"),
                ),
            )
    return sorted(found.values(), key=lambda d: str(d.summary()["time"] or ""))


def letter_code(attributes: dict[str, dict[str, str]]) -> str:
    """Why a letter is in the queue: intake's or EventBridge's code, ``FUNCTION_FAILED`` when Lambda put it there
    after its retries (its attributes are ``RequestID``, ``ErrorCode``, ``ErrorMessage``), else ``UNDELIVERED``."""
    if "ERROR_CODE" in attributes:
        return attributes["ERROR_CODE"].get("StringValue", "UNDELIVERED")
    return FUNCTION_FAILED if "ErrorMessage" in attributes else "UNDELIVERED"


def letter_reason(attributes: dict[str, dict[str, str]], default: str) -> str:
    """The letter's reason: intake's or EventBridge's (``ERROR_MESSAGE``), or Lambda's last error (``ErrorMessage``)."""
    return (attributes.get("ERROR_MESSAGE") or attributes.get("ErrorMessage") or {}).get("StringValue", default)


def sender_request(event: Any, code: str) -> bool:
    """A request the sender failed on after Lambda's retries (Lambda's own letter, not an event)."""
    return code == FUNCTION_FAILED and isinstance(event, dict) and "detail-type" not in event and "detail" not in event


def replay(deployed: Deployed, letters: list[DeadLetter]) -> list[dict[str, Any]]:
    """Hand each letter again to the function it was meant for, as it was, then take it off the queue: an event
    to intake (same event id: intake never applies an event twice; one still rejected is dead-lettered again by
    intake, with today's reason), a request the sender failed on after Lambda's retries to the sender (the contact
    ledger keeps it at most once). Read ``letters`` with ``hold_seconds`` (``REPLAY_HOLD``) so no one else replays
    them meanwhile."""
    lam = boto3.client("lambda")
    sqs = boto3.client("sqs")
    outcomes = []
    for letter in letters:
        is_event = not letter.for_sender
        response = lam.invoke(
            FunctionName=deployed.intake_function if is_event else deployed.sender_function,
            InvocationType="RequestResponse",
            Payload=json.dumps(letter.event).encode(),
        )
        body = json.loads(response["Payload"].read() or b"{}")
        if response.get("FunctionError"):
            outcomes.append({**letter.summary(), "outcome": "error", "reason": str(body)[:500]})
            continue  # left in the queue: nothing happened
        outcome: str
        if is_event:
            result = IntakeResult.model_validate(body)
            outcome, reason = result.outcome, result.reason
        else:
            sent = SendResult.model_validate(body)
            outcome, reason = sent.status, sent.reason
        sqs.delete_message(QueueUrl=deployed.dead_letter_queue_url, ReceiptHandle=letter.receipt_handle)
        outcomes.append({**letter.summary(), "outcome": outcome, "reason": reason})
    return outcomes


def resume(deployed: Deployed, order_id: str) -> str:
    """Start a new execution for an order whose execution failed, timed out or was aborted. It continues from the
    order's stored state: contacts already sent are in the contact ledger and are not sent again."""
    item = (
        boto3.client("dynamodb")
        .get_item(
            TableName=deployed.orders_table,
            Key={"pk": {"S": f"ORDER#{order_id}"}, "sk": {"S": "STATE"}},
            ConsistentRead=True,
        )
        .get("Item")
    )
    if item is None:
        raise OperateError(f"order {order_id!r} is not known")
    if item.get("runStatus", {}).get("S") in ("cancelled", "complete"):
        raise OperateError(
            f"order {order_id!r} has finished its timeline ({item['runStatus']['S']}): nothing to resume"
        )
    ours = _executions(deployed, order_id)
    if not ours:
        raise OperateError(f"order {order_id!r} has no execution to resume")
    latest = max(ours, key=lambda e: e["startDate"])
    if latest["status"] not in RESUMABLE:
        raise OperateError(f"order {order_id!r}: its execution {latest['name']} is {latest['status']}, not failed")
    name = f"{resumed_prefix(order_id)}{len(ours)}"
    return str(
        boto3.client("stepfunctions").start_execution(
            stateMachineArn=deployed.state_machine_arn,
            name=name,
            input=ExecutionInput(order_id=order_id).model_dump_json(by_alias=True),
        )["executionArn"]
    )


def parked(deployed: Deployed) -> list[dict[str, Any]]:
    """Every contact parked because the account could not send (a scan: an operator's command, not a Lambda's)."""
    return with_status(deployed, LedgerStatus.PARKED)


def with_status(deployed: Deployed, status: LedgerStatus) -> list[dict[str, Any]]:
    """Every contact-ledger entry with ``status`` (a scan: an operator's command, not a Lambda's)."""
    table = boto3.resource("dynamodb").Table(deployed.contacts_table)
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {
        "FilterExpression": "#s = :status",
        "ExpressionAttributeNames": {"#s": "status"},
        "ExpressionAttributeValues": {":status": status.value},
        "ConsistentRead": True,
    }
    while True:
        page = table.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: (str(i["pk"]), str(i["sk"])))
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def redrive(deployed: Deployed, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Send each parked contact now that its cause is fixed: through the sender, which claims it (PARKED ->
    SENDING) first, so each goes out once however often this runs, and not at all if the order moved on."""
    lam = boto3.client("lambda")
    table = boto3.resource("dynamodb").Table(deployed.contacts_table)
    for cause in {str(i.get("parkedCause", "")) for i in items}:
        table.delete_item(Key={"pk": PARKED_CAUSES_PK, "sk": cause})  # ops hear again if it is still there
    outcomes = []
    for item in items:
        request = send_request(item, redrive=True)
        response = lam.invoke(FunctionName=deployed.sender_function, Payload=json.dumps(request.to_payload()).encode())
        body = json.loads(response["Payload"].read() or b"{}")
        outcomes.append({"key": item["sk"], **request.to_payload(), "outcome": body.get("status", "error")})
    return outcomes


def send_request(item: dict[str, Any], redrive: bool) -> StepModel:
    """What the sender is asked to send again for one contact-ledger entry: a customer message's
    acknowledgement, an order's contact (with the late feedback it answers), or a catalog request's contact."""
    if "conversationId" in item:
        return MessageAckRequest(message_id=item["conversationId"], redrive=redrive)
    if "orderId" in item:
        contact = ContactOrder(key=item["sk"], kind=item["kind"], channel=item["channel"], due_at=item["dueAt"])
        feedback = (
            FeedbackNote(rating=int(item["feedbackRating"]), comment=item.get("feedbackComment"))
            if "feedbackRating" in item
            else None
        )
        return SendRequest(order_id=item["orderId"], contact=contact, redrive=redrive, feedback=feedback)
    kind = "design_advice_offer" if item.get("kind") == "design_advice_offer" else None
    return CatalogSendRequest(request_id=item["requestId"], redrive=redrive, kind=kind)


# -- claims stuck in SENDING and contacts whose outcome is unknown (contact_unconfirmed) -------------------
def stuck(deployed: Deployed, now: datetime | None = None) -> list[dict[str, Any]]:
    """Contacts claimed more than ``STUCK_AFTER`` ago and still SENDING (the reconciler's own Query of the index
    of claims in flight): the ones it has not yet turned into ``contact_unconfirmed``."""
    return ContactLedger(deployed.contacts_table).stuck((now or datetime.now(UTC)) - STUCK_AFTER)


def _ledger_key(owner: str, key: str, request: bool, message: bool = False) -> dict[str, str]:
    pk = message_pk(owner) if message else catalog_pk(owner) if request else order_pk(owner)
    return {"pk": pk, "sk": key}


def _from_unconfirmed(
    deployed: Deployed, owner: str, key: str, request: bool, to: LedgerStatus, message: bool = False, **fields: str
) -> dict:
    """Move one UNCONFIRMED entry to ``to`` (conditional: never an entry in any other state)."""
    names = {"#s": "status", **{f"#f{i}": name for i, name in enumerate(fields)}}
    values = {":to": to.value, ":unconfirmed": LedgerStatus.UNCONFIRMED.value}
    values.update({f":f{i}": value for i, value in enumerate(fields.values())})
    sets = ", ".join(["#s = :to", *(f"#f{i} = :f{i}" for i in range(len(fields)))])
    item = update_if(
        deployed.contacts_table,
        Key=_ledger_key(owner, key, request, message),
        UpdateExpression=f"SET {sets}",
        ConditionExpression="#s = :unconfirmed",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    if item is None:
        raise OperateError(f"{owner} {key}: no unconfirmed contact with that key (see 'outreach contacts unconfirmed')")
    return item


def resend(deployed: Deployed, owner: str, key: str, request: bool = False, message: bool = False) -> dict[str, Any]:
    """An unconfirmed contact that a human checked did not go (SES event destination / SNS delivery logs): make it
    claimable again and send it through the sender, which claims it first, so it goes once however often this runs,
    and not at all if the order moved on (a cancellation) or the address opted out meanwhile. ``owner`` is an
    order id, a catalog request id (``request``) or a customer message id (``message``)."""
    item = _from_unconfirmed(
        deployed,
        owner,
        key,
        request,
        LedgerStatus.RETRY,
        message,
        checkedAt=datetime.now(UTC).isoformat(),
        checkedBy="ops",
    )
    request_to_send = send_request(item, redrive=False)
    response = boto3.client("lambda").invoke(
        FunctionName=deployed.sender_function, Payload=json.dumps(request_to_send.to_payload()).encode()
    )
    body = json.loads(response["Payload"].read() or b"{}")
    return {"key": key, **request_to_send.to_payload(), "outcome": body.get("status", "error")}


def skip(
    deployed: Deployed, owner: str, key: str, request: bool = False, sent: bool = False, message: bool = False
) -> dict[str, Any]:
    """Settle an unconfirmed contact without sending: ``sent`` when the provider's logs show it went (SENT), else
    SKIPPED (ops decided it is not to go)."""
    now = datetime.now(UTC).isoformat()
    if sent:
        _from_unconfirmed(deployed, owner, key, request, LedgerStatus.SENT, message, confirmedAt=now, confirmedBy="ops")
        return {"key": key, "outcome": "sent"}
    _from_unconfirmed(
        deployed, owner, key, request, LedgerStatus.SKIPPED, message, reason="skipped by ops", skippedAt=now
    )
    return {"key": key, "outcome": "skipped"}


# -- the shop's own opt-out list ----------------------------------------------------------------------------
def opt_outs(deployed: Deployed) -> DynamoOptOuts:
    """The opt-out list of the deployed stack (in its contacts table), as the senders read it."""
    return DynamoOptOuts(deployed.contacts_table)


# --- send-event -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutgoingEvent:
    """An order event read from a file: ``{"source", "detail-type", "detail"[, "time"]}`` (examples/events/)."""

    source: str
    detail_type: str
    detail: dict[str, Any]
    time: datetime
    parsed: Detail

    @property
    def order_id(self) -> str | None:
        """The order it is about (none for a catalog request or a delay by sku)."""
        order_id = getattr(self.parsed, "order_id", None)
        return str(order_id) if order_id else None


_ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:?\d\d)")
_ISO_DATE = re.compile(r"\d{4}-\d\d-\d\d")


def redated(raw: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The event moved in time so that its ``time`` is ``now``: every timestamp and date in its detail shifts by
    the same amount (an example's order placed "now", its estimates as far ahead as in the file)."""
    then = datetime.fromisoformat(str(raw.get("time", now.isoformat())).replace("Z", "+00:00"))
    shift = now - then

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: move(v) for k, v in value.items()}
        if isinstance(value, list):
            return [move(v) for v in value]
        if isinstance(value, str) and _ISO_INSTANT.fullmatch(value):
            return (datetime.fromisoformat(value.replace("Z", "+00:00")) + shift).isoformat()
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            return (date.fromisoformat(value) + timedelta(days=round(shift.total_seconds() / 86400))).isoformat()
        return value

    return {**raw, "time": now.isoformat(), "detail": move(raw.get("detail"))}


def read_event(path: Path, now: datetime | None = None, *, redate: bool = False) -> OutgoingEvent:
    """Read and validate an event file with the same models intake applies; OperateError names the field.
    ``redate`` moves it to ``now`` first (``redated``)."""
    try:
        raw: Any = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise OperateError(f"{path}: cannot read it: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise OperateError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise OperateError(f"{path}: must be a JSON object with source, detail-type and detail")
    if redate:
        raw = redated(raw, now or datetime.now(UTC))
    missing = [key for key in ("source", "detail-type", "detail") if key not in raw]
    if missing:
        raise OperateError(f"{path}: {', '.join(missing)}: missing")
    source, detail_type, detail = raw["source"], raw["detail-type"], raw["detail"]
    if detail_type in INTERNAL_DETAIL_TYPES:
        raise OperateError(
            f"{path}: detail-type: {detail_type!r} is internal; only Outreach itself sends it (its timers, intake)"
        )
    when = now or datetime.now(UTC)
    try:
        if "time" in raw:
            when = datetime.fromisoformat(str(raw["time"]).replace("Z", "+00:00"))
        check_source(str(detail_type), str(source))
        parsed = parse_detail(str(detail_type), detail, when)
    except ValidationError as exc:
        problems = "; ".join(f"detail.{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors())
        raise OperateError(f"{path}: {problems}") from None
    except ValueError as exc:  # unknown detail-type, wrong source, a bad time
        raise OperateError(f"{path}: {exc}") from None
    return OutgoingEvent(str(source), str(detail_type), dict(detail), when, parsed)


def send_event(deployed: Deployed, event: OutgoingEvent) -> dict[str, Any]:
    """Put the event on the stack's bus; what happened and where to watch it (the order's execution)."""
    entry: dict[str, Any] = {
        "Source": event.source,
        "DetailType": event.detail_type,
        "Detail": json.dumps(event.detail),
        "Time": event.time,
        "EventBusName": deployed.event_bus_name,
    }
    response = boto3.client("events").put_events(Entries=[entry])
    [result] = response["Entries"]
    if response.get("FailedEntryCount") or "EventId" not in result:
        raise OperateError(f"EventBridge refused the event: {result.get('ErrorCode')}: {result.get('ErrorMessage')}")
    out: dict[str, Any] = {"eventId": result["EventId"], "detailType": event.detail_type}
    if event.order_id:
        arn = deployed.execution_arn(execution_name(event.order_id))
        out |= {"orderId": event.order_id, "execution": arn, "console": deployed.console_link(arn)}
    return out


# --- status -----------------------------------------------------------------------------------------------


def status(deployed: Deployed, order_id: str) -> dict[str, Any]:
    """Where an order stands: stage, promise ledger, contacts with their status, pending timer, execution."""
    record = OrdersRepository(deployed.orders_table).get(order_id)
    if record is None:
        raise OperateError(f"order {order_id!r} is not known")
    contacts = []
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": order_pk(order_id)},
        "ConsistentRead": True,
    }
    table = boto3.resource("dynamodb").Table(deployed.contacts_table)
    while True:
        page = table.query(**kwargs)
        for item in page["Items"]:
            contacts.append(
                {
                    "key": item["sk"],
                    "kind": item.get("kind"),
                    "channel": item.get("channel"),
                    "status": item.get("status"),
                    "at": item.get("sentAt") or item.get("failedAt") or item.get("at"),
                    **({"promisedDate": item["promisedDate"]} if item.get("promisedDate") else {}),
                    **({"error": item["errorCode"]} if item.get("errorCode") else {}),
                }
            )
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    execution = _latest_execution(deployed, order_id)
    state = record.state
    return {
        "orderId": order_id,
        "runStatus": record.run_status,
        "stage": stage(state).value if state is not None else "registered",
        "promisedDate": state.promised.isoformat() if state is not None and state.promised else None,
        "quotes": promise_ledger(state),
        "contacts": sorted(contacts, key=lambda c: (str(c["at"] or ""), c["key"])),
        "timer": {"dueAt": record.timer_due_at, "name": record.timer_name} if record.timer_due_at else None,
        "execution": execution,
    }


def resumed_prefix(order_id: str) -> str:
    return f"{execution_name(order_id)[:60]}-resumed-"  # execution names are at most 80 characters


def _executions(deployed: Deployed, order_id: str) -> list[dict[str, Any]]:
    """The order's executions: the first (named by the order id) and every resumed one."""
    base, resumed = execution_name(order_id), resumed_prefix(order_id)
    ours: list[dict[str, Any]] = []
    paginator = boto3.client("stepfunctions").get_paginator("list_executions")
    for page in paginator.paginate(stateMachineArn=deployed.state_machine_arn):
        ours += [dict(e) for e in page["executions"] if e["name"] == base or e["name"].startswith(resumed)]
    return ours


def _latest_execution(deployed: Deployed, order_id: str) -> dict[str, Any] | None:
    ours = _executions(deployed, order_id)
    if not ours:
        return None
    latest = max(ours, key=lambda e: e["startDate"])
    return {
        "name": latest["name"],
        "status": latest["status"],
        "arn": latest["executionArn"],
        "console": deployed.console_link(latest["executionArn"]),
    }
