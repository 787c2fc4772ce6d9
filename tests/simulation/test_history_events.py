"""Fast paths 81 and 112 (``outreach.simulator.history_events``): a history event's timestamp text is remembered per
instant and zone, and is always the text moto formats, equal instants in other zones included; the interpreter's JSON
text, written by kept encoders, is always moto's (errors included)."""

from __future__ import annotations

import datetime
from datetime import UTC
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.utils import iso_8601_datetime_with_milliseconds as moto_format
from moto.stepfunctions.parser.asl.utils.encoding import to_json_str as MOTO_TO_JSON

from outreach.simulator import history_events
from outreach.simulator.patching import installed

_ZONES = st.sampled_from(
    [None, datetime.UTC, *(datetime.timezone(datetime.timedelta(hours=hours)) for hours in (1, -3))]
)
_INSTANTS = st.builds(
    lambda naive, zone, fold: naive.replace(tzinfo=zone, fold=fold),
    st.datetimes(min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2100, 1, 1)),
    _ZONES,
    st.integers(0, 1),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_INSTANTS, min_size=1, max_size=20))
def test_given_any_instants_when_formatted_for_history_events_then_each_text_is_motos(instants):
    history_events.clear()
    twice = instants + instants[::-1]

    assert [history_events.iso_8601_datetime_with_milliseconds(i) for i in twice] == [moto_format(i) for i in twice]


def test_given_the_same_instant_in_two_zones_when_formatted_then_each_is_written_in_its_own_zone():
    noon = datetime.datetime(2026, 11, 2, 12, tzinfo=datetime.UTC)
    same = noon.astimezone(datetime.timezone(datetime.timedelta(hours=1)))
    history_events.clear()

    assert noon == same
    assert history_events.iso_8601_datetime_with_milliseconds(noon) == "2026-11-02T12:00:00.000Z"
    assert history_events.iso_8601_datetime_with_milliseconds(same) == "2026-11-02T13:00:00.000Z"


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.decimals(allow_nan=False, places=2),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=5) | st.integers() | st.booleans(), children, max_size=3)
        | st.tuples(children, children)
    ),
    max_leaves=12,
)


def _written(function: Any, value: Any, separators: Any) -> Any:
    try:
        return "ok", function(value, separators)
    except Exception as exc:
        return "error", type(exc), str(exc)


@settings(max_examples=200, deadline=None)
@given(json_values, st.sampled_from([None, (",", ":"), (", ", ": "), [",", ":"]]))
def test_given_any_value_when_the_interpreter_writes_it_as_json_then_the_text_is_moto_s(value: Any, separators: Any):
    """Fast path 112: one kept encoder per separators."""
    for _ in range(2):
        assert _written(history_events.to_json_str, value, separators) == _written(MOTO_TO_JSON, value, separators)


def test_given_the_patches_then_every_module_that_writes_json_uses_the_kept_encoders() -> None:
    with installed(history_events.PATCHES):
        assert all(module.to_json_str is history_events.to_json_str for module in history_events.WRITERS)
    assert all(module.to_json_str is MOTO_TO_JSON for module in history_events.WRITERS)
    circular: list[Any] = []
    circular.append(circular)
    assert _written(history_events.to_json_str, circular, None) == _written(MOTO_TO_JSON, circular, None)
