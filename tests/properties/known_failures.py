"""Invariants the code is known to break: their tests are marked expected to fail (none since the stage rules).

Each entry marks one invariant's test in one profile ``xfail(strict=False)``, so the suite stays green while
the findings stay visible (``-rx``). The small profiles (``domain``, ``simulator``: every test run, fixed
seed) list exactly what their examples break today; the soak profiles list every class the soak finds (a
soak run draws new examples, so a rare class may or may not show up: non-strict either way).

When the stage rules land: delete the entries (a passing test is reported XPASS, never an error).
"""

from __future__ import annotations

import pytest

from tests.properties.invariants import INVARIANTS

# The order-stage rules (issue 8) made every invariant hold: nothing is expected to fail. An entry here marks
# an invariant's test in one profile xfail(strict=False) with its reason, for a class found and not yet fixed.
KNOWN: dict[str, dict[str, str]] = {"domain": {}, "domain-soak": {}, "simulator": {}, "simulator-soak": {}}


def params(profile: str) -> list[object]:
    """One pytest param per invariant, id'd by its name, marked xfail where today's code breaks it."""
    out: list[object] = []
    for invariant in INVARIANTS:
        reason = KNOWN[profile].get(invariant.__name__)
        marks = [pytest.mark.xfail(strict=False, reason=f"issue 8: {reason}")] if reason else []
        out.append(pytest.param(invariant, id=invariant.__name__, marks=marks))
    return out
