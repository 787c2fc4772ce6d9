"""Property tests: soak tests run only when asked for (``-m soak``), and a summary of what they ran.

Soak tests are deselected here unless the ``-m`` expression mentions ``soak``, rather than by an ``-m "not
soak"`` in pyproject's addopts: a ``-m`` on the command line (``make test-fast``: ``-m "not slow"``) replaces
the one in addopts and would let the soak tests in.
"""

from __future__ import annotations

import pytest

from tests.properties import profiles


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if "soak" in (config.option.markexpr or ""):
        return
    keep = [item for item in items if item.get_closest_marker("soak") is None]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item.get_closest_marker("soak") is not None])
        items[:] = keep


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not profiles.EXAMPLES:
        return
    terminalreporter.section("property examples")
    if any("soak" in name for name in profiles.EXAMPLES):
        terminalreporter.write_line(f"soak seed {profiles.SOAK_SEED} (replay: make soak SEED={profiles.SOAK_SEED})")
    for name, count in sorted(profiles.EXAMPLES.items()):
        terminalreporter.write_line(f"{count:>8}  {name}")
    for name, seconds in sorted(profiles.SECONDS.items()):
        terminalreporter.write_line(f"{seconds:>8.1f}s driving {name} streams")
