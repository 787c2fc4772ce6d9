"""Business time: when the shop is open (``config.businessHours``), and "N business minutes from now".

A customer message that arrives at 16:30 on a Friday with a 60-minute SLA is due at 09:30 on Monday; one that
arrives on Saturday is due at 10:00 on Monday. Days are walked in the shop's zone, so DST changes are exact.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from outreach_lambda.domain.config import WEEKDAYS, BusinessHours

#: No SLA is longer than a week of business minutes; a year of calendar days is far more than enough to find them.
_MAX_DAYS = 400


def _open_interval(day: datetime, hours: BusinessHours) -> tuple[datetime, datetime] | None:
    """The opening hours of ``day``'s local date, or None when closed that day."""
    if WEEKDAYS[day.weekday()] not in hours.days:
        return None
    zone = day.tzinfo
    start = datetime.combine(day.date(), hours.start, tzinfo=zone)
    end = datetime.combine(day.date(), hours.end, tzinfo=zone)
    return start, end


def add_business_minutes(start: datetime, minutes: int, hours: BusinessHours) -> datetime:
    """The instant ``minutes`` of opening hours after ``start`` (UTC)."""
    zone = ZoneInfo(hours.timezone)
    local = start.astimezone(zone)
    left = timedelta(minutes=minutes)
    day = local
    for _ in range(_MAX_DAYS):
        interval = _open_interval(day, hours)
        if interval is not None:
            begin, end = interval
            begin = max(begin, local)
            if begin < end:
                if begin + left <= end:
                    return (begin + left).astimezone(UTC)
                left -= end - begin
        day = datetime.combine(day.date() + timedelta(days=1), hours.start, tzinfo=zone)
        local = day
    raise ValueError("businessHours: no opening hours found within a year")  # pragma: no cover - validated config


def next_open(start: datetime, hours: BusinessHours) -> datetime:
    """``start`` if the shop is open then, else when it opens next (UTC)."""
    return add_business_minutes(start, 0, hours)
