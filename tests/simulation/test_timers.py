"""The one-time wake-up timers a parked order arms, against moto's EventBridge Scheduler."""

from __future__ import annotations

from datetime import UTC, datetime

import boto3
import pytest
from moto import mock_aws
from outreach_lambda import cold_start
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.handlers import intake, timeline
from outreach_lambda.settings import TimelineSettings, load
from outreach_lambda.wiring import FunctionName

from outreach.simulator import world

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 13, 9, 0, 0, 500_000, tzinfo=UTC)


@pytest.fixture
def settings():
    """A moto world; the intake and timeline services are built as the deployed handlers build them."""
    with mock_aws(), world.process_environment(world.BASE_ENV):
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
    OrdersRepository(settings.orders_table).register(
        "SO-1", "e1", ["SOFA"], NOW, fingerprint="f", placed_at=NOW
    )  # nothing in its inbox

    assert timeline.service().wait("SO-1", "production", "token-1", DUE, NOW) == "parked"
    # parked again for the same time: no second timer
    timeline.service().wait("SO-1", "production", "token-2", DUE, NOW)

    assert schedules(settings) == ["at(2026-11-13T09:00:01)"]


def test_given_a_fired_timer_when_the_same_time_is_wanted_again_then_it_is_armed_again(settings):
    OrdersRepository(settings.orders_table).register("SO-1", "e1", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)
    timeline.service().wait("SO-1", "production", "token-1", DUE, NOW)
    [name] = [s["Name"] for s in boto3.client("scheduler", region_name=world.REGION).list_schedules()["Schedules"]]
    boto3.client("scheduler", region_name=world.REGION).delete_schedule(Name=name, GroupName=settings.schedule_group)
    timer_due = {"orderId": "SO-1", "dueAt": DUE.isoformat()}
    intake.service().handle(_envelope("Timer Due", timer_due, "t1", source="outreach.timer"), DUE)
    timeline.service().step("SO-1", DUE)  # the step intake handed the token to applies the Timer Due: forgotten

    timeline.service().wait("SO-1", "production", "token-2", DUE, NOW)

    assert schedules(settings) == ["at(2026-11-13T09:00:01)"]


def _envelope(detail_type: str, detail: dict, event_id: str, source: str = "com.example.shop") -> dict:
    return {"id": event_id, "detail-type": detail_type, "source": source, "time": NOW.isoformat(), "detail": detail}


def test_given_a_timer_then_scheduler_retries_it_for_a_day_and_dead_letters_what_it_cannot_deliver(settings):
    OrdersRepository(settings.orders_table).register("SO-1", "e1", ["SOFA"], NOW, fingerprint="f", placed_at=NOW)
    timeline.service().wait("SO-1", "production", "token-1", DUE, NOW)
    client = boto3.client("scheduler", region_name=world.REGION)
    [name] = [s["Name"] for s in client.list_schedules(GroupName=settings.schedule_group)["Schedules"]]

    target = client.get_schedule(Name=name, GroupName=settings.schedule_group)["Target"]

    assert target["DeadLetterConfig"] == {"Arn": settings.timer_dead_letter_arn}
    assert target["RetryPolicy"] == {"MaximumEventAgeInSeconds": 86400, "MaximumRetryAttempts": 185}
