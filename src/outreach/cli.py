"""The ``outreach`` command."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="outreach",
        description="Outreach tools: simulate and advise locally (no AWS account); operate a deployed stack.",
    )
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
    _add_operate(sub)
    args = parser.parse_args(argv)
    if args.command == "simulate":
        return _simulate(args.scenario, args.json, args.log)
    if args.command == "advise-padding":
        return _advise_padding(args)
    if args.command in ("resume", "dead-letters", "contacts", "send-event", "status"):
        return _operate(args)
    return 2  # pragma: no cover


def _add_operate(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Commands against a deployed stack (boto3 with the normal profile and region resolution)."""
    stack = argparse.ArgumentParser(add_help=False)
    stack.add_argument(
        "--stack", default=None, help="the deployed stack's name (default: Outreach-$STAGE, or Outreach-dev)"
    )
    send = sub.add_parser(
        "send-event",
        parents=[stack],
        help="validate an event file (as intake would) and put it on the stack's bus",
        description="FILE holds {source, detail-type, detail[, time]} (see examples/events/). Prints the event id "
        "and the console link of the order's execution.",
    )
    send.add_argument("file", type=Path, metavar="FILE")
    send.add_argument("--dry-run", action="store_true", help="validate only; put nothing on the bus")
    send.add_argument(
        "--now",
        action="store_true",
        help="move the event to now first: its time and every date in it shift by the same amount (for examples)",
    )
    status = sub.add_parser(
        "status",
        parents=[stack],
        help="where an order stands: stage, promise ledger, contacts with status, pending timer, execution link",
    )
    status.add_argument("order_id", metavar="ORDER_ID")
    status.add_argument("--json", action="store_true", help="one JSON object")
    resume = sub.add_parser(
        "resume",
        parents=[stack],
        help="start a new execution for an order whose timeline failed (nothing already sent goes again)",
    )
    resume.add_argument("order_id", metavar="ORDER_ID")
    letters = sub.add_parser("dead-letters", help="list or replay the events in the dead-letter queue")
    actions = letters.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[stack], help="each rejected or undelivered event with its reason")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.add_argument("--limit", type=int, default=100)
    again = actions.add_parser(
        "replay", parents=[stack], help="hand events to intake again (once fixed at the source), then remove them"
    )
    contacts = sub.add_parser("contacts", help="contacts parked because the account could not send")
    contact_actions = contacts.add_subparsers(dest="action", required=True)
    contact_actions.add_parser("parked", parents=[stack], help="every parked contact with its cause")
    contact_actions.add_parser(
        "redrive", parents=[stack], help="send every parked contact now that its cause is fixed (each once)"
    )
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every event in the queue")
    which.add_argument("message_ids", nargs="*", default=[], metavar="MESSAGE_ID", help="from 'dead-letters list'")


def _operate(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    from outreach import operate

    try:
        if args.command == "send-event":
            event = operate.read_event(args.file, redate=args.now)
            if args.dry_run:
                print(f"{args.file}: a valid '{event.detail_type}' event (dry run: nothing sent)")
                return 0
        deployed = operate.Deployed.from_stack(args.stack or operate.default_stack())
        if args.command == "send-event":
            sent = operate.send_event(deployed, event)
            print(f"sent {sent['detailType']} as event {sent['eventId']}")
            if "console" in sent:
                print(f"order {sent['orderId']}: {sent['console']}")
            return 0
        if args.command == "status":
            found = operate.status(deployed, args.order_id)
            print(json.dumps(found, indent=2) if args.json else _readable_status(found))
            return 0
        if args.command == "resume":
            print(f"resumed {args.order_id}: {operate.resume(deployed, args.order_id)}")
            return 0
        if args.command == "contacts":
            parked = operate.parked(deployed)
            if args.action == "parked":
                for item in parked:
                    owner = item.get("orderId") or item.get("requestId")
                    print(f"{owner}  {item['sk']}  {item.get('parkedCause', '')}  since {item.get('failedAt', '')}")
                print(f"{len(parked)} parked contact(s)", file=sys.stderr)
                return 0
            for outcome in operate.redrive(deployed, parked):
                print(json.dumps(outcome))
            return 0
        hold = operate.REPLAY_HOLD if args.action == "replay" else 0
        letters = operate.dead_letters(deployed, getattr(args, "limit", 100), hold)
        if args.action == "list":
            for letter in letters:
                summary = letter.summary()
                if args.json:
                    print(json.dumps(summary))
                else:
                    print(
                        f"{summary['messageId']}  {summary['time']}  {summary['detailType']}  "
                        f"{summary['orderId'] or '-'}  {summary['code']}: {summary['reason']}"
                    )
            print(f"{len(letters)} event(s) in the dead-letter queue", file=sys.stderr)
            return 0
        chosen = letters if args.all else [d for d in letters if d.message_id in set(args.message_ids)]
        missing = set(args.message_ids) - {d.message_id for d in chosen}
        for outcome in operate.replay(deployed, chosen):
            print(json.dumps(outcome))
        if missing:
            print(f"not in the queue (replayed before?): {', '.join(sorted(missing))}", file=sys.stderr)
            return 1
        return 0
    except operate.OperateError as exc:
        print(f"outreach {args.command}: {exc}", file=sys.stderr)
        return 1
    except (BotoCoreError, ClientError) as exc:
        print(f"outreach {args.command}: AWS said: {exc}", file=sys.stderr)
        return 1


def _readable_status(found: dict[str, Any]) -> str:
    lines = [
        f"order {found['orderId']}: {found['stage']} ({found['runStatus']}), promised {found['promisedDate'] or '-'}",
        "promise ledger:",
        *(f"  {q['at']}  {q['promisedDate']}  {q['reason']}" for q in found["quotes"]),
        "contacts:",
        *(
            f"  {c['at'] or '-'}  {c['key']}  {c['status']}" + (f"  ({c['error']})" if c.get("error") else "")
            for c in found["contacts"]
        ),
        f"next timer: {found['timer']['dueAt'] if found['timer'] else 'none'}",
    ]
    execution = found["execution"]
    if execution:
        lines.append(f"execution {execution['name']}: {execution['status']}  {execution['console']}")
    else:
        lines.append("execution: none")
    return "\n".join(lines)


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
