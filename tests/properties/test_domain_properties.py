"""Level 1, the pure timeline: every generated stream through ``domain.timeline.advance`` (with intake, the
state machine's wake-ups and the sender modelled in ``drivers.DomainRun``), judged by each invariant."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.properties import profiles
from tests.properties.counterexamples import pinned
from tests.properties.drivers import run_domain
from tests.properties.invariants import Invariant, Outcome, report
from tests.properties.known_failures import params
from tests.properties.strategies import Stream, streams

MEMO = profiles.Memo("domain")


def check(invariant: Invariant, stream: Stream, test: str) -> None:
    profiles.EXAMPLES[f"{test}[{invariant.__name__}]"] += 1
    outcome: Outcome = MEMO.get(stream.key(), lambda: run_domain(stream))
    found = invariant(stream, outcome)
    assert not found, report(invariant, stream, outcome, found)


@pytest.mark.parametrize("invariant", params())
@profiles.profile("domain")
@given(stream=streams())
@pinned
def test_the_pure_timeline_sends_nothing_a_customer_would_object_to(invariant: Invariant, stream: Stream) -> None:
    check(invariant, stream, "domain")


@pytest.mark.soak
@pytest.mark.parametrize("invariant", params())
@profiles.profile("domain-soak")
@given(stream=streams())
@pinned
def test_soak_the_pure_timeline(invariant: Invariant, stream: Stream) -> None:
    check(invariant, stream, "domain-soak")
