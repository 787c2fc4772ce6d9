"""The readable timeline printed by ``outreach simulate`` without ``--json``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from outreach.simulator.runner import SimulationResult


def readable(result: SimulationResult) -> str:
    lines = [f"Scenario: {result.scenario}", ""]
    per_order: dict[str, list[tuple[str, str]]] = defaultdict(list)
    requests = set()
    for c in result.contacts:
        owner = c.get("orderId") or c.get("requestId") or "?"
        if "requestId" in c:
            requests.add(owner)
        date = f"  (promised {c['promisedDate']})" if c.get("promisedDate") else ""
        per_order[owner].append((c["at"], f"{c['kind']:<26} {c['channel']:<5} -> {c['to']}: {c['subject']}{date}"))
    for a in result.alerts:
        per_order[a.get("orderId") or "(ops)"].append((a["at"], f"OPS ALERT {a['kind']}"))
    orders = {o["orderId"]: o for o in result.orders}
    for order_id in sorted(set(per_order) | set(orders)):
        order = orders.get(order_id)
        head = f"Catalog request {order_id}" if order_id in requests else f"Order {order_id}"
        if order:
            head += f"  [{order['status']}]  promised {order['promisedDate']}"
        lines.append(head)
        if order:
            for q in order["quotes"]:
                lines.append(f"  quote  {q['at']}  {q['promisedDate']}  ({q['reason']})")
        for at, text in sorted(per_order.get(order_id, [])):
            lines.append(f"  {at}  {text}")
        lines.append("")
    if result.clicks:
        lines.append("Clicks on one-click links")
        for c in result.clicks:
            who = c.get("orderId") or c.get("requestId")
            rating = f" {c['rating']}" if c.get("rating") else ""
            lines.append(
                f"  {c['at']}  {who} {c['method']} {c['action']}{rating} -> {c['status']} {c['page']} ({c['lang']})"
            )
        lines.append("")
    if result.rejected:
        lines.append("Rejected events")
        for r in result.rejected:
            lines.append(f"  {r['at']}  {r['detailType']}: {r['error']}")
        lines.append("")
    for e in result.errors:
        lines.append(f"HANDLER ERROR in {e['function']}: {e['type']}: {e['message']}")
    s: dict[str, Any] = result.stats
    lines.append(
        f"{len(result.contacts)} contacts, {len(result.alerts)} ops alerts, {len(result.rejected)} rejected events; "
        f"{s.get('stateTransitions')} state transitions, {s.get('lambdaInvocations')} Lambda invocations, "
        f"{s.get('wallSeconds')} s wall time"
    )
    return "\n".join(lines)
