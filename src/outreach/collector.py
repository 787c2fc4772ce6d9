"""The cyclic garbage collector's thresholds while the simulator and its tools run.

A simulation allocates millions of short-lived objects while nearly everything it imports (moto's models,
boto3's service models) lives to the end; with the default thresholds (700, 10, 10) the collector rescans
that heap over and over. The youngest generation is collected every 50,000 allocations instead: cyclic
garbage is still collected, in larger batches. Used by a simulation run (``simulator.runner``), the
``outreach`` command as a whole process (``cli``) and the test suite (``tests/conftest.py``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

QUIET_THRESHOLDS = (50_000, 20, 50)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """``QUIET_THRESHOLDS`` while the block runs; the thresholds before it afterwards."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*QUIET_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
