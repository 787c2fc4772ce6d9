"""Fast path 81: a history event's timestamp text is formatted once per instant.

moto's Step Functions interpreter adds about 58 history events per happy order (``EventManager.add_event``), each with
its timestamp formatted by ``iso_8601_datetime_with_milliseconds`` (a ``strftime`` and a slice). The virtual clock
stands still while a step runs, so the events of one step carry the same instant again and again. Here the event
manager's formatter remembers the text of the last instants it formatted, keyed by the instant and its ``tzinfo``
(two aware instants with the same ``tzinfo`` are equal only when their fields are, and those are all ``strftime``
reads: the text is the same; an equal instant in another zone is another key). A call without an instant (which
formats the current time) is moto's. ``tests/simulation/test_history_events.py`` compares the texts with moto's over
random instants, zones and equal instants in different zones.
"""

from __future__ import annotations

import datetime
from typing import Any

from moto.stepfunctions.parser.asl.eval.event import event_manager

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


PATCHES: list[tuple[Any, str, Any]] = [
    (event_manager, "iso_8601_datetime_with_milliseconds", iso_8601_datetime_with_milliseconds)
]
