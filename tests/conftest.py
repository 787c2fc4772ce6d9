"""Settings for the whole suite: the garbage collector's thresholds, and how ``make test`` spreads the tests
over its xdist workers.

The cyclic garbage collector runs its youngest generation every 50,000 allocations instead of every 700: a
test session keeps nearly everything it imports and collects (CDK, hypothesis, moto, boto3 models) alive to
the end, and with the default thresholds the collector rescans that heap over and over (a quarter of the
collection's CPU time in each worker). Cyclic garbage is still collected, in larger batches; the simulator
sets the same thresholds while it runs (``outreach.collector``).

``make test`` runs ``pytest -n auto --dist loadgroup``: the tests of a module in ``SHARED_SETUP`` go to one
worker together (they share a fixture or memo that is expensive to build twice), every other test is handed
out on its own to whichever worker is free, so that no single slow file decides the wall time. (xdist's own
grouping by ``xdist_group`` marks does not work with pytest 9.2, pytest-xdist issue 1386: the grouping is
therefore supplied here, by module path, through xdist's ``pytest_xdist_make_scheduler`` hook.)
"""

from __future__ import annotations

import gc
from typing import Any

from outreach.collector import QUIET_THRESHOLDS

gc.set_threshold(*QUIET_THRESHOLDS)

#: Modules whose tests run together on one worker, and what they share.
SHARED_SETUP = {
    "tests/infra/test_stack.py": "the session's CDK synths (10 s)",
    "tests/infra/test_operations.py": "the session's CDK synths (10 s)",
    "tests/unit/test_landing_pages_browser.py": "the pages rendered once in Chromium",
    "tests/properties/test_domain_properties.py": "the streams driven once for every invariant (Memo)",
    "tests/properties/test_simulator_properties.py": "the streams simulated once for every invariant (Memo)",
}


def pytest_xdist_make_scheduler(config: Any, log: Any) -> Any:
    if config.getoption("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetupScheduling(LoadScopeScheduling):  # type: ignore[misc]
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            if module in SHARED_SETUP:
                return f"group: {SHARED_SETUP[module]}"
            return nodeid

    return SharedSetupScheduling(config, log)
