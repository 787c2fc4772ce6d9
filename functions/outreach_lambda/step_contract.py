"""The step contract: every Lambda's input and output as the state machine (and intake) sees them.

The state machine (``statemachines/order_timeline.asl.json``) reads and writes these by their JSON names
(camelCase aliases); ``tests/infra/test_step_contract.py`` checks every ``$.Payload.x`` path, every
``$.x`` path, every Choice value and every ``${...}`` substitution of the ASL against the models here, so a
rename on either side fails a test. Checked-in examples of each payload are in ``tests/fixtures/payloads/``.

Data flow of one execution:

1. intake starts it with :class:`ExecutionInput`;
2. "Record the order and promise" calls the timeline function with :class:`RecordRequest`; it answers
   :class:`TimelineResult`, the state data (:data:`STATE_DATA`) every later state reads: which phase the
   order is in (the Choice routes on it), when it wakes next, the promise, the contacts so far;
3. each "Waiting for ..." state stores its task token on the order itself (one conditional DynamoDB
   ``UpdateItem``, an AWS SDK integration: ``adapters.orders.park_request``). Intake takes the token when an
   event or a timer arrives and hands it to the timeline function (:class:`WakeRequest`, an asynchronous
   invoke), which completes it with the next :class:`TimelineResult`. A wait whose write is refused (an event
   arrived meanwhile, or the order moved on) or that times out goes to "Advance the order", which calls the
   timeline function with :class:`RecordRequest` as the first task does. Executions started under the older
   definition still call the timeline function from their waits (:class:`WaitRequest`) until they end;
4. the sender function is invoked by intake (:class:`SendRequest`, :class:`CatalogSendRequest`) for contacts
   outside a running timeline; it answers :class:`SendResult`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from outreach_lambda.domain.model import Channel, ContactKind, ContactOrder
from outreach_lambda.domain.stages import Phase

OrderId = Annotated[str, Field(min_length=1, max_length=128)]


class StepModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    def to_payload(self) -> dict[str, Any]:
        """The JSON object the state machine (or intake) sees."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ExecutionInput(StepModel):
    """The input of an order's execution. No customer data: the execution reads the order from its inbox."""

    order_id: OrderId = Field(alias="orderId")


class RecordRequest(StepModel):
    """One step of an order's execution: its first ("Record the order and promise"), or "Advance the order"
    (a wait that could not park, or timed out)."""

    order_id: OrderId = Field(alias="orderId")


class TimelineResult(StepModel):
    """Where the order stands after a step: the state data of its execution (no customer data)."""

    order_id: OrderId = Field(alias="orderId")
    phase: Phase  # the state machine's Choice routes on it
    wake_at: AwareDatetime | None = Field(alias="wakeAt")
    wait_seconds: int = Field(alias="waitSeconds", ge=1)  # the wait's safety-net timeout
    promised_date: date | None = Field(default=None, alias="promisedDate")
    contacts_sent: list[str] = Field(default_factory=list, alias="contactsSent")

    def to_payload(self) -> dict[str, Any]:
        # wakeAt is always present (null when nothing is planned): the state machine selects it by name.
        return self.model_dump(mode="json", by_alias=True)


class WaitRequest(StepModel):
    """A "Waiting for ..." state of the older definition (``lambda:invoke.waitForTaskToken``): park the order on
    this token until its next contact or event. Still served for the executions started under that definition
    (docs/runbook.md, "Deploying the SDK park"); the current definition parks with its own DynamoDB write."""

    order_id: OrderId = Field(alias="orderId")
    phase: Phase
    wake_at: AwareDatetime | None = Field(alias="wakeAt")
    task_token: str = Field(alias="taskToken", min_length=1)


class WakeRequest(StepModel):
    """From intake, which claimed the parked order's token: advance the order and complete the token."""

    order_id: OrderId = Field(alias="orderId")
    task_token: str = Field(alias="taskToken", min_length=1)
    woken_by: str = Field(alias="wokenBy", max_length=100)


class WaitResult(StepModel):
    order_id: OrderId = Field(alias="orderId")
    outcome: Literal["parked", "advanced"]


class FeedbackNote(StepModel):
    """Feedback that arrived after the timeline ended: what the acknowledgement answers."""

    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


class SendRequest(StepModel):
    """One of an order's contacts on one channel, to send at most once."""

    order_id: OrderId = Field(alias="orderId")
    contact: ContactOrder
    redrive: bool = False  # a parked contact, sent now that its cause is fixed (outreach contacts redrive)
    feedback: FeedbackNote | None = None  # a late feedback acknowledgement answers this feedback


class CatalogSendRequest(StepModel):
    """A catalog request's contact (no order, no timeline): the follow-up at once, or the design-advice offer."""

    request_id: str = Field(alias="requestId", min_length=1, max_length=128)
    redrive: bool = False
    kind: Literal["catalog_follow_up", "design_advice_offer"] | None = None  # None: the follow-up


class MessageAckRequest(StepModel):
    """The acknowledgement of a customer message: when they will hear back (from the recorded message)."""

    message_id: str = Field(alias="messageId", min_length=1, max_length=128)
    redrive: bool = False


SendStatus = Literal["sent", "duplicate", "retry", "parked", "failed", "unconfirmed", "suppressed", "skipped"]


class SendResult(StepModel):
    order_id: str | None = Field(default=None, alias="orderId")
    request_id: str | None = Field(default=None, alias="requestId")
    #: The customer message a message acknowledgement answers (``messageId`` is the provider's message id).
    conversation_id: str | None = Field(default=None, alias="conversationId")
    key: str
    kind: ContactKind
    channel: Channel
    status: SendStatus
    message_id: str | None = Field(default=None, alias="messageId")
    retry_at: AwareDatetime | None = Field(default=None, alias="retryAt")  # status "retry": when it goes again
    reason: str | None = None


class IntakeResult(StepModel):
    outcome: Literal["accepted", "duplicate", "ignored", "rejected"]
    order_ids: list[str] = Field(default_factory=list, alias="orderIds")
    reason: str | None = None


#: The state data between the states of an execution, after its first step.
STATE_DATA = TimelineResult

#: What the state machine's tasks send the timeline function, and read back: a plain task's result
#: (``$.Payload``), or a callback task's output (the completed token's output, the state data itself).
TASK_REQUESTS: tuple[type[StepModel], ...] = (RecordRequest,)
TASK_RESULT = TimelineResult
