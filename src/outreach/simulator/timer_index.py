"""Fast path 54: the runner finds the earliest pending timer without looking at every pending timer at every step.

Before every step the runner asks which one-time schedule of the timers' group falls due first
(``runner._next_timer``: the earliest ``at(...)`` of an enabled schedule, by name on ties). It used to read every
schedule of moto's group each time: with one timer pending per order, a run of N orders looked at about 7 N x N/2
schedules. Here an index keeps the schedules it has seen in a heap of (due, name): at each step the group's schedules
are compared with the index as sets of (name, schedule object) pairs (moto's dict and the index's, compared in C),
each schedule that came is pushed, and the top of the heap is skipped while it is a schedule that went (or was
replaced under its name). A schedule changed in place (``Schedule.update``: UpdateSchedule, which the handlers do not
call) counts as a change of everything: the index is rebuilt at the next step. The answer is the scan's:
``tests/simulation/test_timer_index.py`` compares them after random creations, deletions, replacements, updates and
disabled or undated schedules.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from typing import Any

from moto.scheduler.models import Schedule

_updates = 0  # ``Schedule.update`` calls so far: an index built before the last one is rebuilt


def _counting_update(self: Schedule, *args: Any, **kwargs: Any) -> Any:
    global _updates
    try:
        return _original_update(self, *args, **kwargs)
    finally:  # counted once the schedule has changed: an index built meanwhile is rebuilt all the same
        _updates += 1


class TimerIndex:
    """The earliest enabled, dated schedule of one group, as ``scan`` finds it."""

    def __init__(self, due_of: Callable[[str], datetime | None]) -> None:
        self._due_of = due_of
        self._schedules: dict[str, Any] | None = None  # moto's dict the index was built from
        self._seen: set[tuple[str, Any]] = set()
        self._heap: list[tuple[datetime, str, int, Any]] = []
        self._updates = -1

    def next(self, schedules: dict[str, Any]) -> tuple[datetime, str, Any] | None:
        """(due, name, schedule) of the earliest enabled schedule with an ``at(...)`` expression, by name on ties."""
        if schedules is not self._schedules or self._updates != _updates:
            self._schedules, self._updates = schedules, _updates
            self._seen, self._heap = set(), []
        current = schedules.items()
        if len(self._seen) != len(current) or self._seen != current:
            for name, schedule in current - self._seen:
                self._push(name, schedule)
            self._seen = set(current)
        heap = self._heap
        while heap:
            due, name, _, schedule = heap[0]
            if schedules.get(name) is schedule:
                return due, name, schedule
            heapq.heappop(heap)  # deleted, or replaced under its name (the new one was pushed when it came)
        return None

    def _push(self, name: str, schedule: Any) -> None:
        due = self._due_of(schedule.schedule_expression)
        if due is not None and schedule.state == "ENABLED":
            heapq.heappush(self._heap, (due, name, id(schedule), schedule))


def scan(schedules: dict[str, Any], due_of: Callable[[str], datetime | None]) -> tuple[datetime, str, Any] | None:
    """The same answer, from a look at every schedule (plain moto's way, and the reference of the tests)."""
    best: tuple[datetime, str, Any] | None = None
    for schedule in schedules.values():
        due = due_of(schedule.schedule_expression)
        if due is None or schedule.state != "ENABLED":
            continue
        if best is None or (due, schedule.name) < (best[0], best[1]):
            best = (due, schedule.name, schedule)
    return best


_original_update = Schedule.update
PATCHES: list[tuple[Any, str, Any]] = [(Schedule, "update", _counting_update)]
