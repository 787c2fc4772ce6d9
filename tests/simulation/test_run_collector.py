"""Fast path 111 (``runner._quiet_collector``): a run's cyclic garbage collections.

Given a simulation run, when it plays, then the collector collects nothing (no collection starts between its first and
last step), and when it ends, the collector's thresholds are what they were and nothing stays frozen.
"""

from __future__ import annotations

import gc
from typing import Any

from tests.simulation.conftest import event, placed, simulate


def test_given_a_run_when_it_plays_then_no_collection_starts_and_afterwards_the_collector_is_as_before() -> None:
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    collections: list[int] = []

    def seen(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        result = simulate([placed(), event("P13D", "Production Completed")], until="P30D")
    finally:
        gc.callbacks.remove(seen)
    assert [c["kind"] for c in result.contacts][:2] == ["order_confirmation", "production_update"]
    assert collections == []
    assert gc.get_threshold() == thresholds and gc.get_freeze_count() == frozen
