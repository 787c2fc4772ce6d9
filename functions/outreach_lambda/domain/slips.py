"""Slip rules: what a later forecast, or silence from production, does to the promise.

A forecast still inside the promised date is absorbed by the padding: ops hear of it (``promise_at_risk``,
``customerTold: false``), the customer does not. A forecast past it breaks the promise: the order is re-quoted
with an honest new date and a delay notice goes to the customer at once. Each rule re-plans only in the
stages ``stages.SLIP_STAGES`` allows it (once shipped, only the carrier's estimate counts).

Silence counts too: no completion by the production estimate alerts ops (``production_overdue``), again with
growing intervals (1, 2, 4, 8 ... days later: ``escalation`` 2, 3, 4 ...) until production reports. Once even
leaving today could not meet the promise, silence is treated as a broken promise, but only once per estimate:
the customer gets one honest new date, not a new guess every week; after that only ops hear, until production
gives a real estimate (which then follows the normal rules).

After ``maxRequotes`` re-quotes the customer is not given yet another date by the rules: ops get
``promise_at_risk`` with ``requoteLimitReached`` and must call (this also bounds the order's state item).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import trigger_key
from outreach_lambda.domain.model import Alert, OrderState, Quote
from outreach_lambda.domain.promise import add_local_days, local_date, requoted_date
from outreach_lambda.domain.quiet_hours import next_allowed
from outreach_lambda.domain.stages import SlipRule, may_replan, stage


def check_forecast(
    state: OrderState,
    rule: SlipRule,
    forecast: date,
    reason: str,
    cause: str,
    now: datetime,
    config: OutreachConfig,
    alerts: list[Alert],
    notes: list[str],
) -> None:
    """A forecast past the promise breaks it: re-quote honestly and tell the customer at once.

    A forecast still inside the promise is absorbed by the padding: ops hear of it, the customer does not.
    A rule outside its stages (a late production fact after shipment) is recorded in the notes only.
    """
    if not may_replan(rule, state):
        notes.append(f"{cause}: forecast {forecast} recorded; the order is {stage(state)}, the promise stands")
        return
    previous_forecast = state.forecast_delivery
    state.forecast_delivery = forecast
    if forecast <= state.promised and previous_forecast is not None and forecast <= previous_forecast:
        return  # no slip: as planned or earlier
    state.slipped = True
    details: dict[str, Any]
    if forecast <= state.promised:
        notes.append(f"{cause}: forecast {forecast} is inside the promise {state.promised}, absorbed by padding")
        details = {"promisedDate": state.promised.isoformat(), "customerTold": False, "absorbedByPadding": True}
    elif state.delay_notices >= config.max_requotes:
        notes.append(f"{cause}: forecast {forecast} breaks the promise again; re-quote limit reached, ops must call")
        details = {"promisedDate": state.promised.isoformat(), "customerTold": False, "requoteLimitReached": True}
    else:
        today = local_date(now, state.order.customer.zone)
        new_date = requoted_date(today, forecast, config.padding)
        details = {
            "previousPromisedDate": state.promised.isoformat(),
            "newPromisedDate": new_date.isoformat(),
            "customerTold": True,
        }
        state.quotes.append(Quote(at=now, promised_date=new_date, reason=reason, cause=cause))
        state.delay_notices += 1
        state.triggers[trigger_key("delay_notice", state.delay_notices)] = now
    alerts.append(promise_at_risk(state, now, forecast, reason, **details))


def promise_at_risk(state: OrderState, now: datetime, forecast: date, reason: str, **details: Any) -> Alert:
    """The ops alert for a slip: the forecast and its reason, plus what the caller says about the promise."""
    details = {"forecast": forecast.isoformat(), "reason": reason, **details}
    return Alert(kind="promise_at_risk", order_id=state.order_id, at=now, details=details)


def silence_deadline(state: OrderState, config: OutreachConfig) -> datetime:
    """The first decent hour at which, with no news, even leaving today could not meet the promise:
    the local day after (promised date - transit days), at the end of quiet hours."""
    zone = state.order.customer.zone
    day = state.promised - timedelta(days=state.transit_days) + timedelta(days=1)
    return next_allowed(datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC), zone, config.quiet_hours)


def next_overdue_alert(state: OrderState) -> datetime:
    """When ops hear next that production is late: at the estimate, then 1, 3, 7, 15 ... days after it."""
    sent = state.overdue_alerts if state.overdue_alerted_for == state.production_estimate else 0
    return state.production_estimate + timedelta(days=2**sent - 1)


def silence_checks(state: OrderState, config: OutreachConfig) -> list[datetime]:
    """Instants at which silence from production means something: the wake-ups they need."""
    if not may_replan("silence", state):
        return []
    checks = [next_overdue_alert(state)]
    if state.silence_told_for != state.production_estimate:
        checks.append(silence_deadline(state, config))
    return checks


def check_silence(
    state: OrderState, now: datetime, config: OutreachConfig, alerts: list[Alert], notes: list[str]
) -> None:
    """No completion by the production estimate: ops hear of it, at growing intervals. When silence alone makes
    the promise impossible (now + transit days past the promised date), the customer is told once, as for any
    broken promise."""
    if not may_replan("silence", state):
        return
    estimate = state.production_estimate
    if now >= next_overdue_alert(state):
        sent = state.overdue_alerts if state.overdue_alerted_for == estimate else 0
        state.overdue_alerted_for, state.overdue_alerts = estimate, sent + 1
        details = {
            "productionEstimate": estimate.isoformat(),
            "promisedDate": state.promised.isoformat(),
            "escalation": state.overdue_alerts,
            "daysOverdue": (now - estimate).days,
            "customerTold": state.silence_told_for == estimate,
        }
        alerts.append(Alert(kind="production_overdue", order_id=state.order_id, at=now, details=details))
    if state.silence_told_for != estimate and now >= silence_deadline(state, config):
        zone = state.order.customer.zone
        forecast = local_date(add_local_days(now, state.transit_days, zone), zone)
        reason = "production has not reported completion in time to deliver as promised"
        check_forecast(state, "silence", forecast, reason, "no news from production", now, config, alerts, notes)
        state.silence_told_for = estimate  # silence has had its say about this estimate
