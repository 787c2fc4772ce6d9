"""Fast path 80: a state's input is not deep-copied for callers of ``States.get_input`` that only serialise it.

moto's Step Functions interpreter keeps each state's input in ``States`` and hands out a deep copy of it at every
``get_input()``, whatever the caller does with it. In five functions (``READERS``) the copy is never seen: the details
of the ``...StateEntered`` and ``...StateExited`` history events (``State._get_state_entered_event_details``,
``_get_state_exited_event_details``) and of ``ExecutionSucceeded`` (``Program._eval_body``) write the input as JSON
text, the size check at the end of every state (``State._eval_body``: ``_verify_size_quota``) measures that JSON text,
and a Task's frame (``ExecutionState._evaluate_with_timeout``) passes it to ``States.reset``, which deep-copies what it
is given again. Those five get the input itself (the same JSON text, the same size, the same reset copy); every other
caller (a state's ``InputPath``, ``ResultPath``, a Map's items...), and any call with a query, gets moto's deep copy.
A happy order's 15 states made about 60 such copies of the order's state data (of 231 deep copies in the
interpreter). ``tests/simulation/test_state_inputs.py`` reads those functions' source to hold moto to using
``get_input()`` there only inside ``to_json_str``, ``_verify_size_quota`` or ``reset``, and compares executions (their
status, output and every history event) with and without the fast path; ``test_inline_states.py`` and the parity test
compare whole runs with plain moto.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.stepfunctions.parser.asl.component.program.program import Program
from moto.stepfunctions.parser.asl.component.state.exec.execute_state import ExecutionState
from moto.stepfunctions.parser.asl.component.state.state import CommonStateField
from moto.stepfunctions.parser.asl.eval.states import States

#: the functions whose calls of ``get_input()`` only serialise the input, measure it or hand it to ``States.reset``
READERS = (
    CommonStateField._get_state_entered_event_details,
    CommonStateField._get_state_exited_event_details,
    CommonStateField._eval_body,
    Program._eval_body,
    ExecutionState._evaluate_with_timeout,
)
_READER_CODE = frozenset(function.__code__ for function in READERS)
_original_get_input = States.get_input


def _get_input(self: States, query: str | None = None) -> Any:
    """``States.get_input``; for the readers above (fast path 80), the input itself rather than a deep copy."""
    if query is None and sys._getframe(1).f_code in _READER_CODE:
        return self._states_data["input"]
    return _original_get_input(self, query)


PATCHES: list[tuple[Any, str, Any]] = [(States, "get_input", _get_input)]
