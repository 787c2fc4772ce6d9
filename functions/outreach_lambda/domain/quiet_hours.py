"""Quiet hours: no timer-driven contact and no SMS between 21:00 and 09:00 in the customer's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach_lambda.domain.config import QuietHours


def is_quiet(instant: datetime, zone: ZoneInfo, quiet: QuietHours) -> bool:
    t = instant.astimezone(zone).time().replace(tzinfo=None)
    if quiet.start > quiet.end:  # wraps midnight, e.g. 21:00-09:00
        return t >= quiet.start or t < quiet.end
    return quiet.start <= t < quiet.end


def next_allowed(instant: datetime, zone: ZoneInfo, quiet: QuietHours) -> datetime:
    """``instant`` itself when outside quiet hours, else the end of the quiet period (UTC)."""
    if not is_quiet(instant, zone, quiet):
        return instant
    local = instant.astimezone(zone)
    end_day = local.date()
    if quiet.start > quiet.end and local.time().replace(tzinfo=None) >= quiet.start:
        end_day += timedelta(days=1)
    # Through UTC and back, so a quiet end inside a DST gap resolves to a real instant.
    end = datetime.combine(end_day, quiet.end, tzinfo=zone).astimezone(UTC)
    return end
