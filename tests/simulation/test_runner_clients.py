"""Fast path 114 (``runner._RunnerClients``): the runner makes its own boto3 clients only when it uses them.

Given a fast run of an order without clicks, then the runner makes no client of its own (it delivers events and deletes
fired schedules straight through moto's backends); given a plain run, it makes the ones it delivers through.
"""

from __future__ import annotations

import sys
from typing import Any

import boto3
import pytest

from outreach.simulator import runner
from outreach.simulator.scenario import parse
from tests.simulation.conftest import START, event, placed


def _made_by_runner(monkeypatch: pytest.MonkeyPatch, fast: bool) -> tuple[list[str], Any]:
    made: list[str] = []
    real = boto3.client

    def client(*args: Any, **kwargs: Any) -> Any:
        if sys._getframe(1).f_globals.get("__name__") == runner.__name__:  # (the world and the handlers make theirs)
            made.append(args[0] if args else kwargs["service_name"])
        return real(*args, **kwargs)

    monkeypatch.setattr(runner.boto3, "client", client)
    events = [placed(), event("P13D", "Production Completed")]
    scenario = parse({"name": "t", "start": START, "until": "P30D", "config": {}, "events": events})
    return made, runner.run(scenario, fast=fast)


def test_given_a_fast_run_without_clicks_then_the_runner_makes_no_client_and_a_plain_run_makes_its_two(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast_made, fast = _made_by_runner(monkeypatch, fast=True)
    plain_made, plain = _made_by_runner(monkeypatch, fast=False)
    assert fast_made == [] and "lambda" in plain_made  # (a plain run delivers through boto3's Invoke)
    assert [c["kind"] for c in fast.contacts] == [c["kind"] for c in plain.contacts]
    assert fast.errors == [] and fast.contacts, fast.errors
