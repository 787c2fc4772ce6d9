"""Fast paths 44 and 53 (``outreach.simulator.call_plumbing``): moto's per-request helpers give what moto's give.

Given any instant, region name or virtual clock, when the remembered ``http_date`` and ``get_partition`` and the
import-free ``utcnow`` are asked (again and again), then they answer what werkzeug's and moto's functions answer.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
import time_machine
from hypothesis import example, given, settings
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


# -- fast path 53: _get_param with the JSON body decoded once per request -----------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3) | st.text(max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "Name"]), inner, max_size=3),
    max_leaves=6,
)
_bodies = st.one_of(
    _json.map(json.dumps),
    st.dictionaries(st.sampled_from(["a", "b", "Name", "Target"]), _json, max_size=4).map(json.dumps),
    st.just("not json"),
    st.just(""),
    st.none(),
    # fast path 113: names written with escapes, named in values or deeper, names that are not plain
    st.sampled_from(
        [
            '{"N\\u0061me": 1}',
            '{"\\u0061": [1]}',
            '{"x": "\\u0041", "a": 2}',
            '{"b": "Name"}',
            '{"b": {"Name": 1}}',
            '{"a-b": 3, "a b": 4}',
            '["Name", {"Name": 1}]',
            '"Name"',
            '{"Name" : 5}',
        ]
    ),
    st.sampled_from([b'{"Name": 1}', b'{"a": 2}']),
)
_names = st.sampled_from(["a", "b", "Name", "Target", "missing", "a-b", "a b", ""])


def _response(body: Any, query: dict[str, list[str]], labels: dict[str, str]) -> Any:
    response = moto_responses.BaseResponse(service_name="scheduler")
    response.body = body
    response.querystring = query
    response.uri_match = labels
    return response


@settings(max_examples=300, deadline=None)
@example('{"N\\u0061me": 1}', {}, {}, ["Name"])  # fast path 113: a name written with escapes is decoded for
@example('{"\\u0061": [1]}', {}, {}, ["a", "b"])
@given(
    _bodies,
    st.dictionaries(_names, st.lists(st.text(max_size=2), min_size=1, max_size=2), max_size=2),
    st.dictionaries(_names, st.text(max_size=2), max_size=2),
    st.lists(_names, max_size=6),
)
def test_given_any_body_and_reads_when_decoded_once_then_each_read_answers_as_moto_and_owns_its_answer(
    body, query, labels, reads
):
    moto = _response(body, query, labels)
    fast = _response(body, query, labels)
    answered = []
    with installed(call_plumbing.PATCHES):
        for name in reads:
            got = fast._get_param(name, if_none="none")
            answered.append(copy.deepcopy(got))
            if isinstance(got, dict | list):  # what a caller does with its answer changes no later answer
                got.clear()
    expected = [call_plumbing._original_get_param(moto, name, "none") for name in reads]
    assert answered == expected


def test_given_a_body_nested_too_deep_to_decode_then_reading_it_fails_as_in_moto() -> None:
    body = "[" * 100_000 + "]" * 100_000  # fast path 113 does not skip decoding a text it cannot prove harmless
    with pytest.raises(RecursionError):
        call_plumbing._original_get_param(_response(body, {}, {}), "Name", "none")
    with installed(call_plumbing.PATCHES), pytest.raises(RecursionError):
        _response(body, {}, {})._get_param("Name", if_none="none")
