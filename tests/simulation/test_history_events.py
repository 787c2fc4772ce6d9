"""Fast path 81 (``outreach.simulator.history_events``): a history event's timestamp text is remembered per instant and
zone, and is always the text moto formats, equal instants in other zones included."""

from __future__ import annotations

import datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.utils import iso_8601_datetime_with_milliseconds as moto_format

from outreach.simulator import history_events

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
