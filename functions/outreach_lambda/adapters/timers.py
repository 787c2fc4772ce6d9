"""One-time wake-up timers of order timelines, as EventBridge Scheduler schedules.

At its time a schedule puts a ``Timer Due`` event (source ``outreach.timer``) on the order bus, which
reaches intake like any order event. Schedules delete themselves after running.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import client, error_code
from outreach_lambda.domain.events import TIMER_DETAIL_TYPE, TIMER_SOURCE


def fire_at(due_at: datetime) -> datetime:
    """Schedules have whole-second times: round up, so a timer never fires before what it waits for."""
    whole = due_at.astimezone(UTC).replace(microsecond=0)
    return whole if whole == due_at else whole + timedelta(seconds=1)


def timer_name(order_id: str, due_at: datetime) -> str:
    digest = hashlib.sha256(order_id.encode()).hexdigest()[:20]
    return f"order-{digest}-{int(fire_at(due_at).timestamp())}"


class SchedulerTimers:
    def __init__(self, group: str, target_arn: str, role_arn: str, dead_letter_arn: str) -> None:
        self._group = group
        self._target_arn = target_arn
        self._role_arn = role_arn
        self._dead_letter_arn = dead_letter_arn

    def arm(self, order_id: str, due_at: datetime) -> str:
        name = timer_name(order_id, due_at)
        detail = {"orderId": order_id, "dueAt": due_at.astimezone(UTC).isoformat()}
        return self._schedule(name, due_at, TIMER_DETAIL_TYPE, detail)

    def arm_event(self, seed: str, due_at: datetime, detail_type: str, detail: dict[str, Any]) -> str:
        """A one-time internal event (``detail_type`` from ``outreach.timer``) at ``due_at``: the reply SLA of a
        customer message, a catalog request's design-advice offer. ``seed`` names it (hashed: no ids in names)."""
        digest = hashlib.sha256(seed.encode()).hexdigest()[:20]
        return self._schedule(f"event-{digest}-{int(fire_at(due_at).timestamp())}", due_at, detail_type, detail)

    def _schedule(self, name: str, due_at: datetime, detail_type: str, detail: dict[str, Any]) -> str:
        """One one-time schedule putting ``detail`` on the bus from ``outreach.timer``; an existing one is kept."""
        at = fire_at(due_at).strftime("%Y-%m-%dT%H:%M:%S")
        try:
            client("scheduler").create_schedule(
                Name=name,
                GroupName=self._group,
                ScheduleExpression=f"at({at})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target={
                    "Arn": self._target_arn,
                    "RoleArn": self._role_arn,
                    "Input": json.dumps(detail),
                    "EventBridgeParameters": {"DetailType": detail_type, "Source": TIMER_SOURCE},
                    # Scheduler retries putting the event for a day; what it still cannot deliver goes to the
                    # dead-letter queue (ops are alarmed on it), and the wait's timeout re-checks the order.
                    "RetryPolicy": {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185},
                    "DeadLetterConfig": {"Arn": self._dead_letter_arn},
                },
            )
        except ClientError as exc:
            if error_code(exc) != "ConflictException":
                raise
        return name

    def disarm(self, name: str) -> None:
        try:
            client("scheduler").delete_schedule(Name=name, GroupName=self._group)
        except ClientError as exc:
            if error_code(exc) != "ResourceNotFoundException":
                raise
