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


@settings(max_examples=120, deadline=None)
@given(
    _steps, st.sampled_from([dict, timer_index.LoggedSchedules]), st.sampled_from(["[]=", "setdefault", "update", "|="])
)
def test_given_any_changes_between_steps_then_the_index_answers_as_a_look_at_every_schedule(steps, kind, put):
    """(Over moto's plain dict, fast path 54, and a group's logged dict, fast path 79, however a schedule is put.)"""
    schedules: dict[str, Any] = kind()
    index = timer_index.TimerIndex(_due)
    answers = []
    with installed(timer_index.PATCHES):
        for action, name, expression, state in steps:
            if action == "create":  # a new schedule (replacing any of that name, as a delete and a create would)
                schedules.pop(name, None)
                new = _schedule(name, expression, state)
                if put == "setdefault":
                    schedules.setdefault(name, new)
                elif put == "update":
                    schedules.update({name: new})
                elif put == "|=":
                    schedules |= {name: new}
                else:
                    schedules[name] = new
            elif action == "delete":
                if name in schedules and len(name) % 2:
                    del schedules[name]
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


def test_given_a_schedule_group_when_fast_path_79_is_on_then_its_schedules_are_moto_s_dict_with_a_log():
    import copy
    import pickle

    from moto.scheduler.models import ScheduleGroup

    with installed(timer_index.PATCHES):
        group = ScheduleGroup(region="us-east-1", account_id="123456789012", name="timers")
    group.add_schedule(_schedule("b", EXPRESSIONS[0], "ENABLED"))
    group.add_schedule(_schedule("a", EXPRESSIONS[1], "ENABLED"))
    group.delete_schedule("b")
    plain = ScheduleGroup(region="us-east-1", account_id="123456789012", name="timers")

    assert type(group.schedules) is timer_index.LoggedSchedules and type(plain.schedules) is dict
    assert list(group.schedules) == ["a"] and group.schedules == {"a": group.schedules["a"]}
    assert [name for name, _ in group.schedules.log] == ["b", "a"]
    for twin in (copy.deepcopy(group.schedules), pickle.loads(pickle.dumps(group.schedules))):
        assert type(twin) is timer_index.LoggedSchedules and list(twin) == ["a"]
        assert timer_index.TimerIndex(_due).next(twin)[1] == "a"


# -- fast path 75: the earliest task timeout ----------------------------------------------------------------------
_ENDPOINTS = [object() for _ in range(5)]  # parked tasks' endpoints: hashable by identity, not orderable
_DEADLINES = [datetime(2026, 11, 2, 9), datetime(2026, 11, 2, 10), datetime(2026, 11, 3, 9)]  # few: many ties
_deadline_steps = st.lists(
    st.lists(
        st.one_of(
            st.tuples(st.just("park"), st.integers(0, 4), st.sampled_from(_DEADLINES)),
            st.tuples(st.just("pop"), st.integers(0, 4), st.none()),
            st.tuples(st.just("del"), st.integers(0, 4), st.none()),
            st.tuples(st.just("setdefault"), st.integers(0, 4), st.sampled_from(_DEADLINES)),
            st.tuples(st.just("update"), st.integers(0, 4), st.sampled_from(_DEADLINES)),
            st.tuples(st.just("clear"), st.just(0), st.none()),
        ),
        max_size=6,
    ),
    max_size=12,
)


@settings(max_examples=120, deadline=None)
@given(_deadline_steps)
def test_given_parks_and_wake_ups_between_steps_then_the_earliest_deadline_is_mins_first_on_ties(steps):
    """Given parks (a key set anew or again in place), wake-ups and timeouts (pop, del, clear) between the runner's
    steps, when the runner asks for the earliest deadline, then the index answers what ``min`` over a plain dict
    answers: the same endpoint and deadline, the first in the dict's order on equal deadlines."""
    index = timer_index.Deadlines()
    plain: dict[Any, datetime] = {}
    for step in steps:
        for op, which, deadline in step:
            key = _ENDPOINTS[which]
            for deadlines in (index, plain):
                if op == "park":
                    deadlines[key] = deadline
                elif op == "pop":
                    deadlines.pop(key, None)
                elif op == "del" and key in deadlines:
                    del deadlines[key]
                elif op == "setdefault":
                    deadlines.setdefault(key, deadline)
                elif op == "update":
                    deadlines.update({key: deadline})
                elif op == "clear":
                    deadlines.clear()
        expected = min(plain.items(), key=lambda item: item[1]) if plain else None

        assert index.earliest() == expected
        assert dict(index) == plain and list(index) == list(plain)


def test_given_a_copy_or_a_pickle_of_the_deadlines_then_each_answers_for_itself_and_with_the_dicts_own_instant():
    import copy
    import pickle
    from datetime import UTC, datetime, timedelta, timezone

    from outreach.simulator.timer_index import Deadlines

    noon = datetime(2026, 12, 1, 12, tzinfo=UTC)
    original = Deadlines()
    original["x"], original["y"] = noon, noon + timedelta(hours=1)
    for other in (copy.copy(original), copy.deepcopy(original), pickle.loads(pickle.dumps(original))):
        assert list(other.items()) == list(original.items()) and other.earliest() == ("x", noon)
        del other["x"]
        other["x"] = noon + timedelta(hours=2)
        assert other.earliest() == ("y", noon + timedelta(hours=1))
        assert original.earliest() == ("x", noon)  # the copy shares no heap with the original
    same_instant = noon.astimezone(timezone(timedelta(hours=2)))
    original["x"] = same_instant
    key, deadline = original.earliest()  # type: ignore[misc]
    assert key == "x" and deadline.utcoffset() == timedelta(hours=2)  # what min() over the dict would answer
