"""The order timeline's stored state and its decision: the models the other domain modules work on.

``OrderState`` is saved as JSON in the orders table (``ORDER#id`` / ``STATE``) and ``Quote`` is the promise
ledger's item; ``ContactOrder`` goes to the sender and ``Decision`` back to the state machine. Their field
names, aliases (camelCase on the wire) and JSON shape are a storage contract: change them only with a migration.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from outreach_lambda.domain.events import Address, OrderPlaced

ContactKind = Literal[
    "order_confirmation",
    "production_update",
    "shipped",
    "delay_notice",
    "satisfaction_check",
    "cancellation_confirmation",
    "catalog_follow_up",
    "feedback_acknowledgement",
    "message_acknowledgement",
    "design_advice_offer",
]
Channel = Literal["email", "sms"]
RunStatus = Literal["running", "cancelled", "complete"]
#: Run statuses after which an order's timeline is over: later order events are not applied to it.
FINISHED_RUN_STATUSES: tuple[RunStatus, ...] = ("cancelled", "complete")


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=False, extra="ignore")


class Quote(Model):
    at: AwareDatetime
    promised_date: date = Field(alias="promisedDate")
    reason: str
    cause: str | None = None


class Shipment(Model):
    carrier: str
    tracking_number: str = Field(alias="trackingNumber")
    tracking_url: str | None = Field(default=None, alias="trackingUrl")
    estimated_delivery: AwareDatetime | None = Field(default=None, alias="estimatedDelivery")
    delivery_details: str | None = Field(default=None, alias="deliveryDetails")
    shipped_at: AwareDatetime = Field(alias="shippedAt")
    #: The time of the Order Shipped event the estimate came from, when a later one updated it (else shippedAt's).
    estimated_at: AwareDatetime | None = Field(default=None, alias="estimatedAt")


class ContactOrder(Model):
    """One contact on one channel, handed to the sender. ``key`` is its idempotency key within the order."""

    key: str
    kind: ContactKind
    channel: Channel
    due_at: AwareDatetime = Field(alias="dueAt")


class Alert(Model):
    kind: str
    order_id: str = Field(alias="orderId")
    at: AwareDatetime
    details: dict[str, Any] = Field(default_factory=dict)


class InboundEvent(Model):
    """An order event as stored in the order's inbox by intake."""

    event_id: str = Field(alias="eventId")
    detail_type: str = Field(alias="detailType")
    detail: dict[str, Any]
    time: AwareDatetime
    received_at: AwareDatetime = Field(alias="receivedAt")


class OrderState(Model):
    order: OrderPlaced
    status: Literal["active", "cancelled"] = "active"
    transit_days: int = Field(alias="transitDays")
    production_due_at: AwareDatetime = Field(alias="productionDueAt")
    production_estimate: AwareDatetime = Field(alias="productionEstimate")
    production_completed_at: AwareDatetime | None = Field(default=None, alias="productionCompletedAt")
    shipment: Shipment | None = None
    delivered_at: AwareDatetime | None = Field(default=None, alias="deliveredAt")
    cancelled_at: AwareDatetime | None = Field(default=None, alias="cancelledAt")
    cancel_reason: str | None = Field(default=None, alias="cancelReason")
    feedback_rating: int | None = Field(default=None, alias="feedbackRating")
    feedback_comment: str | None = Field(default=None, alias="feedbackComment")
    #: The remedy table's free fix for the latest feedback's comment, if it matched one (the customer may read it;
    #: the general offer for a low rating without one is for ops alone: ``rules.suggested_remedy``).
    feedback_remedy: str | None = Field(default=None, alias="feedbackRemedy")
    #: When the customer confirmed the delivery address (a signed link of the production update).
    address_confirmed_at: AwareDatetime | None = Field(default=None, alias="addressConfirmedAt")
    #: The delivery address the customer asked for instead (Address Change Requested), and when.
    requested_address: Address | None = Field(default=None, alias="requestedAddress")
    address_requested_at: AwareDatetime | None = Field(default=None, alias="addressRequestedAt")
    quotes: list[Quote]
    triggers: dict[str, AwareDatetime] = Field(default_factory=dict)
    issued: list[str] = Field(default_factory=list)
    delay_notices: int = Field(default=0, alias="delayNotices")
    forecast_delivery: date | None = Field(default=None, alias="forecastDelivery")
    overdue_alerted_for: AwareDatetime | None = Field(default=None, alias="overdueAlertedFor")
    overdue_alerts: int = Field(default=0, alias="overdueAlerts")  # production_overdue alerts for that estimate
    silence_told_for: AwareDatetime | None = Field(default=None, alias="silenceToldFor")
    slipped: bool = False
    deferred: dict[str, AwareDatetime] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _overdue_count_of_older_states(cls, data: Any) -> Any:
        # States saved before escalation was counted had alerted once for overdueAlertedFor.
        if isinstance(data, dict) and data.get("overdueAlertedFor") and "overdueAlerts" not in data:
            return {**data, "overdueAlerts": 1}
        return data

    @property
    def order_id(self) -> str:
        return self.order.order_id

    @property
    def delivery_address(self) -> Address:
        """Where the order goes: the address the customer asked for last, else the one it was placed with."""
        return self.requested_address or self.order.shipping_address

    @property
    def promised(self) -> date:
        return self.quotes[-1].promised_date

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True)


class Decision(Model):
    state: OrderState | None
    contacts: list[ContactOrder] = Field(default_factory=list)
    alerts: list[Alert] = Field(default_factory=list)
    new_quotes: list[Quote] = Field(default_factory=list, alias="newQuotes")
    wake_at: AwareDatetime | None = Field(default=None, alias="wakeAt")
    run_status: RunStatus = Field(default="running", alias="runStatus")
    notes: list[str] = Field(default_factory=list)
    first_slip: bool = Field(default=False, alias="firstSlip")
    batch_outcomes: dict[str, bool] = Field(default_factory=dict, alias="batchOutcomes")
