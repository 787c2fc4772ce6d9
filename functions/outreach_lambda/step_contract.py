"""The step contract: every Lambda's input and output as the state machine (and intake) sees them.

The state machine (``statemachines/order_timeline.asl.json``) reads and writes these by their JSON names
(camelCase aliases); ``tests/infra/test_step_contract.py`` checks every ``$.Payload.x`` path, every
``$.x`` path, every Choice value and every ``${...}`` substitution of the ASL against the models here, so a
rename on either side fails a test. Checked-in examples of each payload are in ``tests/fixtures/payloads/``.

Data flow of one execution:

1. intake starts it with :class:`ExecutionInput`;
2. "Record order and promise" / "Apply order events and due contacts" call the timeline function with
   :class:`TimelineRequest`; it answers :class:`TimelineResult`, which becomes the state data
   (:data:`STATE_DATA`) every later state reads;
3. "Send contact" calls the sender with :class:`SendRequest` per due contact; it answers :class:`SendResult`
   (intake also invokes the sender, with :class:`SendRequest` or :class:`CatalogSendRequest`);
4. "Wait for next contact or order event" calls the waiter with :class:`WaitRequest`; the task ends when
   intake or the waiter completes the token with :class:`WakeUp` (discarded: ``ResultPath`` null).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from outreach_lambda.domain.model import Channel, ContactKind, ContactOrder, RunStatus
from outreach_lambda.wiring import FunctionName

OrderId = Annotated[str, Field(min_length=1, max_length=128)]


class StepModel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    def to_payload(self) -> dict[str, Any]:
        """The JSON object the state machine (or intake) sees."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class ExecutionInput(StepModel):
    """The input of an order's execution. No customer data: the execution reads the order from its inbox."""

    order_id: OrderId = Field(alias="orderId")


class TimelineRequest(StepModel):
    order_id: OrderId = Field(alias="orderId")


class TimelineResult(StepModel):
    """What to do next: the contacts due now, when to wake up, and whether the timeline goes on."""

    order_id: OrderId = Field(alias="orderId")
    status: RunStatus  # the state machine's Choice branches on it
    contacts: list[ContactOrder]
    wake_at: AwareDatetime | None = Field(alias="wakeAt")

    def to_payload(self) -> dict[str, Any]:
        # wakeAt is always present (null when nothing is planned): the state machine selects it by name.
        return self.model_dump(mode="json", by_alias=True)


class WaitRequest(StepModel):
    order_id: OrderId = Field(alias="orderId")
    wake_at: AwareDatetime | None = Field(alias="wakeAt")
    task_token: str = Field(alias="taskToken", min_length=1)


class WaitResult(StepModel):
    order_id: OrderId = Field(alias="orderId")
    outcome: Literal["woken", "parked"]


class WakeUp(StepModel):
    """The output a wait token is completed with (what woke the execution)."""

    woken_by: str = Field(alias="wokenBy")


class SendRequest(StepModel):
    """One of an order's contacts on one channel, to send at most once."""

    order_id: OrderId = Field(alias="orderId")
    contact: ContactOrder


class CatalogSendRequest(StepModel):
    """The follow-up of a catalog request (no order, no timeline)."""

    request_id: str = Field(alias="requestId", min_length=1, max_length=128)


SendStatus = Literal["sent", "duplicate", "retry", "parked", "failed", "unconfirmed", "suppressed", "skipped"]


class SendResult(StepModel):
    order_id: str | None = Field(default=None, alias="orderId")
    request_id: str | None = Field(default=None, alias="requestId")
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

#: Per function the state machine invokes: (the request it sends, the result it reads).
STEPS: dict[FunctionName, tuple[type[StepModel], type[StepModel]]] = {
    FunctionName.TIMELINE: (TimelineRequest, TimelineResult),
    FunctionName.WAITER: (WaitRequest, WaitResult),
    FunctionName.SENDER: (SendRequest, SendResult),
}
