"""The fast paths of moto_runtime change how fast the simulator runs, never what it reports.

Every shipped example is simulated twice, with the fast paths (the default) and without them (plain moto
behind the patches the virtual clock needs); the ``--json`` output must be byte-identical apart from the
wall time.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from outreach.simulator import runner
from outreach.simulator.scenario import load

EXAMPLES = sorted(Path(__file__).resolve().parents[2].joinpath("examples").glob("*.json"))
QUICK = {"happy_path"}


def _json_output(example: Path, fast: bool) -> str:
    result = runner.run(load(example), fast=fast).to_json()
    assert result["stats"].pop("wallSeconds") >= 0
    return json.dumps(result, indent=2)  # exactly what `outreach simulate --json` prints


@pytest.mark.parametrize(
    "example",
    [pytest.param(p, marks=() if p.stem in QUICK else pytest.mark.slow, id=p.stem) for p in EXAMPLES],
)
def test_given_an_example_when_simulated_with_and_without_the_fast_paths_then_the_json_is_identical(example):
    fast = _json_output(example, fast=True)
    plain = _json_output(example, fast=False)

    assert fast == plain
