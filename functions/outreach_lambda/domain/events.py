"""Typed order events: the `detail` of each EventBridge detail-type in DESIGN.md (camelCase on the wire).

Unknown extra fields are ignored (producers may add fields); missing or malformed required fields are
errors that name the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
E164_RE = re.compile(r"\+[1-9]\d{6,14}")

NonEmpty = Annotated[str, Field(min_length=1, max_length=256)]
OrderId = Annotated[str, Field(min_length=1, max_length=128)]


class Detail(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class Customer(Detail):
    name: NonEmpty

    @field_validator("name")
    @classmethod
    def _name_has_letters(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    email: NonEmpty
    phone: str | None = None
    locale: str | None = None
    timezone: str = "UTC"
    channels: list[Literal["email", "sms"]] = Field(default=["email"])

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not EMAIL_RE.fullmatch(value):
            raise ValueError("is not an e-mail address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not E164_RE.fullmatch(value):
            raise ValueError("must be an E.164 phone number like +4915112345678")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            # OSError: a region like "Europe" is a directory in the tzdata package.
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def wants_sms(self) -> bool:
        return "sms" in self.channels and self.phone is not None


class Item(Detail):
    sku: NonEmpty
    description: NonEmpty
    quantity: int = Field(ge=1, le=10_000)


class Address(Detail):
    line1: NonEmpty
    line2: str | None = None
    city: NonEmpty
    postal_code: NonEmpty = Field(alias="postalCode")
    country: NonEmpty


class OrderPlaced(Detail):
    order_id: OrderId = Field(alias="orderId")
    placed_at: AwareDatetime = Field(alias="placedAt")
    customer: Customer
    items: list[Item] = Field(min_length=1)
    production_days: int = Field(alias="productionDays", ge=0, le=365)
    transit_days: int | None = Field(default=None, alias="transitDays", ge=0, le=120)
    shipping_address: Address = Field(alias="shippingAddress")


class ProductionDelayed(Detail):
    order_id: OrderId | None = Field(default=None, alias="orderId")
    sku: str | None = Field(default=None, min_length=1)
    estimated_completion: AwareDatetime | date = Field(alias="estimatedCompletion")
    reason: str | None = None

    @model_validator(mode="after")
    def _order_or_sku(self) -> ProductionDelayed:
        if not self.order_id and not self.sku:
            raise ValueError("one of orderId or sku is required")
        return self


class ProductionCompleted(Detail):
    order_id: OrderId = Field(alias="orderId")
    completed_at: AwareDatetime | None = Field(default=None, alias="completedAt")


class OrderShipped(Detail):
    order_id: OrderId = Field(alias="orderId")
    carrier: NonEmpty
    tracking_number: NonEmpty = Field(alias="trackingNumber")
    tracking_url: str | None = Field(default=None, alias="trackingUrl")
    estimated_delivery: AwareDatetime | date | None = Field(default=None, alias="estimatedDelivery")
    delivery_details: str | None = Field(default=None, alias="deliveryDetails", max_length=4000)


class OrderDelivered(Detail):
    order_id: OrderId = Field(alias="orderId")
    delivered_at: AwareDatetime | None = Field(default=None, alias="deliveredAt")


class OrderCancelled(Detail):
    order_id: OrderId = Field(alias="orderId")
    reason: str | None = None


class CatalogRequested(Detail):
    request_id: NonEmpty = Field(alias="requestId")
    customer: Customer
    postal_address: Address | None = Field(default=None, alias="postalAddress")


class FeedbackReceived(Detail):
    order_id: OrderId = Field(alias="orderId")
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=4000)


class TimerDue(Detail):
    """Internal: a one-time wake-up timer of an order's timeline fired (source ``outreach.timer``)."""

    order_id: OrderId = Field(alias="orderId")
    due_at: AwareDatetime = Field(alias="dueAt")


OrderEventDetail = (
    OrderPlaced
    | ProductionDelayed
    | ProductionCompleted
    | OrderShipped
    | OrderDelivered
    | OrderCancelled
    | FeedbackReceived
    | TimerDue
)

DETAIL_TYPES: dict[str, type[Detail]] = {
    "Order Placed": OrderPlaced,
    "Production Delayed": ProductionDelayed,
    "Production Completed": ProductionCompleted,
    "Order Shipped": OrderShipped,
    "Order Delivered": OrderDelivered,
    "Order Cancelled": OrderCancelled,
    "Catalog Requested": CatalogRequested,
    "Feedback Received": FeedbackReceived,
    "Timer Due": TimerDue,
}

TIMER_SOURCE = "outreach.timer"
TIMER_DETAIL_TYPE = "Timer Due"


class UnknownDetailType(ValueError):
    pass


def parse_detail(detail_type: str, detail: object) -> Detail:
    """Validate an event detail against its detail-type's model (raises UnknownDetailType / ValidationError)."""
    model = DETAIL_TYPES.get(detail_type)
    if model is None:
        known = ", ".join(sorted(DETAIL_TYPES))
        raise UnknownDetailType(f"detail-type: unknown detail-type {detail_type!r} (known: {known})")
    return model.model_validate(detail)


def as_datetime(value: datetime | date, zone: ZoneInfo) -> datetime:
    """A date-only value means the start of that day in the customer's zone."""
    if isinstance(value, datetime):
        return value
    return datetime(value.year, value.month, value.day, tzinfo=zone)
