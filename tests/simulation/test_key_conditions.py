"""Fast path 93 (``outreach.simulator.key_conditions``): a Query's key condition read once per text, names, schema and
placeholders given answers and refuses as moto's ``parse_expression`` does, whatever the values of a later call."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.parsing.key_condition_expression import parse_expression as moto_parse

from outreach.simulator import key_conditions

_TEXTS = [
    "#n0 = :v0 AND begins_with(#n1, :v1)",  # what boto3's Key(...) conditions become
    "#n0 = :v0",
    "pk = :p AND sk BETWEEN :a AND :b",
    "pk = :p AND sk >= :a",
    "(pk = :p) AND (sk < :a)",
    "sk = :a AND pk = :p",
    "pk = :p AND begins_with ( sk , :a )",
    "pk = :p AND contains(sk, :a)",
    "pk = p AND sk = :a",
    "pk = :p AND",
    "other = :p",
]
_SCHEMAS = [
    [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    [{"AttributeName": "pk", "KeyType": "HASH"}],
    [{"AttributeName": "gsiKey", "KeyType": "HASH"}],
]
_NAMES = st.sampled_from([{}, {"#n0": "pk", "#n1": "sk"}, {"#n0": "pk"}, {"#n0": "", "#n1": "sk"}])
_VALUE = st.one_of(
    st.builds(lambda v: {"S": v}, st.sampled_from(["ORDER#1", "Q#", "", "x"])),
    st.builds(lambda v: {"N": v}, st.sampled_from(["1", "2"])),
)
_VALUES = st.dictionaries(st.sampled_from([":v0", ":v1", ":p", ":a", ":b"]), _VALUE, max_size=5)


def _read(parse: Any, text: str, values: dict[str, Any], names: dict[str, str], schema: list[Any]) -> Any:
    try:
        return (
            "ok",
            parse(
                key_condition_expression=text,
                expression_attribute_values=values,
                expression_attribute_names=names,
                schema=schema,
            ),
        )
    except Exception as exc:
        return ("raised", type(exc).__name__, str(exc))


@settings(max_examples=120, deadline=None)
@given(
    text=st.sampled_from(_TEXTS),
    names=_NAMES,
    schema=st.sampled_from(_SCHEMAS),
    first=_VALUES,
    later=st.lists(st.dictionaries(st.sampled_from([":v0", ":v1", ":p", ":a", ":b"]), _VALUE), max_size=3),
)
def test_given_a_key_condition_read_again_with_other_values_then_the_answer_is_moto_s(
    text, names, schema, first, later
):
    key_conditions.clear()
    for values in [first, *[{**first, **other} for other in later]]:  # the same placeholders given, other values
        expected = _read(moto_parse, text, copy.deepcopy(values), names, schema)
        given_values = copy.deepcopy(values)
        got = _read(key_conditions.parse_expression, text, given_values, names, schema)
        assert got == expected
    key_conditions.clear()


def test_given_the_handlers_query_then_a_second_reading_takes_the_template():
    names = {"#n0": "pk", "#n1": "sk"}
    schema = _SCHEMAS[0]
    key_conditions.clear()
    first = _read(key_conditions.parse_expression, _TEXTS[0], {":v0": {"S": "A"}, ":v1": {"S": "Q#"}}, names, schema)
    assert len(key_conditions._templates) == 1
    again = _read(key_conditions.parse_expression, _TEXTS[0], {":v0": {"S": "B"}, ":v1": {"S": "Q#"}}, names, schema)
    assert first[1][0] == [("pk", {"S": "A"})] and again[1][0] == [("pk", {"S": "B"})]
    refused = _read(key_conditions.parse_expression, _TEXTS[0], {":v0": {"S": ""}, ":v1": {"S": "Q#"}}, names, schema)
    assert refused == _read(moto_parse, _TEXTS[0], {":v0": {"S": ""}, ":v1": {"S": "Q#"}}, names, schema)
    assert refused[0] == "raised"
    key_conditions.clear()
