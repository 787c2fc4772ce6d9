"""How fast the simulator runs: many independent happy orders, a big sku delay, one whole process.

    .venv/bin/python benchmarks/simulator.py                  # 50/200/400 happy orders, 1,000-order sku delay
    .venv/bin/python benchmarks/simulator.py --sizes 50,200 --sku 300 --process 3
    .venv/bin/python benchmarks/simulator.py --plain          # the same without the fast paths of moto_runtime

Scenarios are generated in memory and run through ``outreach.simulator.runner.run`` (wall time of the run,
world building included). Prints a table with the targets, then one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "functions")]  # this checkout's code, not an install
os.environ["TZ"] = "UTC"  # as `make` runs the simulator
time.tzset()

from benchmarks.sku_delay import scenario as sku_delay_scenario  # noqa: E402
from outreach.simulator import runner  # noqa: E402
from outreach.simulator.scenario import parse  # noqa: E402

TARGET_RATE = 25.0  # complete timelines per second of wall time, 200 orders
TARGET_LINEARITY = 1.2  # per-order time at 400 orders / at 50
TARGET_SKU_SECONDS = 60.0  # 1,000-order sku delay
TARGET_PROCESS_SECONDS = 1.5  # `outreach simulate examples/happy_path.json`, whole process


def happy_orders(n: int) -> dict[str, Any]:
    """``n`` independent happy orders, one placed a minute, each running its whole timeline."""
    events: list[dict[str, Any]] = []
    for i in range(n):
        order_id = f"SO-{i:05d}"
        offset = f"PT{i * 60}S"
        customer = {"name": f"Customer {i}", "email": f"c{i}@example.com", "timezone": "Europe/Berlin"}
        if i % 5 == 0:
            customer.update(phone=f"+49151{i:08d}", channels=["email", "sms"])
        events.append(
            {
                "at": offset,
                "detailType": "Order Placed",
                "detail": {
                    "orderId": order_id,
                    "placedAt": "2026-11-02T10:00:00+01:00",
                    "customer": customer,
                    "items": [{"sku": f"SOFA-{i % 7}", "description": "Oslo three-seater sofa", "quantity": 1}],
                    "productionDays": 14,
                    "transitDays": 7,
                    "shippingAddress": {
                        "line1": "12 Harbour Street",
                        "city": "Hamburg",
                        "postalCode": "20457",
                        "country": "DE",
                    },
                },
            }
        )
    start_seconds = [i * 60 for i in range(n)]
    for i, s in enumerate(start_seconds):
        order_id = f"SO-{i:05d}"
        events.append(
            {"at": f"PT{13 * 86400 + s}S", "detailType": "Production Completed", "detail": {"orderId": order_id}}
        )
        events.append(
            {
                "at": f"PT{14 * 86400 + 7200 + s}S",
                "detailType": "Order Shipped",
                "detail": {"orderId": order_id, "carrier": "DHL Freight", "trackingNumber": f"JD{i:08d}"},
            }
        )
        events.append(
            {"at": f"PT{19 * 86400 + 5 * 3600 + s}S", "detailType": "Order Delivered", "detail": {"orderId": order_id}}
        )
    return {
        "name": f"{n} happy orders",
        "start": "2026-11-02T09:00:00Z",
        "until": "P40D",
        "config": {},
        "events": events,
    }


def run_scenario(raw: dict[str, Any], fast: bool) -> tuple[float, float, runner.SimulationResult]:
    """Wall and CPU seconds (all threads of this process) of one run."""
    scenario = parse(raw)
    started, cpu = time.perf_counter(), time.process_time()
    result = runner.run(scenario, fast=fast)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert not result.errors, result.errors[:3]
    return wall, cpu, result


def median_run(
    raw: dict[str, Any], fast: bool, repeat: int
) -> tuple[float, float, runner.SimulationResult, list[float]]:
    """``repeat`` runs of one scenario: the run with the median wall time (its CPU seconds and result), and
    every run's wall time. Results are deterministic (virtual time), so any run's result is every run's."""
    runs = sorted((run_scenario(raw, fast) for _ in range(max(1, repeat))), key=lambda run: run[0])
    wall, cpu, result = runs[len(runs) // 2]
    return wall, cpu, result, [round(run[0], 2) for run in runs]


def happy(n: int, fast: bool, repeat: int = 1) -> dict[str, Any]:
    """``n`` independent happy orders; with ``repeat`` > 1 the median of that many runs (this machine's speed
    varies by up to 30% from hour to hour, and a single run by ~10%)."""
    return happy_sizes([n], fast, repeat)[0]


def happy_sizes(sizes: list[int], fast: bool, repeat: int = 1) -> list[dict[str, Any]]:
    """``happy`` of each size, the runs taken in rounds (each size once per round: 50, 200, 400, 50, 200, 400, ...),
    so that the machine's speed drifting during the measurement moves every size alike and not the per-order ratio
    between them (the sizes measured one after the other put 400's three runs in the bench's slowest minutes)."""
    runs: dict[int, list[tuple[float, float, runner.SimulationResult]]] = {n: [] for n in sizes}
    for _ in range(max(1, repeat)):
        for n in sizes:
            runs[n].append(run_scenario(happy_orders(n), fast))
    return [_happy_figures(n, runs[n]) for n in sizes]


def _happy_figures(n: int, runs: list[tuple[float, float, runner.SimulationResult]]) -> dict[str, Any]:
    ordered = sorted(runs, key=lambda run: run[0])
    wall, cpu, result = ordered[len(ordered) // 2]
    complete = sum(1 for o in result.orders if o["status"] == "SUCCEEDED")
    assert complete == n, f"{complete} of {n} timelines complete"
    kinds = {c["kind"] for c in result.contacts}
    assert {"order_confirmation", "production_update", "shipped", "satisfaction_check"} <= kinds, kinds
    return {
        "orders": n,
        "wallSeconds": round(wall, 2),
        "cpuSeconds": round(cpu, 2),
        "timelinesPerSecond": round(n / wall, 1),
        "msPerOrder": round(1000 * wall / n, 1),
        "cpuMsPerOrder": round(1000 * cpu / n, 1),
        "stateTransitions": result.stats["stateTransitions"],
        "lambdaInvocations": result.stats["lambdaInvocations"],
        "runsWallSeconds": [round(run[0], 2) for run in ordered],
    }


def sku_delay(n: int, fast: bool, repeat: int = 1) -> dict[str, Any]:
    wall, cpu, result, walls = median_run(sku_delay_scenario(n, 14.0), fast, repeat)
    notices = {(c["orderId"], c["channel"]) for c in result.contacts if c["kind"] == "delay_notice"}
    assert len({o for o, _ in notices}) == n, f"{len(notices)} delay notices for {n} orders"
    return {
        "orders": n,
        "wallSeconds": round(wall, 2),
        "cpuSeconds": round(cpu, 2),
        "stateTransitions": result.stats["stateTransitions"],
        "runsWallSeconds": walls,
        # the delay's first intake and its continuations (Sku Delay Continued, put on the bus by intake)
        "intakeInvocationsForTheDelay": 1 + result.meter.operations_by_origin["outreach-intake", "events:PutEvents"],
    }


def whole_process(repeat: int) -> dict[str, Any]:
    """``outreach simulate examples/happy_path.json --json`` as a user runs it, ``repeat`` times (medians).

    As installed: the interpreter reads this checkout's bytecode from ``__pycache__`` (pip compiles an install's,
    and Python writes an editable checkout's on its first run), so ``PYTHONDONTWRITEBYTECODE`` is left out of the
    child's environment and one untimed run writes what is missing (and the simulator's cache,
    ``OUTREACH_SIMULATOR_CACHE``). A shell with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` compiles the
    project's ~60 modules on every start instead: ``--process-without-bytecode`` measures that (first).
    """
    env = {
        **os.environ,
        "TZ": "UTC",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions"), str(ROOT / "src")]),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "outreach.cli", "simulate", "examples/happy_path.json", "--json"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # warm-up, untimed
    return _timed_processes(command, env, repeat)


def whole_process_without_bytecode(repeat: int) -> dict[str, Any]:
    """The same process in a shell with ``PYTHONDONTWRITEBYTECODE=1`` and a checkout without bytecode: the
    checkout's ``__pycache__`` directories (``src/``, ``functions/``) are deleted first, and every run compiles
    the project's modules afresh (installed packages keep theirs). A later ``whole_process`` writes them again."""
    import shutil

    for top in (ROOT / "src", ROOT / "functions"):
        for cache in list(top.rglob("__pycache__")):
            shutil.rmtree(cache, ignore_errors=True)
    env = {
        **os.environ,
        "TZ": "UTC",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions"), str(ROOT / "src")]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [sys.executable, "-m", "outreach.cli", "simulate", "examples/happy_path.json", "--json"]
    return _timed_processes(command, env, repeat)


def _timed_processes(command: list[str], env: dict[str, str], repeat: int) -> dict[str, Any]:
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {
        "median": round(statistics.median(walls), 2),
        "all": [round(w, 2) for w in walls],
        "cpuMedian": round(statistics.median(cpus), 2),
    }


def print_table(figures: dict[str, Any], sku: int) -> None:
    """Measured figures next to the targets (wall time; CPU seconds of all threads in brackets)."""
    happy = {h["orders"]: h for h in figures["happy"]}
    rows: list[tuple[str, str, str, object]] = [("measure", "value (CPU)", "target", "met")]
    if 200 in happy:
        rate = happy[200]["timelinesPerSecond"]
        rows.append(("timelines/s, 200 happy orders", f"{rate}", f">= {TARGET_RATE:g}", rate >= TARGET_RATE))
    for n, h in happy.items():
        rows.append((f"ms per order, {n} orders", f"{h['msPerOrder']} ({h['cpuMsPerOrder']})", "", ""))
    if 50 in happy and 400 in happy:
        ratio = round(happy[400]["msPerOrder"] / happy[50]["msPerOrder"], 2)
        cpu_ratio = round(happy[400]["cpuMsPerOrder"] / happy[50]["cpuMsPerOrder"], 2)
        figures["linearity"] = {"wall": ratio, "cpu": cpu_ratio}
        rows.append(
            ("per-order time, 400 / 50", f"{ratio} ({cpu_ratio})", f"<= {TARGET_LINEARITY}", ratio <= TARGET_LINEARITY)
        )
    if figures["skuDelay"]:
        wall, cpu = figures["skuDelay"]["wallSeconds"], figures["skuDelay"]["cpuSeconds"]
        met = wall < TARGET_SKU_SECONDS if sku >= 1000 else "n/a"
        rows.append((f"sku delay, {sku} orders, s", f"{wall} ({cpu})", f"< {TARGET_SKU_SECONDS:g} at 1,000", met))
    if figures["process"]:
        med, cpu = figures["process"]["median"], figures["process"]["cpuMedian"]
        met = med <= TARGET_PROCESS_SECONDS
        rows.append(("whole process happy_path, s", f"{med} ({cpu})", f"<= {TARGET_PROCESS_SECONDS}", met))
    if figures.get("processWithoutBytecode"):
        med, cpu = figures["processWithoutBytecode"]["median"], figures["processWithoutBytecode"]["cpuMedian"]
        rows.append(("  the same without bytecode, s", f"{med} ({cpu})", "", ""))
    widths = [max(len(str(r[i])) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="50,200,400", help="comma-separated numbers of happy orders")
    parser.add_argument("--sku", type=int, default=1000, help="orders in the sku delay (0: skip)")
    parser.add_argument("--process", type=int, default=3, help="whole-process runs of happy_path (0: skip)")
    parser.add_argument(
        "--process-without-bytecode",
        type=int,
        default=0,
        metavar="N",
        help="also N whole-process runs that may neither read nor write bytecode (every module compiled)",
    )
    parser.add_argument("--plain", action="store_true", help="switch the fast paths off (plain patched moto)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each scenario; the median is reported")
    args = parser.parse_args()
    fast = not args.plain
    sizes = [int(s) for s in args.sizes.split(",") if s]
    figures: dict[str, Any] = {"cpus": os.cpu_count(), "fast": fast, "happy": [], "skuDelay": None, "process": None}
    figures["loadBefore"] = round(os.getloadavg()[0], 2)  # other work on the machine inflates wall times
    figures["happy"] = happy_sizes(sizes, fast, args.repeat)
    for measured in figures["happy"]:
        print(f"  happy {measured['orders']}: {measured}", file=sys.stderr)
    if args.sku:
        figures["skuDelay"] = sku_delay(args.sku, fast, args.repeat)
        print(f"  sku {args.sku}: {figures['skuDelay']}", file=sys.stderr)
    if args.process_without_bytecode:
        figures["processWithoutBytecode"] = whole_process_without_bytecode(args.process_without_bytecode)
    if args.process:
        figures["process"] = whole_process(args.process)

    figures["loadAfter"] = round(os.getloadavg()[0], 2)
    print_table(figures, args.sku)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
