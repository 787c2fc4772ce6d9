"""The padding rule: quote more than the work takes, so early is a pleasant surprise.

internal days = productionDays + transitDays; quoted days = internal x factor, rounded up to whole weeks
(or days). The promised date is a calendar date in the customer's zone: local date of placedAt + quoted.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach_lambda.domain.config import PaddingPolicy


def quoted_days(internal_days: int, policy: PaddingPolicy) -> int:
    """21 -> 28, 14 -> 21, 10 -> 14 with the default 4/3 and whole weeks."""
    if internal_days < 0:
        raise ValueError(f"internal days must not be negative, got {internal_days}")
    padded = internal_days * policy.factor_fraction
    if policy.rounding == "weeks":
        return math.ceil(padded / 7) * 7
    return math.ceil(padded)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def promised_date(placed_at: datetime, internal_days: int, policy: PaddingPolicy, zone: ZoneInfo) -> date:
    return local_date(placed_at, zone) + timedelta(days=quoted_days(internal_days, policy))


def add_local_days(instant: datetime, days: int, zone: ZoneInfo) -> datetime:
    """Same local wall-clock time ``days`` calendar days later (DST-safe), returned in UTC."""
    from datetime import UTC

    local = instant.astimezone(zone)
    shifted = datetime.combine(local.date() + timedelta(days=days), local.time(), tzinfo=zone)
    return shifted.astimezone(UTC)


def requoted_date(today: date, forecast: date, policy: PaddingPolicy) -> date:
    """An honest new date: the padding rule on the days still remaining, never earlier than the forecast."""
    remaining = max((forecast - today).days, 0)
    return max(today + timedelta(days=quoted_days(remaining, policy)), forecast)
