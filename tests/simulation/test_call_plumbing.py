"""Fast path 44 (``outreach.simulator.call_plumbing``): moto's per-request helpers give what moto's give.

Given any instant, region name or virtual clock, when the remembered ``http_date`` and ``get_partition`` and the
import-free ``utcnow`` are asked (again and again), then they answer what werkzeug's and moto's functions answer.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core import responses as moto_responses
from moto.core import utils as moto_utils
from moto.utilities.utils import get_partition
from werkzeug.http import http_date

from outreach.simulator import call_plumbing, direct_calls
from outreach.simulator.patching import installed

MOTO_UTCNOW = moto_utils.utcnow
regions = st.one_of(
    st.sampled_from(
        ["", "us-east-1", "eu-central-1", "cn-north-1", "us-gov-west-1", "us-iso-east-1", "aws-cn", "global"]
    ),
    st.text(max_size=12),
)
instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1)) | st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(timezone(timedelta(hours=2)))
)


@settings(max_examples=200, deadline=None)
@given(instants, regions)
def test_given_any_instant_and_region_when_asked_twice_then_the_answers_are_werkzeugs_and_motos(
    instant: datetime, region: str
) -> None:
    for _ in range(2):
        assert call_plumbing.cached_http_date(instant) == http_date(instant)
        assert call_plumbing.cached_partition(region) == get_partition(region)


@settings(max_examples=50, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_given_a_virtual_clock_when_utcnow_is_asked_then_it_is_motos(instant: datetime) -> None:
    with time_machine.travel(instant, tick=False):
        ours, theirs = call_plumbing.utcnow(), MOTO_UTCNOW()
    assert ours == theirs and ours.tzinfo is None


def test_given_the_patches_then_motos_request_path_uses_them() -> None:
    with installed(call_plumbing.PATCHES):
        assert moto_responses.http_date is call_plumbing.cached_http_date
        assert moto_responses.utcnow is call_plumbing.utcnow is moto_utils.utcnow is direct_calls.utcnow
    assert moto_utils.utcnow is MOTO_UTCNOW
