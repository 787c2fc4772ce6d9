"""Instructions per happy order in the simulator, counted by callgrind: a measure this machine's load does not move.

The simulator's CPU time per order swings by 15-30 % from one run to the next on a shared machine, more than a cut
of a few per cent; callgrind counts the instructions the run executes, the same on every repeat. Used to measure
each fast path (docs/simulator.md) and the handlers' own CPU.

    .venv/bin/python benchmarks/instructions.py [--orders 10] [--root DIR]

prints the million instructions per order of one run of N independent happy orders, after a warm-up run of two
(imports, the world's first build and every cache are not counted). Needs valgrind (``apt-get install valgrind``);
about a minute for 10 orders. ``--root`` measures another checkout (say, a ``git worktree`` of a base commit) with
this one's venv.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Run inside valgrind: warm up, then count only the measured run (callgrind_control switches counting on and off).
_RUN = """
import os, subprocess, sys, time
root = sys.argv[1]
sys.path[:0] = [root, root + "/src", root + "/functions"]
os.environ["TZ"] = "UTC"
time.tzset()
from benchmarks.simulator import happy_orders
from outreach.simulator import runner
from outreach.simulator.scenario import parse
runner.run(parse(happy_orders(2)))
scenario = parse(happy_orders(int(sys.argv[2])))
import gc
gc.collect()
subprocess.run(["callgrind_control", "-i", "on", str(os.getpid())], capture_output=True, check=True)
runner.run(scenario)
subprocess.run(["callgrind_control", "-i", "off", str(os.getpid())], capture_output=True, check=True)
"""


def instructions_per_order(orders: int, root: Path = ROOT) -> float:
    """Million instructions per happy order in one run of ``orders`` orders of the simulator at ``root``."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        raise SystemExit("valgrind is not installed: apt-get install valgrind")
    with tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "run.py"
        script.write_text(_RUN)
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={scratch}/callgrind.out",
                sys.executable,
                str(script),
                str(root),
                str(orders),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
    found = re.search(r"Collected : ([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"the measured run failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", "")) / orders / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10, help="happy orders in the measured run (default 10)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure (default: this one)")
    args = parser.parse_args()
    print(f"{args.root}: {instructions_per_order(args.orders, args.root.resolve()):.2f} million instructions per order")


if __name__ == "__main__":
    main()
