"""`make bench`: every figure of issue #10's targets, measured on this machine, next to its target.

    .venv/bin/python benchmarks/bench.py                 # everything (several minutes; the test suite too)
    .venv/bin/python benchmarks/bench.py --quick         # smaller simulator sizes, no test suite

Writes ``benchmarks/results.json`` (every figure, the machine, the date) and the table between the markers in
``benchmarks/README.md``; prints the table. Each part is also a script of its own: ``simulator.py``,
``cold_start.py``, ``cost.py``. The machine may be shared: wall times come with CPU seconds (all threads) and
the load average, and timed figures are medians of a few runs (``REPEAT``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "src"), str(ROOT / "functions")]

from benchmarks import cold_start, cost, simulator  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results.json"
README = ROOT / "benchmarks" / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
TARGET_TRANSITIONS = {"happy": 14, "delayed": 20, "cancelled": 8}
TARGET_CALLS = 40
TARGET_WRITE_UNITS = 40
TARGET_TEST_SECONDS = 60.0
#: Runs of each timed simulator scenario; the median is reported (this machine varies ~10% run to run).
REPEAT = 3


def machine() -> dict[str, Any]:
    model = platform.processor() or "unknown"
    with Path("/proc/cpuinfo").open(encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def test_suite() -> dict[str, Any]:
    """Wall and CPU seconds of the whole suite, as `make test` runs it (pytest -q on every core, tests handed
    out one by one or by shared-fixture module: tests/conftest.py), with the load around it."""
    env = {
        **os.environ,
        "TZ": "UTC",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions"), str(ROOT / "src")]),
    }
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "auto", "--dist", "loadgroup"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = done.stdout.strip().splitlines()
    summary = lines[-1] if lines else done.stderr[-300:]
    failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return {
        "wallSeconds": round(wall, 1),
        "cpuSeconds": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "loadBefore": round(load, 2),
        "loadAfter": round(os.getloadavg()[0], 2),
        "passed": done.returncode == 0,
        "summary": summary,
        "failed": failed,
    }  # fmt: skip


def rows(f: dict[str, Any]) -> list[tuple[str, str, str, Any]]:
    """(figure, measured, target, met) for the table."""
    out: list[tuple[str, str, str, Any]] = []
    use = f["cost"]["usagePerOrder"]
    for name, target in TARGET_TRANSITIONS.items():
        n = use[name]["stateTransitions"]
        out.append((f"state transitions, {name} order", f"{n}", f"<= {target}", n <= target))
    happy = use["happy"]
    out.append(("AWS calls per happy order", f"{happy['awsCalls']:g}", f"<= {TARGET_CALLS}", happy["awsCalls"] <= 40))
    wru = happy["dynamodbWriteUnits"]
    out.append(("DynamoDB write units per happy order", f"{wru:g}", f"<= {TARGET_WRITE_UNITS}", wru <= 40))
    for name in ("delayed", "cancelled", "catalog"):
        out.append(
            (
                f"AWS calls / write units per {name} order",
                f"{use[name]['awsCalls']:g} / {use[name]['dynamodbWriteUnits']:g}",
                "",
                "",
            )
        )
    costs = f["cost"]["usdPerMillionOrders"]
    total = costs["happy"]["total"]
    out.append(("USD per 1M happy orders (excl. e-mail/SMS)", f"{total:,.2f}", "<= 400", total <= 400))
    for name in ("delayed", "cancelled", "catalog"):
        out.append((f"USD per 1M {name} orders", f"{costs[name]['total']:,.2f}", "", ""))
    base = f["cost"]["dailyScanBaseline"]["usdPerMillionOrders"]["total"]
    out.append(("USD per 1M happy orders, daily-scan baseline", f"{base:,.2f}", "(comparison)", ""))
    sim = f["simulator"]
    by_size = {h["orders"]: h for h in sim["happy"]}
    if 200 in by_size:
        h = by_size[200]
        rate = h["timelinesPerSecond"]
        cpu_rate = round(200 / h["cpuSeconds"], 1)
        out.append(
            ("simulator: timelines/s, 200 happy orders (per CPU s)", f"{rate} ({cpu_rate})", ">= 25", rate >= 25)
        )
    if sim.get("linearity"):
        lin = sim["linearity"]
        out.append(
            ("simulator: per-order time 400 / 50 (CPU)", f"{lin['wall']} ({lin['cpu']})", "<= 1.2", lin["wall"] <= 1.2)
        )
    if sim.get("skuDelay"):
        s = sim["skuDelay"]
        full = s["orders"] >= 1000
        label = f"simulator: sku delay, {s['orders']} orders, s (CPU)"
        out.append(
            (
                label,
                f"{s['wallSeconds']} ({s['cpuSeconds']})",
                "< 60 at 1,000",
                s["wallSeconds"] < 60 if full else "n/a",
            )
        )
    if sim.get("process"):
        p = sim["process"]
        out.append(
            (
                "`outreach simulate` one order, whole process, s (CPU)",
                f"{p['median']} ({p['cpuMedian']})",
                "<= 1.5",
                p["median"] <= 1.5,
            )
        )
    if sim.get("processWithoutBytecode"):
        p = sim["processWithoutBytecode"]
        out.append(
            ("the same, no bytecode read or written (`-B`), s (CPU)", f"{p['median']} ({p['cpuMedian']})", "", "")
        )
    for handler, ms in f["coldStart"]["importMs"].items():
        cpu = f["coldStart"]["importCpuMs"][handler]
        out.append((f"cold import, {handler} handler, ms (CPU)", f"{ms} ({cpu})", "<= 300", ms <= 300))
    if f.get("tests"):
        t = f["tests"]
        out.append(
            (
                "`make test` (whole suite), s (CPU)",
                f"{t['wallSeconds']} ({t['cpuSeconds']})",
                "<= 60",
                t["wallSeconds"] <= 60,
            )
        )
    return out  # fmt: skip


def table(f: dict[str, Any]) -> str:
    m = f["machine"]
    head = (
        f"Measured {m['date']} on {m['cores']} cores ({m['cpu']}), Python {m['python']}; "
        f"load average {f['loadBefore']} before, {f['loadAfter']} after (the machine is shared: wall times vary, "
        "CPU seconds less).\n\n"
    )
    lines = ["| figure | measured | target | met |", "|---|---:|---|---|"]
    for figure, value, target, met in rows(f):
        lines.append(f"| {figure} | {value} | {target} | {'yes' if met is True else 'NO' if met is False else met} |")
    return head + "\n".join(lines)


def write_readme(text: str) -> None:
    current = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    if BEGIN not in current:
        current += f"\n{BEGIN}\n{END}\n"
    before, rest = current.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    README.write_text(f"{before}{BEGIN}\n{text}\n{END}{after}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="50/100 happy orders, a 200-order sku delay, no tests")
    parser.add_argument("--no-tests", action="store_true", help="skip timing the whole test suite")
    args = parser.parse_args()
    sizes, sku = ([50, 100], 200) if args.quick else ([50, 200, 400], 1000)
    figures: dict[str, Any] = {"machine": machine(), "loadBefore": round(os.getloadavg()[0], 2)}

    print("cost and per-order usage ...", file=sys.stderr)
    figures["cost"] = cost.measure()
    print("cold start ...", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        paths = cold_start.stage(Path(tmp))
        both = {h: cold_start.measure_both(paths, h, 7) for h in cold_start.HANDLERS}
        figures["coldStart"] = {
            "importMs": {h: round(wall, 1) for h, (wall, _) in both.items()},
            "importCpuMs": {h: round(cpu, 1) for h, (_, cpu) in both.items()},
            "targetMs": cold_start.TARGET_MS,
        }
    print("simulator ...", file=sys.stderr)
    # Timed figures are medians of REPEAT runs, as the issue measured its "now" column; the sizes in rounds.
    sim: dict[str, Any] = {"repeat": REPEAT, "happy": simulator.happy_sizes(sizes, fast=True, repeat=REPEAT)}
    by_size = {h["orders"]: h for h in sim["happy"]}
    if 50 in by_size and 400 in by_size:
        sim["linearity"] = {
            "wall": round(by_size[400]["msPerOrder"] / by_size[50]["msPerOrder"], 2),
            "cpu": round(by_size[400]["cpuMsPerOrder"] / by_size[50]["cpuMsPerOrder"], 2),
        }
    sim["skuDelay"] = simulator.sku_delay(sku, fast=True, repeat=REPEAT)
    sim["processWithoutBytecode"] = simulator.whole_process_without_bytecode(3)  # first: it deletes bytecode
    sim["process"] = simulator.whole_process(5)
    figures["simulator"] = sim
    if not (args.quick or args.no_tests):
        print("the whole test suite ...", file=sys.stderr)
        figures["tests"] = test_suite()
    figures["loadAfter"] = round(os.getloadavg()[0], 2)
    figures["table"] = [
        {"figure": r[0], "measured": r[1], "target": r[2], "met": r[3] if isinstance(r[3], bool) else None}
        for r in rows(figures)
    ]

    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    text = table(figures)
    write_readme(text)
    print(text)


if __name__ == "__main__":
    main()
