"""Fast paths 29 and 70: a Task state, and an execution's program, run in the execution's own thread.

Fast path 29: moto's ``ExecutionState._evaluate_with_timeout`` starts a thread for every Task (also Map and Parallel)
state it enters, runs the state there and waits for it with the state's ``TimeoutSeconds`` in real time. In a
simulation time is virtual: a waiting task's timeout is a virtual deadline the runner fires
(``moto_runtime.Runtime.deadlines``), and every handler runs in process and returns, so the real-time wait never
decides anything; the thread only costs its start and the switches to it and back.

Fast path 70: moto's ``Program.eval`` (every execution's whole run of states) starts one more thread for the program's
states and waits for it with the state machine's top-level ``TimeoutSeconds`` in real time, in the execution's thread
(``ExecutionWorker``), which does nothing else meanwhile. The same holds: the real-time wait decides nothing in virtual
time (the order timeline's definition sets no top-level timeout, and a run takes seconds), so the execution's thread
runs the program's states itself. Quiescence and turns are unchanged: they count executions (``ExecutionWorker``), not
the program's thread, which only ever waited for its parent's turn. Per execution: one thread fewer to start, switch
to and join.

``execute_state.Thread`` and ``program.threading.Thread`` are replaced by a stand-in that runs its target when started.
moto's code stays the path: the same frame and stack copy, the same exception handed back, the same event set before
the (now immediate) wait, the same ``is_alive`` check after the join (False: the program ended). An exception that
escapes the target (moto's targets catch every ``Exception`` themselves) goes to ``threading.excepthook`` as it would
end a thread, and the caller goes on as after a thread's end. Plain moto (``--plain``) keeps the threads; the parity
test compares the two, and ``tests/simulation/test_inline_states.py`` compares executions, histories and outcomes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from moto.stepfunctions.parser.asl.component.program import program
from moto.stepfunctions.parser.asl.component.state.exec import execute_state

from outreach.simulator.fast_calls import _module_with


class InlineThread:
    """What ``_evaluate_with_timeout`` and ``Program.eval`` use of ``threading.Thread``: built with a target (and its
    arguments), started once, joined, asked whether it is alive."""

    def __init__(
        self,
        target: Callable[..., Any],
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
        daemon: bool | None = None,
        **_: Any,
    ) -> None:
        self._target: Callable[..., Any] | None = target
        self._args = args
        self._kwargs = kwargs or {}
        self.daemon = daemon

    def start(self) -> None:
        # Forgotten once run, as threading.Thread.run forgets its target: moto keeps every thread it started in a
        # module-level list (TMP_THREADS), which would otherwise hold each task's frame for the whole process.
        target, self._target = self._target, None
        args, kwargs = self._args, self._kwargs
        self._args, self._kwargs = (), {}
        if target is None:
            return
        try:
            target(*args, **kwargs)  # moto's targets catch every Exception themselves
        except SystemExit:
            pass  # ends a thread silently
        except BaseException as exc:  # what would end the thread: reported as threading reports it
            threading.excepthook(threading.ExceptHookArgs((type(exc), exc, exc.__traceback__, None)))  # type: ignore[attr-defined]

    def is_alive(self) -> bool:
        return False

    def join(self, timeout: float | None = None) -> None:
        return None


PATCHES: list[tuple[Any, str, Any]] = [
    (execute_state, "Thread", InlineThread),  # fast path 29
    (program, "threading", _module_with(threading, Thread=InlineThread)),  # fast path 70
]
