"""The hypothesis profiles of the property tests, and a tally of the examples each test ran.

| profile | level | generated examples | used by |
|---|---|---|---|
| ``domain`` | 1, pure ``advance`` | 100, fixed seed, no deadline | every test run |
| ``domain-soak`` | 1 | 10,000 (``PROPERTIES_DOMAIN_EXAMPLES``) | ``make soak`` |
| ``simulator`` | 2, real ASL + handlers on moto | 3, fixed seed, no shrinking (seconds each) | every test run |
| ``simulator-soak`` | 2 | 200 (``PROPERTIES_SIMULATOR_EXAMPLES``) | ``make soak`` |

Every test also runs the 5 pinned counterexamples (``counterexamples.py``) first, as explicit examples.

The small profiles run with a fixed seed and no example database, so a run is reproducible (hypothesis's
choices can still shift a little with what else the pytest process collected). The soak profiles draw new
examples on each run (``make soak SEED=n`` replays a run) and keep failures in the example database
(``.hypothesis/``) to try them first next time.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, seed, settings

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

# No "explain" phase: its line tracing slows shrinking down several times, and the report says it better.
_PHASES = [Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink]

# make test: 50 streams per invariant (a quick check that they hold); make soak drives 10,000.
settings.register_profile(
    "domain", max_examples=50, deadline=None, database=None, phases=_PHASES, suppress_health_check=_HEALTH
)
settings.register_profile(
    "domain-soak",
    max_examples=int(os.environ.get("PROPERTIES_DOMAIN_EXAMPLES", "10000")),
    deadline=None,
    phases=_PHASES,
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "simulator",
    max_examples=3,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a simulated scenario takes seconds
    suppress_health_check=_HEALTH,
)
settings.register_profile(
    "simulator-soak",
    max_examples=int(os.environ.get("PROPERTIES_SIMULATOR_EXAMPLES", "200")),
    deadline=None,
    phases=_PHASES,
    suppress_health_check=_HEALTH,
)

# One seed for every test of a run: the tests of the different invariants then draw the same streams (pytest
# parametrization would otherwise give each its own), and ``Memo`` drives each stream once. The small
# profiles always use the same seed; the soak profiles a new one per run unless PROPERTIES_SEED says which
# (``make soak SEED=n``).
SMALL_SEED = 20261102
SOAK_SEED = int(os.environ.get("PROPERTIES_SEED") or random.SystemRandom().randrange(1, 2**31))

Test = Callable[..., Any]
T = TypeVar("T")


def profile(name: str) -> Callable[[Test], Test]:
    """The named profile and its seed as one decorator, placed above ``@given``."""
    chosen = settings.get_profile(name)
    run_seed = SOAK_SEED if name.endswith("-soak") else SMALL_SEED

    def decorate(test: Test) -> Test:
        return chosen(seed(run_seed)(test))

    return decorate


# -- how many examples each test ran, for the soak summary -------------------------------------------------
EXAMPLES: Counter[str] = Counter()
SECONDS: defaultdict[str, float] = defaultdict(float)


class Memo:
    """Outcomes by stream, shared by the tests of the different invariants: with one seed they draw the
    same streams, so each stream is driven (or simulated) once, whichever invariant asks first."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._outcomes: dict[str, object] = {}

    def get(self, key: str, make: Callable[[], T]) -> T:
        if key not in self._outcomes:
            started = time.perf_counter()
            self._outcomes[key] = make()
            SECONDS[self.name] += time.perf_counter() - started
            EXAMPLES[f"{self.name}: distinct streams driven"] += 1
        return self._outcomes[key]  # type: ignore[return-value]
