"""Outreach configuration: the padding policy, contact timing and quiet hours.

One typed model, validated wherever it is read (CDK synth, Lambda start-up, a simulator scenario), so a bad
value fails early with the field named.
"""

from __future__ import annotations

from datetime import time
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def parse_factor(text: str) -> Fraction:
    """A padding factor: a fraction like '4/3' or a decimal like '1.25', at least 1."""
    try:
        parsed = Fraction(text.strip())
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"factor must be a fraction like '4/3' or a decimal like '1.25', got {text!r}") from exc
    if parsed < 1:
        raise ValueError(f"factor must be at least 1 (a promise is never shorter than the work), got {text!r}")
    return parsed


class PaddingPolicy(BaseModel):
    """How internal lead time becomes a quoted promise: ``quoted = round_up(internal * factor)``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    factor: str = Field(default="4/3", description="Padding factor as a fraction or decimal, e.g. '4/3' or '1.25'")
    rounding: Literal["weeks", "days"] = "weeks"

    @field_validator("factor")
    @classmethod
    def _factor_is_a_number_at_least_one(cls, value: str) -> str:
        parse_factor(value)
        return value

    @property
    def factor_fraction(self) -> Fraction:
        return Fraction(self.factor)


class QuietHours(BaseModel):
    """Local hours in which no timer-driven contact and no SMS is sent (default 21:00-09:00)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: time = time(21, 0)
    end: time = time(9, 0)

    @model_validator(mode="after")
    def _not_empty(self) -> QuietHours:
        if self.start == self.end:
            raise ValueError("quietHours.start and quietHours.end must differ")
        return self


class OutreachConfig(BaseModel):
    """Everything a shop tunes. Field names are camelCase, as in scenario files and CDK context."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    padding: PaddingPolicy = PaddingPolicy()
    default_transit_days: int = Field(default=7, ge=0, le=120, alias="defaultTransitDays")
    production_update_lead_days: int = Field(default=3, ge=0, le=60, alias="productionUpdateLeadDays")
    ses_send_rate: float = Field(
        default=14.0, gt=0, le=10_000, alias="sesSendRate", description="e-mails per second (SES sandbox: 1)"
    )
    good_news_days: int = Field(default=3, ge=1, le=60, alias="goodNewsDays")
    satisfaction_check_days: int = Field(default=3, ge=0, le=60, alias="satisfactionCheckDays")
    quiet_hours: QuietHours = Field(default=QuietHours(), alias="quietHours")
    support_phone: str = Field(default="+1 555 0100", alias="supportPhone", min_length=3)
    shop_name: str = Field(default="Outreach Sofas", alias="shopName", min_length=1)
    goodwill_gesture: str = Field(default="a free upgrade to express delivery", alias="goodwillGesture", min_length=1)
    max_requotes: int = Field(
        default=10,
        ge=1,
        le=50,
        alias="maxRequotes",
        description="re-quotes per order the rules make on their own; past it ops are alerted to call instead",
    )
