"""Fast paths 54 and 75: the runner finds the earliest pending timer, and the earliest task timeout, without looking at
every pending one at every step.

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

Fast path 75: every execution parked on its task token with a timeout (the waits' ``TimeoutSecondsPath``: one per
pending order) has a deadline in ``moto_runtime.Runtime.deadlines``, and before every step the runner took the earliest
with ``min`` over all of them (the first in the dict's order on ties): a run of N orders looked at about 7 N x N/2
deadlines. :class:`Deadlines` is that dict, and keeps a heap of (deadline, insertion number) beside it: a key set
anew (not in the dict) gets the next number, a key set again in place keeps its number (and its place in the dict's
order), so the heap's order is ``min``'s order, ties included. Removals (``pop``, ``del``, ``clear``...) are the
dict's own; the top of the heap is skipped while its key went or holds another deadline or number.
``tests/simulation/test_timer_index.py`` compares :meth:`Deadlines.earliest` with ``min`` after random parks, wake-ups,
timeouts, re-parks and equal deadlines.

Fast path 79: fast path 54 still compared every pending schedule with the index at every step (a set of N pairs built
and compared each time something changed, which is nearly every step): one timer pending per order made that the last
term of a run growing with the square of its orders (0.35 ms of CPU per order at 60 orders, 1.24 ms at 300). A
schedule group's ``schedules`` is now a :class:`LoggedSchedules`: moto's dict with a log of every schedule put in it
(item assignment, ``setdefault``, ``update``, ``|=``; moto's ``ScheduleGroup.add_schedule`` assigns), and the index
pushes what was logged since its last look instead of comparing. Nothing else changes: a schedule that went is still
skipped at the top of the heap (``schedules.get(name) is schedule``), ``Schedule.update`` still rebuilds the index, and
a plain dict (a group made before the fast paths were installed) is compared as before. The same test compares the
index over a ``LoggedSchedules`` with a look at every schedule after the same random changes (and checks that the dict
is moto's dict in every other respect).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime
from typing import Any, Self, TypeVar

from moto.scheduler.models import Schedule, ScheduleGroup

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
        self._read = 0  # how much of a ``LoggedSchedules``'s log the heap holds (fast path 79)

    def next(self, schedules: dict[str, Any]) -> tuple[datetime, str, Any] | None:
        """(due, name, schedule) of the earliest enabled schedule with an ``at(...)`` expression, by name on ties."""
        log = schedules.log if type(schedules) is LoggedSchedules else None
        if schedules is not self._schedules or self._updates != _updates:
            self._schedules, self._updates = schedules, _updates
            self._seen, self._heap = set(), []
            if log is not None:  # fast path 79: everything there now, then what the log adds
                read = len(log)  # taken first: a schedule put meanwhile is in the log after it (pushed twice: harmless)
                for name, schedule in list(schedules.items()):
                    self._push(name, schedule)
                self._read = read
        if log is not None:
            added = log[self._read :]  # (one that went since is skipped at the top of the heap)
            self._read += len(added)
            for name, schedule in added:
                self._push(name, schedule)
        else:
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


_K = TypeVar("_K")
_V = TypeVar("_V")


class _EveryPutSeen(dict[_K, _V]):
    """A dict whose ``setdefault``, ``update`` and ``|=`` put each item through ``__setitem__`` (dict's own skip it):
    the base of a dict that keeps something beside each item put in it."""

    def setdefault(self, key: _K, default: Any = None) -> _V:
        if key not in self:
            self[key] = default
        return self[key]

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            self[key] = value

    def __ior__(self, other: Any) -> Self:  # type: ignore[override,misc]
        self.update(other)
        return self


class Deadlines(_EveryPutSeen[Any, datetime]):
    """``Runtime.deadlines`` (a parked task's endpoint -> its deadline), the earliest at hand (fast path 75)."""

    def __init__(self) -> None:
        super().__init__()
        self._number: dict[Any, int] = {}  # key -> the insertion that put it at its place in the dict's order
        self._heap: list[tuple[datetime, int, int, Any]] = []
        self._insertions = 0
        self._pushes = 0

    def __setitem__(self, key: Any, deadline: datetime) -> None:
        if key not in self:
            self._insertions += 1
            self._number[key] = self._insertions
        super().__setitem__(key, deadline)
        self._pushes += 1
        heapq.heappush(self._heap, (deadline, self._number[key], self._pushes, key))

    def __copy__(self) -> Deadlines:
        return _deadlines(list(dict.items(self)))

    def __reduce__(self) -> tuple[Any, ...]:  # (pickle and deepcopy: rebuilt from the items, in the dict's order)
        return (_deadlines, (list(dict.items(self)),))

    def earliest(self) -> tuple[Any, datetime] | None:
        """What ``min(self.items(), key=lambda item: item[1])`` answers (None when empty)."""
        heap = self._heap
        while heap:
            deadline, number, _, key = heap[0]
            if key in self and self._number.get(key) == number and dict.__getitem__(self, key) == deadline:
                return key, dict.__getitem__(self, key)  # the dict's own (an equal instant may be in another zone)
            heapq.heappop(heap)
            if key not in self:
                self._number.pop(key, None)
        return None


def _deadlines(items: list[tuple[Any, datetime]]) -> Deadlines:
    """A copy of a ``Deadlines`` from its items in order: its own heap and numbering, shared with nothing."""
    rebuilt = Deadlines()
    for key, deadline in items:
        rebuilt[key] = deadline
    return rebuilt


class LoggedSchedules(_EveryPutSeen[str, Any]):
    """A schedule group's ``schedules`` (fast path 79): moto's dict, with a log of every (name, schedule) put in it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.log: list[tuple[str, Any]] = []
        self.update(*args, **kwargs)

    def __setitem__(self, name: str, schedule: Any) -> None:
        super().__setitem__(name, schedule)
        self.log.append((name, schedule))

    def __reduce__(self) -> tuple[Any, ...]:  # (pickle and deepcopy: a new log of the items, in the dict's order)
        return (LoggedSchedules, (list(dict.items(self)),))


def _group_init(self: ScheduleGroup, *args: Any, **kwargs: Any) -> None:
    _original_group_init(self, *args, **kwargs)
    self.schedules = LoggedSchedules(self.schedules)


_original_update = Schedule.update
_original_group_init = ScheduleGroup.__init__
PATCHES: list[tuple[Any, str, Any]] = [
    (Schedule, "update", _counting_update),
    (ScheduleGroup, "__init__", _group_init),  # fast path 79
]
