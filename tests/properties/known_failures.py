"""Invariants the code is known to break: their tests are marked expected to fail (none since the stage rules).

Each entry marks that invariant's tests ``xfail(strict=False)`` at both levels and in every profile, so the
suite stays green while the findings stay visible (``-rx``). Each is a class of counterexample the soak found
on today's code, and each class has a pinned counterexample (``counterexamples.PINNED``) that every run
checks, so every marked test fails today on every run. The other invariants hold on today's code (10,000
streams through the pure timeline, 200 through the simulator) and are not marked.

When the stage rules land, delete the entries (a marked test that passes is reported XPASS, not an error).
"""

from __future__ import annotations

import pytest

from tests.properties.invariants import INVARIANTS

# The order-stage rules (issue 8) made all five classes hold: nothing is expected to fail. Their pinned
# counterexamples (counterexamples.PINNED) stay, as regression tests, in every run.
KNOWN: dict[str, str] = {}


def params() -> list[object]:
    """One pytest param per invariant, id'd by its name, marked xfail where today's code breaks it."""
    out: list[object] = []
    for invariant in INVARIANTS:
        reason = KNOWN.get(invariant.__name__)
        marks = [pytest.mark.xfail(strict=False, reason=f"issue 8: {reason}")] if reason else []
        out.append(pytest.param(invariant, id=invariant.__name__, marks=marks))
    return out
