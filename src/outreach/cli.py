"""The ``outreach`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
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
    _add_advise_padding(sub)
    args = parser.parse_args(argv)
    if args.command == "simulate":
        return _simulate(args.scenario, args.json, args.log)
    if args.command == "advise-padding":
        return _advise_padding(args)
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


def _add_advise_padding(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # The advisor (and through it the domain) is imported only when the subcommand runs, like the simulator.
    advise = sub.add_parser(
        "advise-padding",
        help="recommend a padding factor from a shop's order history (which factor would have kept its promises?)",
        description=(
            "Replay HISTORY.csv (orderId, placedAt, productionDays, transitDays, deliveredAt [, timezone]) through "
            "the real padding rule for each candidate factor; recommend the smallest factor whose broken-promise "
            "rate is at or below the target. Exit 0 with a recommendation, 1 if no factor reaches the target, "
            "2 on bad input. See docs/padding-advisor.md."
        ),
    )
    advise.add_argument(
        "history", type=Path, metavar="HISTORY.csv", help="order history CSV (see docs/padding-advisor.md)"
    )
    advise.add_argument(
        "--target",
        type=_lazy_argument("parse_target", "target"),
        default="0.05",
        help="acceptable share of broken promises, e.g. 0.05 or 5%% (default: 0.05)",
    )
    advise.add_argument(
        "--rounding", choices=["weeks", "days"], default="weeks", help="round quotes up to weeks (default) or days"
    )
    advise.add_argument(
        "--factors",
        type=_lazy_argument("parse_factors", "factors"),
        help="comma-separated candidate factors, e.g. 1,1.1,5/4,4/3 (default: 1 to 2 in steps of 1/12)",
    )
    advise.add_argument("--plot", type=Path, metavar="FILE.png", help="draw the trade-off as a PNG (needs [plot])")
    advise.add_argument("--json", action="store_true", help="print one JSON object instead of the table")


def _lazy_argument(parser_name: str, name: str) -> Callable[[str], object]:
    """An argparse ``type`` calling ``outreach.advisor.<parser_name>``; its ValueError becomes a usage error."""

    def convert(text: str) -> object:
        from outreach import advisor

        try:
            return getattr(advisor, parser_name)(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    convert.__name__ = name
    return convert


def _advise_padding(args: argparse.Namespace) -> int:
    from outreach import advisor

    try:
        if args.plot is not None:
            advisor.require_matplotlib()
        history = advisor.load_history(args.history)
        advice = advisor.advise(history, args.factors, args.target, args.rounding)
    except advisor.PlotUnavailableError as exc:
        print(f"outreach advise-padding: {exc}", file=sys.stderr)
        return 2
    except advisor.HistoryError as exc:
        print(f"outreach advise-padding: invalid history: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(advisor.to_json(advice), indent=2))
    else:
        print(advisor.render_table(advice))
    if args.plot is not None:
        try:
            advisor.plot(advice, args.plot)
        except OSError as exc:
            print(f"outreach advise-padding: cannot write the plot {args.plot}: {exc}", file=sys.stderr)
            return 2
        print(f"outreach advise-padding: plot written to {args.plot}", file=sys.stderr)
    if advice.recommended is None:
        print(f"outreach advise-padding: {advisor.unreachable_message(advice)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
