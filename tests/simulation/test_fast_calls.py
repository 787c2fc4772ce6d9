"""Fast paths 16 and up (``outreach.simulator.fast_calls``) on the cases no example exercises: every UpdateItem
below, valid or not, gets the same answer, the same error and leaves the same item as in plain moto."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.dynamodb.models.dynamo_type import DynamoType

from outreach.simulator import fast_calls, moto_runtime
from tests.dynamo import create_keyed_table
from tests.simulation.test_fast_path_parity import REGION
from tests.simulation.test_fast_path_parity import _call as _answer

BIG = "x" * 200_000

UPDATES: list[dict[str, Any]] = [
    # the shapes the fast path plans
    {"UpdateExpression": "SET a = :a, #b = :b", "ExpressionAttributeNames": {"#b": "b"}},
    {"UpdateExpression": "SET n = if_not_exists(n, :zero) + :one"},
    {"UpdateExpression": "SET n = if_not_exists(n, :zero) + :one"},
    {"UpdateExpression": "SET #0 = :a REMOVE c, gsiKey", "ExpressionAttributeNames": {"#0": "status"}},
    {"UpdateExpression": "SET #g = :a", "ExpressionAttributeNames": {"#g": "gsiKey"}},  # moto checks the token
    {"UpdateExpression": "REMOVE a, nothingThere"},
    {"UpdateExpression": "ADD n :one REMOVE a"},
    {"UpdateExpression": "ADD #n :half SET a = :a", "ExpressionAttributeNames": {"#n": "fresh"}},
    {"UpdateExpression": "ADD s :one"},  # a string: moto refuses
    {"UpdateExpression": "ADD n :a"},
    {"UpdateExpression": "ADD tags :set"},
    {"UpdateExpression": "ADD tags :set2, n :one REMOVE a"},  # a set that has some of them, with a number
    {"UpdateExpression": "ADD fresh_set :set2"},  # a new set
    {"UpdateExpression": "ADD tags :nums"},  # a number set into a string set: moto refuses
    {"UpdateExpression": "ADD n :set"},  # a set into a number: moto refuses
    {"UpdateExpression": "ADD tags :one"},  # a number into a set: moto refuses
    {"UpdateExpression": "ADD tags :a"},  # a string: moto refuses
    {"UpdateExpression": "DELETE tags :set2"},  # some members go
    {"UpdateExpression": "DELETE tags :absent"},  # none of them there
    {"UpdateExpression": "DELETE nothing_there :set"},
    {"UpdateExpression": "DELETE tags :nums"},  # another set type: moto refuses
    {"UpdateExpression": "DELETE tags :a"},  # not a set: moto refuses
    {"UpdateExpression": "DELETE n :set"},
    {"UpdateExpression": "SET a = :a REMOVE b DELETE tags :all"},  # the set emptied: the attribute goes
    {"UpdateExpression": "DELETE tags :missing"},
    {"UpdateExpression": "ADD tags :set DELETE tags :set2"},  # two actions on one attribute: moto refuses
    {"UpdateExpression": "ADD n :missing"},
    {"UpdateExpression": "ADD pk :one"},
    {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_exists(pk)"},
    {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_not_exists(pk)"},
    {"UpdateExpression": "SET a = :a", "ConditionExpression": "attribute_exists(pk) AND (a = :a OR a <> :b)"},
    {"UpdateExpression": "SET a = :b", "ConditionExpression": "attribute_exists(pk) AND (a = :a OR a <> :b)"},
    {"UpdateExpression": "SET a = :a", "ConditionExpression": "a = = :a"},
    {"UpdateExpression": "SET a = :a", "ConditionExpression": "a ~ :a"},
    {"UpdateExpression": "SET big = :big"},
    {"UpdateExpression": "SET big2 = :big"},
    {"UpdateExpression": "SET big3 = :big"},  # over moto's item size limit
    # what moto rejects
    {"UpdateExpression": "SET a = :missing"},
    {"UpdateExpression": "SET #nope = :a"},
    {"UpdateExpression": "SET #s = :a", "ExpressionAttributeNames": {"#s": "sk"}},
    {"UpdateExpression": "SET pk = :a"},
    {"UpdateExpression": "SET a = :a, a = :b"},
    {"UpdateExpression": "SET a = :a REMOVE a"},
    {"UpdateExpression": "SET #x = :a, #y = :b", "ExpressionAttributeNames": {"#x": "a", "#y": "a"}},
    {"UpdateExpression": "SET size = :a"},
    {"UpdateExpression": "SET a = if_not_exists(status, :zero) + :one"},
    {"UpdateExpression": "SET s = if_not_exists(s, :a) + :one"},
    {"UpdateExpression": "SET n = if_not_exists(n, :zero) + :a"},
    {"UpdateExpression": "SET n = if_not_exists(n, :missing) + :one"},
    {"UpdateExpression": "SET gsiKey = :empty"},
    {"UpdateExpression": "SET gsiKey = :one"},
    {"UpdateExpression": "SET a = b"},
    {"UpdateExpression": "SET a = :a SET b = :b"},
    {"UpdateExpression": "SET a = :a, b = :b, c = list_append(if_not_exists(c, :empty_list), :list)"},
    {"UpdateExpression": "SET n = n - :one"},
    {"UpdateExpression": "ADD n :one"},
]
VALUES = {
    ":a": "A",
    ":b": "B",
    ":zero": 0,
    ":one": 1,
    ":big": BIG,
    ":empty": "",
    ":empty_list": [],
    ":list": [1],
    ":half": Decimal("0.50"),
    ":set": {"x", "y"},
    ":set2": {"y", "z"},
    ":absent": {"q"},
    ":all": {"x", "y", "z"},
    ":nums": {Decimal("1"), Decimal("2")},
}


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return _answer(fn, **kwargs)
    except Exception as exc:  # moto fails some invalid input with a raw error (an undefined name in a SET)
        return ("crash", type(exc).__name__, str(exc))


def _used_values(update: dict[str, Any]) -> dict[str, Any]:
    used = set(re.findall(r":\w+", update["UpdateExpression"] + " " + update.get("ConditionExpression", "")))
    return {k: v for k, v in VALUES.items() if k in used}


def _updates() -> list[Any]:
    create_keyed_table("t", REGION, index_key="gsiKey")
    table = boto3.resource("dynamodb", region_name=REGION).Table("t")
    out: list[Any] = []
    for n, update in enumerate(UPDATES):
        for key in ({"pk": "P", "sk": "S"}, {"pk": "P", "sk": f"NEW{n}"}):  # an existing item and a new one
            values = _used_values(update)
            kwargs = {**update, "ExpressionAttributeValues": values} if values else dict(update)
            out.append(_call(table.update_item, Key=key, ReturnValues="ALL_NEW", **kwargs))
            out.append(_call(table.get_item, Key=key))
    out.append(_call(table.scan))
    return out


def test_given_update_items_valid_or_not_when_run_fast_then_answers_errors_and_items_match_plain_moto():
    with mock_aws(), moto_runtime.patched({}, fast=False):
        plain = _updates()
    with mock_aws(), moto_runtime.patched({}, fast=True):
        fast = _updates()

    assert len(fast) == len(plain)
    for n, (got, expected) in enumerate(zip(fast, plain, strict=True)):
        assert got == expected, (n, UPDATES[n // 4] if n < 4 * len(UPDATES) else "scan")
    assert any(result[0] == "error" for result in plain)  # the rejected ones were rejected


def test_given_the_planned_shapes_then_the_fast_path_takes_them_and_leaves_the_rest_to_moto():
    planned: list[bool] = []
    original = fast_calls._planned

    def spy(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        planned.append(result is not None)
        return result

    fast_calls._planned = spy  # type: ignore[assignment]
    try:
        with mock_aws(), moto_runtime.patched({}, fast=True):
            _updates()
    finally:
        fast_calls._planned = original  # type: ignore[assignment]

    assert any(planned) and not all(planned)


# -- fast path 32: a condition parsed once per text, names and values ---------------------------------------------
CONDITIONS: list[dict[str, Any]] = [
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": 2}},
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": "2"}},  # same text, a string
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": 2}},  # seen before: the kept parse
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": True}},  # True == 1 in Python
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":w": 1}},  # an undefined value
    {"ConditionExpression": "n = :v", "ExpressionAttributeValues": {":v": 1, ":w": 1}},  # an unused one
    {"ConditionExpression": "#n = :v", "ExpressionAttributeNames": {"#n": "n"}, "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "#n = :v", "ExpressionAttributeNames": {"#n": "s"}, "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "#n = :v", "ExpressionAttributeNames": {"#x": "n"}, "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "contains(tags, :t)", "ExpressionAttributeValues": {":t": "x"}},
    {"ConditionExpression": "contains(tags, :t)", "ExpressionAttributeValues": {":t": "q"}},
    {"ConditionExpression": "doc = :d", "ExpressionAttributeValues": {":d": {"a": [1, {"b": "c"}]}}},
    {"ConditionExpression": "doc = :d", "ExpressionAttributeValues": {":d": {"a": [1, {"b": "d"}]}}},
    {"ConditionExpression": "tags = :t", "ExpressionAttributeValues": {":t": {"x", "y"}}},
    {"ConditionExpression": "tags = :t", "ExpressionAttributeValues": {":t": {"x"}}},
    {"ConditionExpression": "n IN (:a, :b)", "ExpressionAttributeValues": {":a": 5, ":b": 1}},
    {"ConditionExpression": "n IN (:a, :b)", "ExpressionAttributeValues": {":a": 5, ":b": 6}},
    {"ConditionExpression": "n = = :v", "ExpressionAttributeValues": {":v": 1}},
    {"ConditionExpression": "size = :v", "ExpressionAttributeValues": {":v": 1}},  # a reserved word
]


def _conditions() -> list[Any]:
    create_keyed_table("t", REGION)
    table = boto3.resource("dynamodb", region_name=REGION).Table("t")
    key = {"pk": "P", "sk": "S"}
    table.put_item(Item={**key, "n": 1, "s": "1", "tags": {"x", "y"}, "doc": {"a": [1, {"b": "c"}]}})
    out: list[Any] = []
    for n, condition in enumerate(CONDITIONS):
        for operation in (table.update_item, table.delete_item):
            kwargs: dict[str, Any] = {"Key": key, **condition, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}
            if operation == table.update_item:
                kwargs["UpdateExpression"] = "SET m = :m"
                kwargs["ExpressionAttributeValues"] = {**condition.get("ExpressionAttributeValues", {}), ":m": n}
            else:
                kwargs["ReturnValues"] = "ALL_OLD"
            out.append(_call(operation, **kwargs))
            if operation == table.delete_item and out[-1][0] == "ok":  # put it back for the next condition
                table.put_item(Item={**key, "n": 1, "s": "1", "tags": {"x", "y"}, "doc": {"a": [1, {"b": "c"}]}})
        out.append(
            _call(
                table.query,
                KeyConditionExpression="pk = :p",
                FilterExpression=condition["ConditionExpression"],
                ExpressionAttributeValues={":p": "P", **condition.get("ExpressionAttributeValues", {})},
                **(
                    {"ExpressionAttributeNames": condition["ExpressionAttributeNames"]}
                    if "ExpressionAttributeNames" in condition
                    else {}
                ),
            )
        )
    out.append(_call(table.scan))
    return out


def test_given_conditions_repeated_with_other_values_when_run_fast_then_answers_and_errors_match_plain_moto():
    with mock_aws(), moto_runtime.patched({}, fast=False):
        plain = _conditions()
    with mock_aws(), moto_runtime.patched({}, fast=True):
        fast = _conditions()

    assert len(fast) == len(plain)
    for n, (got, expected) in enumerate(zip(fast, plain, strict=True)):
        assert got == expected, (n, CONDITIONS[n // 3] if n < 3 * len(CONDITIONS) else "scan")
    assert {"ok", "error"} <= {answer[0] for answer in plain}


def test_given_a_kept_condition_then_it_shares_nothing_with_the_values_it_was_parsed_from():
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import Item

    item = Item(DynamoType({"S": "P"}), None, {"pk": {"S": "P"}, "tags": {"SS": ["x"]}})
    values = {":t": {"SS": ["x"]}}
    fast_calls.clear()  # a text parsed for the first time (fast path 121 keeps what earlier runs parsed)
    with moto_runtime.patched({}, fast=True):
        first = ConditionExpressionParser("tags = :t", {}, values).parse()
        values[":t"]["SS"].append("y")  # the caller changes its values after the call
        again = ConditionExpressionParser("tags = :t", {}, {":t": {"SS": ["x"]}}).parse()
        assert again is first  # kept
        assert again.expr(item)  # still compares with ["x"]


# -- fast path 19: request ids ----------------------------------------------------------------------------------
def test_given_any_seed_when_request_ids_are_drawn_then_they_and_the_generator_are_moto_s():
    from moto.moto_api._internal.moto_random import MotoRandom

    for seed in range(200):
        moto_way, fast_way = MotoRandom(seed), MotoRandom(seed)
        for length in (0, 1, 7, 20, 52, 64, 300):
            for digits in (True, False, 1, 0, "", None):
                for lower in (True, False):
                    expected = moto_way.get_random_string(length, digits, lower)
                    assert fast_calls._random_string(fast_way, length, digits, lower) == expected, (seed, length)
        assert fast_way.getstate() == moto_way.getstate()


def test_given_a_generator_with_its_own_draw_then_request_ids_are_drawn_its_way():
    from moto.moto_api._internal.moto_random import MotoRandom

    moto_way, fast_way = MotoRandom(7), MotoRandom(7)
    for generator in (moto_way, fast_way):
        original = generator._randbelow
        generator._randbelow = lambda n, original=original: original(n) // 2 * 2  # type: ignore[method-assign]
    expected = moto_way.get_random_string(52)
    assert fast_calls._random_string(fast_way, 52) == expected
    assert fast_way.getstate() == moto_way.getstate()


# -- fast path 102: a request id without the import statement -------------------------------------------------------
def test_given_any_seed_when_a_request_id_is_made_then_it_the_headers_and_the_generator_are_moto_s():
    from moto.moto_api._internal import mock_random
    from moto.utilities.aws_headers import gen_amzn_requestid_long

    from outreach.simulator.patching import installed

    for seed in range(30):
        made = []
        for way in (gen_amzn_requestid_long, fast_calls._request_id):
            mock_random.seed(seed)
            headers: dict[str, Any] = {"status": 200}
            with installed([(type(mock_random), "get_random_string", fast_calls._random_string)]):
                made.append((way(headers), headers, way(None), way([]), mock_random.getstate()))  # type: ignore[arg-type]
        assert made[0] == made[1]


# -- fast path 34: two regular expressions per call ----------------------------------------------------------------
def test_given_answers_with_and_without_a_request_id_element_then_the_request_id_goes_where_moto_puts_it():
    pattern = fast_calls._REQUEST_ID_IN_XML
    bodies = ['{"Item": {"pk": {"S": "<RequestId>"}}}', "<R><RequestId>old</RequestId></R>", "", "{}", b"<RequestId>x"]
    for body in bodies:
        try:
            expected: Any = re.sub(pattern, "NEWID", body)
        except TypeError as exc:  # bytes: moto's caller ignores the error
            expected = type(exc)
        try:
            got: Any = fast_calls._sub_request_id(pattern, "NEWID", body)
        except TypeError as exc:
            got = type(exc)
        assert got == expected, body
    text = " SET a = :a ,  b=b + :one - :two"
    assert fast_calls._sub_remembered(r"\s*([=\+-])\s*", "\\1", text) == re.sub(r"\s*([=\+-])\s*", "\\1", text)


def _backend_state() -> Any:
    """Which accounts and regions moto's DynamoDB backends hold, and whether they are registered."""
    from moto.core.base_backend import BackendDict
    from moto.dynamodb.models import dynamodb_backends

    built = {account: sorted(dict(regions)) for account, regions in dict(dynamodb_backends).items()}
    return built, any(known is dynamodb_backends for known in BackendDict._instances)  # type: ignore[misc]


def test_given_requests_of_known_and_new_accounts_and_regions_then_the_backend_is_moto_s():
    """Fast path 57: the backend of a request is the one moto's lookups give, and the same ones are built."""
    from moto.core.base_backend import BackendDict
    from moto.dynamodb.responses import DynamoHandler

    from outreach.simulator.patching import installed

    lookups: list[tuple[str, str]] = [
        ("123456789012", "us-east-1"),
        ("123456789012", "us-east-1"),
        ("123456789012", "eu-west-1"),  # a region not built yet
        ("222233334444", "us-east-1"),  # an account not met yet
        ("123456789012", "global"),
        ("123456789012", "aws"),
    ]

    def run(fast: bool) -> list[Any]:
        seen: list[Any] = []
        with mock_aws(), installed([p for p in fast_calls.PATCHES if p[1] == "dynamodb_backend"] if fast else []):
            for lookup in [*lookups, None, *lookups]:
                if lookup is None:
                    BackendDict.reset()  # as a new mock does: nothing built, nothing registered
                    seen.append(_backend_state())
                    continue
                account, region = lookup
                handler = DynamoHandler()
                handler.current_account, handler.region = account, region
                try:
                    backend = handler.dynamodb_backend
                except KeyError as exc:  # a region DynamoDB does not have ("global" is "aws")
                    seen.append(("KeyError", str(exc), _backend_state()))
                    continue
                seen.append((type(backend).__name__, backend.account_id, backend.region_name, _backend_state()))
        return seen

    assert run(fast=True) == run(fast=False)


# -- fast path 58: DynamoType's cast value, hash and equality ------------------------------------------------------
_dynamo_scalars = st.one_of(
    st.builds(lambda v: {"S": v}, st.sampled_from(["", "a", "1", "ORDER#1"])),
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "1.0", "-0", "0", "2.50", "1e2"])),
    st.builds(lambda v: {"B": v}, st.sampled_from([b"", b"a", b"1", "YQ=="])),
    st.builds(lambda v: {"BOOL": v}, st.booleans()),
    st.builds(lambda v: {"NULL": v}, st.booleans()),
    st.builds(lambda v: {"SS": v}, st.lists(st.sampled_from(["a", "b"]), max_size=2)),
    st.builds(lambda v: {"NS": v}, st.lists(st.sampled_from(["1", "1.0"]), max_size=2)),
)
_dynamo_values = st.recursive(
    _dynamo_scalars,
    lambda inner: st.one_of(
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=2)),
        st.builds(lambda v: {"M": v}, st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)),
    ),
    max_leaves=4,
)


def _compared(left: dict[str, Any], right: Any) -> Any:
    a, b = DynamoType(left), DynamoType(right) if isinstance(right, dict) else right
    out = []
    for check in (
        lambda: a.cast_value,
        lambda: hash(a),
        lambda: a == b,
        lambda: a != b,
        lambda: b == a,
        lambda: {a: 1}.get(b) if isinstance(b, DynamoType) else None,
    ):
        try:
            out.append(("ok", check()))
        except Exception as exc:  # the same error both ways
            out.append(("raised", type(exc).__name__))
    return out


@settings(max_examples=100, deadline=None)
@given(left=_dynamo_values, right=st.one_of(_dynamo_values, st.sampled_from([None, "a", 1])))
def test_given_any_two_values_then_cast_value_hash_and_equality_are_moto_s(left, right):
    from outreach.simulator.patching import installed

    names = ("cast_value", "__hash__", "__eq__")
    with installed([p for p in fast_calls.PATCHES if p[0] is DynamoType and p[1] in names]):
        fast = _compared(left, right)
    assert fast == _compared(left, right)


# -- fast paths 62 and 91: a condition's tree per text and names, values bound per call ------------------------------
_CONDITION_TEXTS = [
    "version = :v",
    "attribute_not_exists(pk) OR #s < :s",
    "#s = :old_s AND #u = :old_u",
    "n BETWEEN :lo AND :hi",
    "begins_with(#s, :p) AND NOT contains(tags, :t)",
    "n IN (:a, :b, :c)",
    "size(tags) > :n OR attribute_type(doc, :type)",
    "(version = :v)",
    "version = :v AND",
    "attribute_exists(pk) AND (attribute_not_exists(n) OR n < :a)",  # fast path 91: parts with no value built once
    "NOT (n IN (:a, :b)) AND s = :p",
    "size(s) = size(tags) OR #s = :v",
    "attribute_exists(pk) AND attribute_not_exists(#u)",
]
_condition_values = st.one_of(
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "2", "1.0"])),
    st.builds(lambda v: {"S": v}, st.sampled_from(["a", "M"])),
    st.just({"NULL": True}),
    st.just({"SS": ["x"]}),
    st.just({}),
    st.just("not a value"),
)


def _parsed(text: str, values: dict[str, Any]) -> Any:
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.models.dynamo_type import Item

    item = Item(
        DynamoType({"S": "P"}), None, {"pk": {"S": "P"}, "n": {"N": "1"}, "s": {"S": "ab"}, "tags": {"SS": ["x"]}}
    )
    parser = ConditionExpressionParser(text, {"#s": "s", "#u": "u"}, values)
    try:
        op = parser.parse()
        try:
            evaluated: Any = op.expr(item)
        except Exception as exc:
            evaluated = type(exc).__name__
        return repr(op), evaluated, parser.expr_attr_names_found, parser.expr_attr_values_found
    except Exception as exc:
        return type(exc).__name__, str(exc), parser.expr_attr_names_found, parser.expr_attr_values_found


@settings(max_examples=50, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(_CONDITION_TEXTS),
            st.dictionaries(
                st.sampled_from([":v", ":s", ":old_s", ":old_u", ":lo", ":hi", ":p", ":t", ":a", ":b", ":c", ":n"]),
                _condition_values,
                min_size=6,
            ),
        ),
        min_size=2,
        max_size=6,
    )
)
def test_given_conditions_parsed_again_with_other_values_then_each_parse_is_moto_s(calls):
    from outreach.simulator.patching import installed

    expected = [_parsed(text, values) for text, values in calls]
    parse = [p for p in fast_calls.PATCHES if p[1] in ("parse", "_lex_condition_expression")]
    with installed(parse):
        got = [_parsed(text, values) for text, values in calls]
    fast_calls.clear()
    assert got == expected


@pytest.mark.parametrize("text", _CONDITION_TEXTS)
def test_given_a_condition_parsed_again_with_other_values_then_it_is_built_from_its_tree_as_moto_builds_it(text):
    """Fast path 91: the second parse of a text builds only the parts holding a value (the first keeps the tree)."""
    from outreach.simulator.patching import installed

    placeholders = [":v", ":s", ":old_s", ":old_u", ":lo", ":hi", ":p", ":t", ":a", ":b", ":c", ":n"]
    calls = [
        {name: {"N": "1"} for name in placeholders},
        {name: {"N": "2"} for name in placeholders},
        {name: {"S": "M"} for name in placeholders},
        {**{name: {"N": "1"} for name in placeholders}, ":t": {}},
    ]
    expected = [_parsed(text, values) for values in calls]
    parse = [p for p in fast_calls.PATCHES if p[1] in ("parse", "_lex_condition_expression")]
    with installed(parse):
        got = [_parsed(text, values) for values in calls]
    fast_calls.clear()
    assert got == expected


# -- fast path 64: DynamoType built from a one-key dict ------------------------------------------------------------
def _as_built(value: Any) -> Any:
    """A ``DynamoType`` as plain data, its nested ``DynamoType``s too (class, type, value all the way down)."""
    if type(value) is DynamoType:
        return ("DynamoType", value.type, _as_built(value.value))
    if isinstance(value, dict):
        return ("dict", [(k, _as_built(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [_as_built(v) for v in value])
    return (type(value).__name__, value)


@settings(max_examples=80, deadline=None)
@given(raw=st.one_of(_dynamo_values, st.just({"S": "a", "N": "1"}), st.just({"L": [{"S": "x"}], "S": "y"})))
def test_given_any_value_when_built_then_it_is_the_dynamo_type_moto_builds(raw):
    from outreach.simulator.patching import installed

    expected = _as_built(DynamoType(raw))
    copied = _as_built(DynamoType(DynamoType(raw)))
    with installed([p for p in fast_calls.PATCHES if p[0] is DynamoType and p[1] == "__init__"]):
        assert _as_built(DynamoType(raw)) == expected
        assert _as_built(DynamoType(DynamoType(raw))) == copied


# -- fast paths 21 and 122: camelcase_to_underscores remembered per text ------------------------------------------
_CAMEL_MODULES = ["moto.core.responses", "moto.sqs.models", "moto.sns.models", "moto.sns.responses"]


@settings(max_examples=200, deadline=None)
@given(
    texts=st.lists(
        st.one_of(
            st.sampled_from(["QueueArn", "ApproximateNumberOfMessages", "KmsMasterKeyId", "FifoQueue", "SQSManaged"]),
            st.text(alphabet="aAbBzZ09_-. ", max_size=12),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_given_any_text_then_each_module_s_remembered_camelcase_to_underscores_answers_moto_s(texts):
    import importlib

    from moto.core.utils import camelcase_to_underscores

    from outreach.simulator.patching import installed

    modules = [importlib.import_module(name) for name in _CAMEL_MODULES]
    expected = [camelcase_to_underscores(text) for text in texts]
    with installed([p for p in fast_calls.PATCHES if p[1] == "camelcase_to_underscores"]):
        for module in modules:
            assert module.camelcase_to_underscores is not camelcase_to_underscores  # the remembered one
            assert [module.camelcase_to_underscores(text) for text in texts * 2] == expected * 2, module.__name__
    assert all(module.camelcase_to_underscores is camelcase_to_underscores for module in modules)


def test_given_queue_attributes_read_then_they_are_moto_s():
    """What the sqs and sns modules read with it: every attribute of a queue and a topic, both ways."""
    import boto3
    from moto import mock_aws

    from outreach.simulator.patching import installed

    def read() -> Any:
        with mock_aws():
            sqs = boto3.client("sqs", region_name="us-east-1")
            url = sqs.create_queue(QueueName="q.fifo", Attributes={"FifoQueue": "true", "DelaySeconds": "3"})[
                "QueueUrl"
            ]
            queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            sns = boto3.client("sns", region_name="us-east-1")
            arn = sns.create_topic(Name="t")["TopicArn"]
            sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="d")
            topic = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
            for answer in (queue, topic):
                for volatile in ("CreatedTimestamp", "LastModifiedTimestamp"):
                    answer.pop(volatile, None)
            return queue, topic

    plain = read()
    with installed([p for p in fast_calls.PATCHES if p[1] == "camelcase_to_underscores"]):
        fast = read()
    assert fast == plain
