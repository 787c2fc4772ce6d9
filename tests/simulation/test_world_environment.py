"""Fast path 72: ``world.process_environment`` writes only the variables whose value changes; what a handler sees and
what is restored afterwards are as before: each block sees its values, the last block to end restores everything."""

from __future__ import annotations

import os

import pytest

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
