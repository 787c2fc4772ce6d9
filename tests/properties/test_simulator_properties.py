"""Level 2, the real state machine: every generated stream as an ``outreach simulate`` scenario (the real ASL
and handlers on moto, virtual clock), judged from the simulator's JSON by the same invariants."""

from __future__ import annotations

import pytest
from hypothesis import given

from tests.properties import profiles
from tests.properties.counterexamples import pinned
from tests.properties.drivers import run_domain, run_simulator
from tests.properties.invariants import Invariant, Outcome, SentContact, report
from tests.properties.known_failures import params
from tests.properties.strategies import Stream, streams

MEMO = profiles.Memo("simulator")


def check(invariant: Invariant, stream: Stream, test: str) -> None:
    profiles.EXAMPLES[f"{test}[{invariant.__name__}]"] += 1
    outcome: Outcome = MEMO.get(stream.key(), lambda: run_simulator(stream))
    found = invariant(stream, outcome)
    assert not found, report(invariant, stream, outcome, found)


@pytest.mark.parametrize("invariant", params())
@profiles.profile("simulator")
@given(stream=streams())
@pinned
def test_the_state_machine_sends_nothing_a_customer_would_object_to(invariant: Invariant, stream: Stream) -> None:
    check(invariant, stream, "simulator")


@pytest.mark.soak
@pytest.mark.parametrize("invariant", params())
@profiles.profile("simulator-soak")
@given(stream=streams())
@pinned
def test_soak_the_state_machine(invariant: Invariant, stream: Stream) -> None:
    check(invariant, stream, "simulator-soak")


def _seen(outcome: Outcome) -> tuple[list[tuple[object, ...]], ...]:
    def contact(c: SentContact) -> tuple[object, ...]:
        return (c.at, c.order_id, c.kind, c.channel, c.promised_date)

    return (
        sorted(map(contact, outcome.contacts)),
        sorted((r.at, r.detail_type, r.order_id) for r in outcome.rejected),
        sorted((oid, q.at, q.promised_date) for oid, quotes in outcome.quotes.items() for q in quotes),
    )


@profiles.profile("simulator")
@given(stream=streams())
@pinned
def test_the_pure_model_sends_what_the_state_machine_sends(stream: Stream) -> None:
    """What gives level 1's thousands of examples their meaning: ``drivers.DomainRun`` (the pure timeline
    plus its model of intake, wake-ups and sender) sends the same contacts, rejects the same events and quotes
    the same dates as the real state machine. If this fails, the model in drivers.py needs the change too."""
    simulated = MEMO.get(stream.key(), lambda: run_simulator(stream))
    assert _seen(run_domain(stream)) == _seen(simulated), repr(stream)
