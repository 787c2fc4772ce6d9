"""The ``outreach`` command."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from outreach.collector import fewer_collections


def main(argv: list[str] | None = None) -> int:
    """The command line. Without ``argv`` this call is the whole process (``outreach ...`` or
    ``python -m outreach.cli``): the cyclic garbage collector then stays out of the way (:func:`_as_process`)."""
    if argv is not None:
        return _main(argv)
    with _as_process():
        return _main(None)


@contextmanager
def _as_process() -> Iterator[None]:
    """A short-lived process's objects are left to the operating system.

    Nearly everything allocated while the modules load lives until the process ends, so the collector's
    default thresholds only make it rescan that heap again and again (a quarter of a second of a one-order
    ``simulate``): the youngest generation is collected less often here (a simulation sets the same while it
    runs). At the end everything still alive is frozen out of the collector, so the interpreter's shutdown
    does not scan the whole heap once more (0.7 s after a simulation); files are closed and buffers flushed
    as usual. Figures: ``benchmarks/simulator.py --process``.
    """
    try:
        with fewer_collections():
            yield
    finally:
        gc.freeze()


def _main(argv: list[str] | None) -> int:
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
    sim.add_argument(
        "--out", type=Path, metavar="DIR", help="write every sent message (HTML, text, SMS, .eml, phone screenshot)"
    )
    sim.add_argument(
        "--plot", type=Path, metavar="PNG", help="also draw each order's contacts, events, promises and quiet hours"
    )
    _add_preview(sub)
    _add_advise_padding(sub)
    _add_operate(sub)
    args = parser.parse_args(argv)
    if args.command == "simulate":
        return _simulate(args.scenario, args.json, args.log, args.out, args.plot)
    if args.command == "preview":
        return _preview(args)
    if args.command == "advise-padding":
        return _advise_padding(args)
    if args.command in ("resume", "dead-letters", "contacts", "opt-out", "send-event", "status"):
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
    contact_actions.add_parser(
        "stuck", parents=[stack], help="contacts claimed over 15 minutes ago and still SENDING (not yet reconciled)"
    )
    contact_actions.add_parser(
        "unconfirmed", parents=[stack], help="contacts whose send may or may not have gone (contact_unconfirmed)"
    )
    owner = argparse.ArgumentParser(add_help=False)
    owner.add_argument("owner", metavar="ORDER_ID", help="the order id (or, with --request, the catalog request id)")
    owner.add_argument("key", metavar="KEY", help="the contact's key, e.g. shipped#email (from the alert)")
    owner_kind = owner.add_mutually_exclusive_group()
    owner_kind.add_argument("--request", action="store_true", help="OWNER is a catalog request id")
    owner_kind.add_argument(
        "--message", action="store_true", help="OWNER is a customer message id (its acknowledgement)"
    )
    contact_actions.add_parser(
        "resend",
        parents=[stack, owner],
        help="send an unconfirmed contact that the provider's logs show did not go (once, through the sender)",
    )
    skip = contact_actions.add_parser(
        "skip", parents=[stack, owner], help="settle an unconfirmed contact without sending it"
    )
    skip.add_argument("--sent", action="store_true", help="the provider's logs show it went: record it as SENT")
    opt_out = sub.add_parser("opt-out", help="the shop's own opt-out list (addresses that asked not to be written to)")
    opt_actions = opt_out.add_subparsers(dest="action", required=True)
    for action, text in (("add", "put an address on the list"), ("remove", "take an address off the list")):
        one = opt_actions.add_parser(action, parents=[stack], help=text)
        one.add_argument("address", metavar="ADDRESS", help="an e-mail address or an E.164 phone number")
        if action == "add":
            one.add_argument("--reason", default="asked by the customer", help="why (kept with the entry)")
    opt_actions.add_parser("list", parents=[stack], help="every address on the list, with its reason")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every event in the queue")
    which.add_argument("message_ids", nargs="*", default=[], metavar="MESSAGE_ID", help="from 'dead-letters list'")


def _operate(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError
    from outreach_lambda.ports import LedgerStatus

    from outreach import operate

    try:
        if args.command == "send-event":
            event = operate.read_event(args.file, redate=args.now)
            if args.dry_run:
                print(f"{args.file}: a valid '{event.detail_type}' event (dry run: nothing sent)")
                return 0
        deployed = operate.Deployed.from_stack(args.stack or operate.default_stack())
        if args.command == "send-event":
            put = operate.send_event(deployed, event)
            print(f"sent {put['detailType']} as event {put['eventId']}")
            if "console" in put:
                print(f"order {put['orderId']}: {put['console']}")
            return 0
        if args.command == "status":
            order_status = operate.status(deployed, args.order_id)
            print(json.dumps(order_status, indent=2) if args.json else _readable_status(order_status))
            return 0
        if args.command == "resume":
            print(f"resumed {args.order_id}: {operate.resume(deployed, args.order_id)}")
            return 0
        if args.command == "opt-out":
            return _opt_out(operate.opt_outs(deployed), args)
        if args.command == "contacts" and args.action in ("stuck", "unconfirmed"):
            found = (
                operate.stuck(deployed)
                if args.action == "stuck"
                else operate.with_status(deployed, LedgerStatus.UNCONFIRMED)
            )
            for item in found:
                who = item.get("orderId") or f"--request {item.get('requestId')}"
                since = item.get("claimedAt") if args.action == "stuck" else item.get("failedAt")
                print(f"{who}  {item['sk']}  {item.get('errorCode', '')}  since {since}")
            print(f"{len(found)} {args.action} contact(s)", file=sys.stderr)
            return 0
        if args.command == "contacts" and args.action == "resend":
            print(json.dumps(operate.resend(deployed, args.owner, args.key, args.request, args.message)))
            return 0
        if args.command == "contacts" and args.action == "skip":
            print(json.dumps(operate.skip(deployed, args.owner, args.key, args.request, args.sent, args.message)))
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


def _opt_out(opt_outs: Any, args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from outreach_lambda.domain.opt_outs import InvalidAddress

    if args.action == "list":
        entries = opt_outs.all()
        for entry in entries:
            print(f"{entry['address']}  {entry['at']}  {entry['reason']}")
        print(f"{len(entries)} address(es) opted out", file=sys.stderr)
        return 0
    try:
        if args.action == "add":
            changed = opt_outs.add(args.address, args.reason, datetime.now(UTC))
        else:
            changed = opt_outs.remove(args.address)
    except InvalidAddress as exc:
        print(f"outreach opt-out {args.action}: {exc}", file=sys.stderr)
        return 2
    done = {"add": ("added", "was on the list already"), "remove": ("removed", "was not on the list")}[args.action]
    print(done[0] if changed else done[1])
    return 0


def _add_preview(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    preview = sub.add_parser(
        "preview",
        help="render a message (subject, HTML, text, SMS) and a phone-width screenshot of it",
        description="Render KIND for a sample order, or as a scenario's run really sent it, and write the files.",
    )
    preview.add_argument("kind", metavar="KIND", help="a contact kind, e.g. order_confirmation, shipped, delay_notice")
    preview.add_argument("--locale", help="the customer's locale, e.g. en-US, en-GB, de-DE (default: the shop's)")
    preview.add_argument("--scenario", type=Path, metavar="FILE", help="run this scenario and show what it sent")
    preview.add_argument("--order", metavar="ID", help="with --scenario: the order (or catalog request) id")
    preview.add_argument("--config", type=Path, metavar="FILE", help="configuration JSON (branding, shop name...)")
    preview.add_argument("--out", type=Path, metavar="DIR", default=Path("preview"), help="default: ./preview")


def _preview(args: argparse.Namespace) -> int:
    from outreach_lambda.domain.config import OutreachConfig
    from pydantic import ValidationError

    from outreach import preview

    try:
        raw = json.loads(args.config.read_text(encoding="utf-8")) if args.config else {}
        config = OutreachConfig.model_validate(raw)
        if args.scenario is not None:
            messages = preview.scenario_messages(args.scenario, args.order, args.kind, args.locale)
        else:
            if args.order is not None:
                raise preview.PreviewError("--order needs --scenario")
            locale = args.locale or config.branding.default_locale
            messages = [
                preview.from_message(f"{args.kind}.{locale}", preview.sample_message(args.kind, locale, config))
            ]
    except (preview.PreviewError, ValidationError, OSError, ValueError) as exc:
        print(f"outreach preview: {exc}", file=sys.stderr)
        return 2
    return _write_messages(args.out, messages)


def _write_messages(out: Path, messages: list[Any]) -> int:
    from outreach import preview

    shots = preview.write(out, messages)
    for m in messages:
        print(f"{m.name}\n  subject: {m.subject}")
        if m.sms is not None:
            print(f"  sms ({preview.sms_rules.segments(m.sms)} segment(s)): {m.sms}")
    print(f"wrote {len(messages)} message(s) to {out}/", end="")
    if preview.browser() is None:
        print(" (no screenshots: no chromium on PATH; apt-get install chromium)")
    else:
        print(f", {len(shots)} screenshot(s) at {preview.PHONE_WIDTH} px wide")
    return 0


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


def _import_time_machine_alone() -> None:
    """The simulator's clock (time_machine) imports pytest, when it can, only to define its pytest plugin:
    60 ms of a one-order ``simulate``. Outside a pytest run it is imported with pytest out of reach."""
    if "time_machine" in sys.modules or "pytest" in sys.modules:
        return
    sys.modules["pytest"] = None  # type: ignore[assignment]  # ``import pytest`` raises ImportError
    try:
        import time_machine  # noqa: F401
    finally:
        del sys.modules["pytest"]


def _simulate(
    path: Path, as_json: bool, log_path: Path | None, out: Path | None = None, plot_path: Path | None = None
) -> int:
    _import_time_machine_alone()
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
    if plot_path is not None:
        from outreach_lambda.settings import parse_config

        from outreach.simulator import plot  # imports matplotlib: only when a picture is asked for

        plot.draw(scenario, result, parse_config(scenario.config).quiet_hours, plot_path)
        print(f"outreach simulate: wrote {plot_path}", file=sys.stderr)
    if as_json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(report.readable(result))
    if out is not None:
        from outreach import preview

        pairs = list(zip(result.contacts, result.sent, strict=True))
        messages = preview.sent_messages(
            [p for p in pairs if p[0]["channel"] == "email"], [p for p in pairs if p[0]["channel"] == "sms"]
        )
        shots = preview.write(out, messages)
        print(f"wrote {len(messages)} message(s) and {len(shots)} screenshot(s) to {out}/", file=sys.stderr)
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
