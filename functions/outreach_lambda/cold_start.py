"""What a function builds once per cold start (settings, AWS clients, its service with its adapters).

Nothing is built at import time: ``@once`` builds on first use and keeps the result for the life of the
process. ``reset()`` forgets everything, as a new cold start would (the simulator starts a fresh moto world
per run; tests do the same).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

_built: list[Any] = []


def once(function: F) -> F:
    """Build on first call, then return the same object for the same arguments until ``reset()``."""
    cached = cache(function)
    _built.append(cached)
    return cached  # type: ignore[return-value]


def reset() -> None:
    for cached in _built:
        cached.cache_clear()
