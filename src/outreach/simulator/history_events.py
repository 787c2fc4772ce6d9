"""Fast path 81: a history event's timestamp text is formatted once per instant.

moto's Step Functions interpreter adds about 58 history events per happy order (``EventManager.add_event``), each with
its timestamp formatted by ``iso_8601_datetime_with_milliseconds`` (a ``strftime`` and a slice). The virtual clock
stands still while a step runs, so the events of one step carry the same instant again and again. Here the event
manager's formatter remembers the text of the last instants it formatted, keyed by the instant and its ``tzinfo``
(two aware instants with the same ``tzinfo`` are equal only when their fields are, and those are all ``strftime``
reads: the text is the same; an equal instant in another zone is another key). A call without an instant (which
formats the current time) is moto's. ``tests/simulation/test_history_events.py`` compares the texts with moto's over
random instants, zones and equal instants in different zones.

Fast path 112: the interpreter writes JSON text with ``encoding.to_json_str`` about 70 times per happy order (each
state's input and output in its history events, the size check of every state's output, a task's parameters and
result), ``json.dumps(obj, cls=_DateTimeEncoder, separators=separators)``, which builds a new encoder for every call
(about half of a call's 4.6 us for the interpreter's texts of 200 characters). Here each of moto's modules that
calls it calls one kept encoder per ``separators`` (none, or the compact pair moto uses), built with the arguments
``json.dumps`` gives the class; its ``encode`` keeps nothing between calls (each makes its own circular-reference
marks), so the text is the same, and several threads may share it. Other separators are ``json.dumps``' way.
``tests/simulation/test_history_events.py`` compares the texts (and errors) with moto's over random JSON-like values,
dates and values only ``str`` can write.
"""

from __future__ import annotations

import datetime
import importlib
from typing import Any

from moto.stepfunctions.parser.asl.eval.event import event_manager
from moto.stepfunctions.parser.asl.utils import encoding

_original_format = event_manager.iso_8601_datetime_with_milliseconds
_texts: dict[tuple[datetime.datetime, Any], str] = {}


def iso_8601_datetime_with_milliseconds(value: datetime.datetime | None = None) -> str:
    """``moto.core.utils.iso_8601_datetime_with_milliseconds``, remembered per (instant, zone) (fast path 81)."""
    if type(value) is not datetime.datetime:
        return _original_format(value)
    key = (value, value.tzinfo)
    text = _texts.get(key)
    if text is None:
        if len(_texts) >= 256:
            _texts.clear()
        text = _texts[key] = _original_format(value)
    return text


def clear() -> None:
    _texts.clear()


# -- fast path 112: one JSON encoder per separators -------------------------------------------------------------------
_original_to_json_str = encoding.to_json_str
_ENCODERS: dict[Any, Any] = {
    separators: encoding._DateTimeEncoder(
        skipkeys=False,
        ensure_ascii=True,
        check_circular=True,
        allow_nan=True,
        indent=None,
        separators=separators,
        default=None,
        sort_keys=False,
    )
    for separators in (None, (",", ":"))
}


def to_json_str(obj: Any, separators: tuple[str, str] | None = None) -> str:
    """``encoding.to_json_str``: the kept encoder's text (fast path 112)."""
    encoder = _ENCODERS.get(separators) if separators is None or type(separators) is tuple else None
    if encoder is None:
        return _original_to_json_str(obj, separators)
    return encoder.encode(obj)  # type: ignore[no-any-return]


#: moto's modules that call ``to_json_str`` by the name they imported (all imported with moto's Step Functions backend)
_WRITERS = [
    "asl.component.common.string.string_expression",
    "asl.component.eval_component",
    "asl.component.program.program",
    "asl.component.state.exec.state_map.items.items",
    "asl.component.state.exec.state_map.iteration.itemprocessor.distributed_item_processor_worker",
    "asl.component.state.exec.state_map.iteration.job",
    "asl.component.state.exec.state_map.max_concurrency",
    "asl.component.state.exec.state_map.tolerated_failure",
    "asl.component.state.exec.state_task.lambda_eval_utils",
    "asl.component.state.exec.state_task.service.state_task_service",
    "asl.component.state.exec.state_task.service.state_task_service_batch",
    "asl.component.state.exec.state_task.service.state_task_service_callback",
    "asl.component.state.exec.state_task.service.state_task_service_events",
    "asl.component.state.exec.state_task.service.state_task_service_glue",
    "asl.component.state.exec.state_task.service.state_task_service_sfn",
    "asl.component.state.exec.state_task.service.state_task_service_sns",
    "asl.component.state.exec.state_task.service.state_task_service_sqs",
    "asl.component.state.exec.state_task.state_task_activitiy",
    "asl.component.state.exec.state_task.state_task_lambda",
    "asl.component.state.state",
    "asl.eval.event.event_manager",
    "asl.eval.event.logging",
    "asl.eval.variable_store",
    "asl.jsonata.jsonata",
    "asl.utils.encoding",
    "asl.utils.json_path",
    "backend.execution",
    "backend.execution_worker",
    "quotas",
]
WRITERS = [importlib.import_module(f"moto.stepfunctions.parser.{name}") for name in _WRITERS]

PATCHES: list[tuple[Any, str, Any]] = [
    (event_manager, "iso_8601_datetime_with_milliseconds", iso_8601_datetime_with_milliseconds),
    *[(module, "to_json_str", to_json_str) for module in WRITERS],
]
