"""Fast path 54 (``outreach.simulator.timer_index``): the runner's index of pending timers answers, at every step, what
a look at every schedule answers, whatever came, went, was replaced under its name or changed in place in between."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.scheduler.models import Schedule

from outreach.simulator import timer_index
from outreach.simulator.patching import installed
from outreach.simulator.runner import _due

NAMES = ["a", "b", "c", "d", "e"]
EXPRESSIONS = ["at(2026-11-02T10:00:00)", "at(2026-11-02T09:00:00)", "at(2026-11-03T10:00:00)", "rate(1 hour)"]


def _schedule(name: str, expression: str, state: str) -> Schedule:
    return Schedule(
        region="us-east-1",
        account_id="123456789012",
        group_name="timers",
        name=name,
        description=None,
        schedule_expression=expression,
        schedule_expression_timezone=None,
        flexible_time_window={"Mode": "OFF"},
        target={"Arn": "arn", "RoleArn": "role", "Input": name},
        state=state,
        kms_key_arn=None,
        start_date=None,
        end_date=None,
        action_after_completion="DELETE",
    )


_steps = st.lists(
    st.tuples(
        st.sampled_from(["create", "delete", "update", "look"]),
        st.sampled_from(NAMES),
        st.sampled_from(EXPRESSIONS),
        st.sampled_from(["ENABLED", "ENABLED", "DISABLED"]),
    ),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(_steps)
def test_given_any_changes_between_steps_then_the_index_answers_as_a_look_at_every_schedule(steps):
    schedules: dict[str, Any] = {}
    index = timer_index.TimerIndex(_due)
    answers = []
    with installed(timer_index.PATCHES):
        for action, name, expression, state in steps:
            if action == "create":  # a new schedule (replacing any of that name, as a delete and a create would)
                schedules.pop(name, None)
                schedules[name] = _schedule(name, expression, state)
            elif action == "delete":
                schedules.pop(name, None)
            elif action == "update" and name in schedules:  # UpdateSchedule changes the schedule in place
                schedules[name].update(
                    description=None,
                    end_date=None,
                    flexible_time_window={"Mode": "OFF"},
                    kms_key_arn=None,
                    schedule_expression=expression,
                    schedule_expression_timezone=None,
                    start_date=None,
                    state=state,
                    target={"Arn": "arn", "RoleArn": "role"},
                )
            got = index.next(schedules)
            expected = timer_index.scan(schedules, _due)
            assert got == expected
            answers.append(got)
    assert all(a is None or isinstance(a[0], datetime) for a in answers)
