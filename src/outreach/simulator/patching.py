"""Installing replacements on classes and modules for one block, and putting back exactly what was there."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def installed(patches: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Set each ``(owner, attribute, replacement)`` while the block runs; put back exactly what was there."""
    saved = [(owner, name, owner.__dict__[name]) for owner, name, _ in patches]
    for owner, name, replacement in patches:
        setattr(owner, name, replacement)
    try:
        yield
    finally:
        for owner, name, original in reversed(saved):
            setattr(owner, name, original)
