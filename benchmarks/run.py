"""Figures quoted in issue notes, measured on this machine.

    .venv/bin/python benchmarks/run.py            # demo, one happy-path simulation, synth, transitions
    .venv/bin/python benchmarks/run.py --tests    # also the wall time of `make test`

Prints one JSON object. Wall times are real seconds (perf_counter) of whole commands where a user would
run a command, and of the in-process run for one simulation (median of --repeat runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed_command(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ)
    return round(time.perf_counter() - started, 2)


def happy_path(repeat: int) -> dict[str, object]:
    sys.path.insert(0, str(ROOT))
    from outreach.simulator import runner
    from outreach.simulator.scenario import load

    scenario = load(ROOT / "examples" / "happy_path.json")
    walls = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = runner.run(scenario)
        walls.append(time.perf_counter() - started)
    assert result is not None and not result.errors
    return {
        "happyPathSimulationSeconds": {"median": round(statistics.median(walls), 3), "min": round(min(walls), 3)},
        "happyPathStateTransitions": result.stats["stateTransitions"],
        "happyPathLambdaInvocations": result.stats["lambdaInvocations"],
        "happyPathContacts": [c["kind"] for c in result.contacts],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tests", action="store_true", help="also time `make test` (several minutes at most)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures: dict[str, object] = {"cpus": os.cpu_count()}
    figures["makeDemoSeconds"] = timed_command("make", "demo")
    figures["makeSynthSeconds"] = timed_command("make", "synth")
    figures.update(happy_path(args.repeat))
    if args.tests:
        figures["makeTestSeconds"] = timed_command("make", "test")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
