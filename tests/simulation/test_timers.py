"""The one-time wake-up timers a parked order arms, against moto's EventBridge Scheduler."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest
from moto import mock_aws
from outreach_lambda import cold_start
from outreach_lambda.handlers import intake, timeline
from outreach_lambda.settings import TimelineSettings, load
from outreach_lambda.wiring import FunctionName

from outreach.simulator import ses_suppression, world
from tests.simulation.conftest import BASE_ORDER

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 13, 9, 0, 0, 500_000, tzinfo=UTC)
PRODUCTION_UPDATE = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)  # BASE_ORDER's first timer-driven contact


@pytest.fixture
def settings():
    """A moto world; the intake and timeline services are built as the deployed handlers build them."""
    with mock_aws(), world.process_environment(world.BASE_ENV), ses_suppression.installed([]):
        cold_start.reset()
        w = world.build("{}")
        env = {**w.environments[FunctionName.INTAKE], **w.environments[FunctionName.TIMELINE]}
        with world.process_environment(env):
            yield load(TimelineSettings)
        cold_start.reset()


def schedules(settings) -> list[str]:
    client = boto3.client("scheduler", region_name=world.REGION)
    found = client.list_schedules(GroupName=settings.schedule_group)["Schedules"]
    return [client.get_schedule(Name=s["Name"], GroupName=settings.schedule_group)["ScheduleExpression"] for s in found]


def test_given_a_wake_up_time_then_one_timer_fires_at_it_rounded_up_to_the_second(settings):
    timeline.service().timers.arm("SO-1", DUE)

    assert schedules(settings) == ["at(2026-11-13T09:00:01)"]


def _placed_and_recorded() -> None:
    """SO-1 placed and its first step run: the step armed the timer of the next contact (the production update,
    13 Nov 09:00 UTC)."""
    intake.service().handle(_envelope("Order Placed", BASE_ORDER, "e1"), NOW)
    timeline.service().record("SO-1", NOW)


def test_given_a_step_then_it_arms_one_timer_for_the_next_contact_and_the_wait_arms_none(settings):
    _placed_and_recorded()

    assert timeline.service().orders.park("SO-1", "token-1", "production")  # the wait's own write
    timeline.service().step("SO-1", NOW + timedelta(hours=1))  # nothing changed: the same timer is kept

    assert schedules(settings) == ["at(2026-11-13T09:00:00)"]


def test_given_a_fired_timer_when_the_same_time_is_wanted_again_then_it_is_armed_again(settings):
    _placed_and_recorded()
    assert timeline.service().orders.park("SO-1", "token-1", "production")
    client = boto3.client("scheduler", region_name=world.REGION)
    [name] = [s["Name"] for s in client.list_schedules(GroupName=settings.schedule_group)["Schedules"]]
    client.delete_schedule(Name=name, GroupName=settings.schedule_group)  # it fired: Scheduler deleted it
    timer_due = {"orderId": "SO-1", "dueAt": PRODUCTION_UPDATE.isoformat()}
    early = PRODUCTION_UPDATE - timedelta(milliseconds=5)  # the function's clock a little behind Scheduler's
    intake.service().handle(_envelope("Timer Due", timer_due, "t1", source="outreach.timer"), early)

    timeline.service().step("SO-1", early)  # the step intake handed the token to: the contact is not due yet

    assert schedules(settings) == ["at(2026-11-13T09:00:00)"]


def _envelope(detail_type: str, detail: dict, event_id: str, source: str = "com.example.shop") -> dict:
    return {"id": event_id, "detail-type": detail_type, "source": source, "time": NOW.isoformat(), "detail": detail}


def test_given_a_timer_then_scheduler_retries_it_for_a_day_and_dead_letters_what_it_cannot_deliver(settings):
    timeline.service().timers.arm("SO-1", DUE)
    client = boto3.client("scheduler", region_name=world.REGION)
    [name] = [s["Name"] for s in client.list_schedules(GroupName=settings.schedule_group)["Schedules"]]

    target = client.get_schedule(Name=name, GroupName=settings.schedule_group)["Target"]

    assert target["DeadLetterConfig"] == {"Arn": settings.timer_dead_letter_arn}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
