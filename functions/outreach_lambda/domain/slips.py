"""Slip rules: what a later forecast, or silence from production, does to the promise.

A forecast still inside the promised date is absorbed by the padding: ops hear of it (``promise_at_risk``,
``customerTold: false``), the customer does not. A forecast past it breaks the promise: the order is re-quoted
with an honest new date and a delay notice goes to the customer at once. Silence counts too: no completion by
the production estimate alerts ops (``production_overdue``), and once even leaving today could not meet the
promise, the silence is treated as a broken promise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.contacts import trigger_key
from outreach_lambda.domain.model import Alert, OrderState, Quote
from outreach_lambda.domain.promise import add_local_days, local_date, requoted_date
from outreach_lambda.domain.quiet_hours import next_allowed


def check_forecast(
    state: OrderState,
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
    """
    previous_forecast = state.forecast_delivery
    state.forecast_delivery = forecast
    if forecast <= state.promised and previous_forecast is not None and forecast <= previous_forecast:
        return  # no slip: as planned or earlier
    state.slipped = True
    details: dict[str, Any]
    if forecast <= state.promised:
        notes.append(f"{cause}: forecast {forecast} is inside the promise {state.promised}, absorbed by padding")
        details = {"promisedDate": state.promised.isoformat(), "customerTold": False, "absorbedByPadding": True}
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


def _waiting_for_production(state: OrderState) -> bool:
    return (
        state.status == "active"
        and state.production_completed_at is None
        and state.shipment is None
        and state.delivered_at is None
    )


def silence_deadline(state: OrderState, config: OutreachConfig) -> datetime:
    """The first decent hour at which, with no news, even leaving today could not meet the promise:
    the local day after (promised date - transit days), at the end of quiet hours."""
    zone = state.order.customer.zone
    day = state.promised - timedelta(days=state.transit_days) + timedelta(days=1)
    return next_allowed(datetime.combine(day, time(0, 0), tzinfo=zone).astimezone(UTC), zone, config.quiet_hours)


def silence_checks(state: OrderState, config: OutreachConfig) -> list[datetime]:
    """Instants at which silence from production means something: the wake-ups they need."""
    if not _waiting_for_production(state):
        return []
    checks = [silence_deadline(state, config)]
    if state.overdue_alerted_for != state.production_estimate:
        checks.append(state.production_estimate)
    return checks


def check_silence(
    state: OrderState, now: datetime, config: OutreachConfig, alerts: list[Alert], notes: list[str]
) -> None:
    """No completion by the production estimate: ops hear of it. When silence alone makes the promise
    impossible (now + transit days past the promised date), the customer is told, as for any broken promise."""
    if not _waiting_for_production(state):
        return
    if now >= state.production_estimate and state.overdue_alerted_for != state.production_estimate:
        state.overdue_alerted_for = state.production_estimate
        details = {
            "productionEstimate": state.production_estimate.isoformat(),
            "promisedDate": state.promised.isoformat(),
        }
        alerts.append(Alert(kind="production_overdue", order_id=state.order_id, at=now, details=details))
    if now >= silence_deadline(state, config):
        zone = state.order.customer.zone
        forecast = local_date(add_local_days(now, state.transit_days, zone), zone)
        reason = "production has not reported completion in time to deliver as promised"
        check_forecast(state, forecast, reason, "no news from production", now, config, alerts, notes)
