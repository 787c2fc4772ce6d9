"""Fast path 80 (``outreach.simulator.state_inputs``): a state's input is not deep-copied for the callers of
``States.get_input`` that only write it as JSON text, measure it or hand it to ``States.reset``; every other caller
still gets a copy of its own, and executions (status, output, every history event) are those without the fast path."""

from __future__ import annotations

import inspect
import re
import textwrap

import pytest
from moto.stepfunctions.parser.asl.eval.states import States

from outreach.simulator import state_inputs
from outreach.simulator.patching import installed
from tests.simulation import test_inline_states

#: what a reader may do with the input it gets: write it as JSON text, measure it, or give it to ``reset`` (a copy)
_READ_ONLY = re.compile(
    r"(to_json_str\(\s*env\.states\.get_input\(\)|self\._verify_size_quota\(env=env, value=env\.states\.get_input\(\)\)"
    r"|reset\(input_value=env\.states\.get_input\(\)\))"
)


@pytest.mark.parametrize("function", state_inputs.READERS, ids=lambda f: f.__qualname__)
def test_given_moto_readers_of_a_states_input_then_they_only_serialise_measure_or_reset_with_it(function):
    source = textwrap.dedent(inspect.getsource(function))
    calls = source.count("get_input(")

    assert calls == len(_READ_ONLY.findall(source)) >= 1


def test_given_a_caller_that_may_change_the_input_then_it_still_gets_a_copy_of_its_own():
    states = States({"Execution": {"Input": {"order": {"items": [1, 2]}}}})  # type: ignore[typeddict-item]
    with installed(state_inputs.PATCHES):
        mine = states.get_input()
        mine["order"]["items"].append(3)
        again = states.get_input("$.order")

    assert states.get_input() == {"order": {"items": [1, 2]}}
    assert again == {"items": [1, 2]} and again is not states._states_data["input"]["order"]


def test_given_executions_when_readers_skip_the_copy_then_status_output_and_history_are_as_with_it():
    with_copies = [(state_inputs, "_READER_CODE", frozenset())]
    with installed(with_copies):
        copied = test_inline_states._run(fast=True)
    skipped = test_inline_states._run(fast=True)

    assert skipped == copied
