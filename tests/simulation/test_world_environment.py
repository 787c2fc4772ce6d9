"""Fast paths 72 and 115: ``world.process_environment`` writes only the variables whose value changes, compared as the
environment keeps them; what a handler sees and what is restored afterwards are as before: each block sees its values,
the last block to end restores everything."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import world


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OUTREACH_TEST_BEFORE", "outside")
    monkeypatch.delenv("OUTREACH_TEST_A", raising=False)
    monkeypatch.delenv("OUTREACH_TEST_B", raising=False)


def _seen() -> dict[str, str | None]:
    return {key: os.environ.get(key) for key in ("OUTREACH_TEST_BEFORE", "OUTREACH_TEST_A", "OUTREACH_TEST_B")}


@pytest.mark.usefixtures("clean")
def test_given_blocks_setting_values_already_set_or_new_then_each_sees_its_values_and_all_is_restored_at_the_end():
    seen = []
    with world.process_environment({"OUTREACH_TEST_A": "a", "OUTREACH_TEST_BEFORE": "outside"}):
        seen.append(_seen())
        with world.process_environment({"OUTREACH_TEST_A": "a", "OUTREACH_TEST_B": "b"}):  # A already holds "a"
            seen.append(_seen())
        with world.process_environment({"OUTREACH_TEST_BEFORE": "changed", "OUTREACH_TEST_B": "b"}):
            seen.append(_seen())
        seen.append(_seen())
    seen.append(_seen())

    assert seen == [
        {"OUTREACH_TEST_BEFORE": "outside", "OUTREACH_TEST_A": "a", "OUTREACH_TEST_B": None},
        {"OUTREACH_TEST_BEFORE": "outside", "OUTREACH_TEST_A": "a", "OUTREACH_TEST_B": "b"},
        {"OUTREACH_TEST_BEFORE": "changed", "OUTREACH_TEST_A": "a", "OUTREACH_TEST_B": "b"},
        {"OUTREACH_TEST_BEFORE": "changed", "OUTREACH_TEST_A": "a", "OUTREACH_TEST_B": "b"},  # left until the last ends
        {"OUTREACH_TEST_BEFORE": "outside", "OUTREACH_TEST_A": None, "OUTREACH_TEST_B": None},
    ]


KEYS = ["OUTREACH_TEST_BEFORE", "OUTREACH_TEST_A", "OUTREACH_TEST_B"]
texts = st.sampled_from(["a", "b", "outside", "", "ü", "x=y", "changed"])


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.dictionaries(st.sampled_from(KEYS), texts, max_size=3), min_size=1, max_size=3),
    st.lists(
        st.tuples(
            st.sampled_from(["block", "block", "change", "outside"]), st.integers(0, 2), st.sampled_from(KEYS), texts
        ),
        max_size=8,
    ),
)
def test_given_the_same_variables_again_changed_or_overwritten_from_outside_then_each_block_sees_its_values(
    dicts: list[dict[str, str]], steps: list[tuple[str, int, str, str]]
) -> None:
    """Fast path 115: the comparison of encoded forms, with a dict used again, changed in place or its variables
    overwritten from outside between blocks: each block sees exactly its values, and the end restores what no one else
    wrote."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OUTREACH_TEST_BEFORE", "outside")
        patch.delenv("OUTREACH_TEST_A", raising=False)
        patch.delenv("OUTREACH_TEST_B", raising=False)
        start = _seen()
        overwritten: set[str] = set()
        with world.process_environment({}):  # (as a run's block holds the environment while handlers' blocks come)
            for action, index, key, value in steps:
                values = dicts[index % len(dicts)]
                if action == "change":
                    values[key] = value
                elif action == "outside":
                    os.environ[key] = value
                    overwritten.add(key)
                else:
                    before = _seen()
                    with world.process_environment(values):
                        assert _seen() == {**before, **values}
        end = _seen()
        assert {k: v for k, v in end.items() if k not in overwritten} == {
            k: v for k, v in start.items() if k not in overwritten
        }
