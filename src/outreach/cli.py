"""The ``outreach`` command."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="outreach", description="Outreach developer tools (local, no AWS account).")
    sub = parser.add_subparsers(dest="command", required=True)
    sim = sub.add_parser(
        "simulate",
        help="play a scenario of order events against the real state machine and handlers on moto",
        description="Run SCENARIO.json on moto with a virtual clock and print every contact, alert and order.",
    )
    sim.add_argument("scenario", type=Path, help="scenario file (see examples/ and docs/simulator.md)")
    sim.add_argument("--json", action="store_true", help="print one JSON object (the contract in docs/simulator.md)")
    sim.add_argument("--log", type=Path, help="write the handlers' structured logs to this file")
    args = parser.parse_args(argv)
    if args.command == "simulate":
        return _simulate(args.scenario, args.json, args.log)
    return 2  # pragma: no cover


def _simulate(path: Path, as_json: bool, log_path: Path | None) -> int:
    from outreach.simulator import report, runner
    from outreach.simulator.scenario import ScenarioError, load

    try:
        scenario = load(path)
        if log_path is not None:
            with log_path.open("w", encoding="utf-8") as log:
                result = runner.run(scenario, log=log)
        else:
            result = runner.run(scenario)
    except ScenarioError as exc:
        print(f"outreach simulate: invalid scenario: {exc}", file=sys.stderr)
        return 2
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(report.readable(result))
    if result.errors:
        print(f"outreach simulate: {len(result.errors)} handler error(s), see 'errors'", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
