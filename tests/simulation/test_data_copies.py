"""Fast paths 41 and 42 (``data_copies``): the copy is ``copy.deepcopy``'s, object for object.

Given random JSON-like values (Decimals, sets, bytes, Binary, tuples, boto3 conditions, nested lists and dicts, the
same object met twice), when copied by ``data_copies.deepcopy`` and by ``copy.deepcopy`` (with no memo, as moto
copies state data, and with boto3's ``_ForgetfulDict``, as boto3 copies DynamoDB parameters), then the copies are
equal, share objects among themselves in the same places, and share no mutable object with the original.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from datetime import datetime
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.transform import copy_dynamodb_params
from boto3.dynamodb.types import Binary
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramRunning

from outreach.simulator import data_copies
from outreach.simulator.patching import installed

_IMMUTABLE = (str, int, float, bool, type(None), bytes, Decimal, datetime)

scalars = st.one_of(
    st.text(max_size=5),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.binary(max_size=4),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
)
set_members = st.one_of(st.text(max_size=4), st.decimals(allow_nan=False, allow_infinity=False, places=1), st.binary())
conditions = st.sampled_from([Attr("status").eq("SENT"), Key("pk").eq("ORDER#1") & Key("sk").begins_with("C#")])


def _extend(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=4), children, max_size=4),
        st.tuples(children, children),
        st.sets(set_members, max_size=4),
        st.builds(Binary, st.binary(max_size=4)),
        conditions,
        # the same object twice: copy.deepcopy copies it once (with a memo that remembers)
        children.map(lambda shared: [shared, {"again": shared}]),
    )


values = st.recursive(scalars, _extend, max_leaves=20)


def _shape(value: Any, seen: dict[int, int]) -> Any:
    """The value's structure with each mutable object numbered where first met: equal shapes, equal sharing."""
    if isinstance(value, _IMMUTABLE):
        return (type(value).__name__, value)
    if id(value) in seen:
        return ("seen", seen[id(value)])
    if not isinstance(value, tuple | frozenset):
        seen[id(value)] = len(seen)
    if isinstance(value, dict):
        return (type(value).__name__, [(_shape(k, seen), _shape(v, seen)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [_shape(v, seen) for v in value])
    if isinstance(value, set | frozenset):
        return (type(value).__name__, [_shape(v, seen) for v in value])  # iteration order too (serialised as a list)
    return (type(value).__name__, _shape(vars(value), seen))


def _mutable_ids(value: Any, out: set[int]) -> set[int]:
    if isinstance(value, _IMMUTABLE):
        return out
    if not isinstance(value, tuple | frozenset):
        if id(value) in out:
            return out
        out.add(id(value))
    if isinstance(value, dict):
        for k, v in value.items():
            _mutable_ids(k, out)
            _mutable_ids(v, out)
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            _mutable_ids(v, out)
    else:
        _mutable_ids(vars(value), out)
    return out


def _assert_same_copy(original: Any, ours: Any, theirs: Any, *, comparable: bool = True) -> None:
    assert not comparable or ours == theirs
    assert _shape(ours, {}) == _shape(theirs, {})
    assert not _mutable_ids(ours, set()) & _mutable_ids(original, set())


@settings(max_examples=300, deadline=None)
@given(values)
def test_given_json_like_values_when_copied_without_memo_then_the_copy_is_deepcopys(value: Any) -> None:
    _assert_same_copy(value, data_copies.deepcopy(value), copy.deepcopy(value))


@settings(max_examples=300, deadline=None)
@given(values)
def test_given_dynamodb_parameters_when_copied_with_boto3s_forgetful_memo_then_the_copy_is_deepcopys(
    value: Any,
) -> None:
    params = {"TableName": "t", "Item": value, "ConditionExpression": Attr("pk").not_exists()}
    theirs = copy_dynamodb_params(params)
    with installed(data_copies.PATCHES):
        ours = copy_dynamodb_params(params)
    _assert_same_copy(params, ours, theirs)


def test_given_a_program_state_when_copied_then_a_new_object_of_its_class_with_its_attributes() -> None:
    running = ProgramRunning()
    running.next_state_name = "Wait"
    running.next_field_name = "Parameters"
    for state in (running, ProgramEnded(), [running, running]):
        _assert_same_copy(state, data_copies.deepcopy(state), copy.deepcopy(state), comparable=False)
    copied = data_copies.deepcopy(running)
    assert type(copied) is ProgramRunning and copied.next_state_name == "Wait" and copied is not running


def test_given_tuples_when_copied_then_a_tuple_of_immutables_is_itself_and_one_with_a_list_is_new() -> None:
    immutable, holding = ("a", Decimal("1"), b"x"), ("a", ["b"])
    for params in ({"v": immutable}, {"v": holding}):
        theirs, ours = copy_dynamodb_params(params), None
        with installed(data_copies.PATCHES):
            ours = copy_dynamodb_params(params)
        assert (ours["v"] is params["v"]) == (theirs["v"] is params["v"]) and ours == theirs
    assert data_copies.deepcopy(immutable) is immutable and data_copies.deepcopy(holding) is not holding


def test_given_the_classes_copied_as_plain_objects_then_they_are_plain_and_others_are_not() -> None:
    from boto3.dynamodb.conditions import And, AttributeNotExists, BeginsWith, Equals

    for cls in (And, AttributeNotExists, BeginsWith, Equals, Attr, Key, Binary, ProgramRunning, ProgramEnded):
        assert data_copies.is_plain(cls), cls
    for cls in (dict, list, tuple, set, Decimal, datetime, OrderedDict, type, Exception):
        assert not data_copies.is_plain(cls), cls


def test_given_the_patches_then_the_moto_and_boto3_modules_copy_with_data_copies() -> None:
    from boto3.dynamodb import transform
    from moto.stepfunctions.parser.asl.eval import states

    with installed(data_copies.PATCHES):
        assert states.copy.deepcopy is data_copies.deepcopy
        assert transform.copy.deepcopy is data_copies.deepcopy
    assert states.copy is copy and transform.copy is copy


@settings(max_examples=100, deadline=None)
@given(values)
def test_given_a_callers_memo_when_copied_then_it_records_and_keeps_alive_the_originals_as_deepcopy_does(
    value: Any,
) -> None:
    original = {"a": value, "b": [value]}
    ours: dict[int, Any] = {}
    theirs: dict[int, Any] = {}
    data_copies.deepcopy(original, ours)
    copy.deepcopy(original, theirs)
    # for the objects of the original (copy.deepcopy also records the temporary arguments it rebuilds a set from)
    reachable = _mutable_ids(original, set())
    assert set(ours) & reachable == set(theirs) & reachable == reachable
    ours_alive, theirs_alive = {id(x) for x in ours[id(ours)]}, {id(x) for x in theirs[id(theirs)]}
    assert ours_alive & reachable == theirs_alive & reachable == reachable
