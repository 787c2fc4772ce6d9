"""Fast path 29: a Task state runs in its execution's own thread, not in a thread of its own.

moto's ``ExecutionState._evaluate_with_timeout`` starts a thread for every Task (also Map and Parallel) state it
enters, runs the state there and waits for it with the state's ``TimeoutSeconds`` in real time. In a simulation
time is virtual: a waiting task's timeout is a virtual deadline the runner fires
(``moto_runtime.Runtime.deadlines``), and every handler runs in process and returns, so the real-time wait never
decides anything; the thread only costs its start and the switches to it and back.

``execute_state.Thread`` is replaced by a stand-in that runs its target when started. moto's own code stays the
path: the same frame and stack copy, the same exception handed back, the same event set before the (now
immediate) wait. Plain moto (``--plain``) keeps the threads; the parity test compares the two.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.state.exec import execute_state


class InlineThread:
    """What ``_evaluate_with_timeout`` uses of ``threading.Thread``: built with a target, started once."""

    def __init__(self, target: Callable[[], Any], daemon: bool | None = None, **_: Any) -> None:
        self._target: Callable[[], Any] | None = target
        self.daemon = daemon

    def start(self) -> None:
        # Forgotten once run, as threading.Thread.run forgets its target: moto keeps every thread it started in a
        # module-level list (TMP_THREADS), which would otherwise hold each task's frame for the whole process.
        target, self._target = self._target, None
        if target is not None:
            target()  # moto's target catches every exception itself and sets the event the state waits on

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


PATCHES: list[tuple[Any, str, Any]] = [(execute_state, "Thread", InlineThread)]
