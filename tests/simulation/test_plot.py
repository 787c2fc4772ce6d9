"""`outreach simulate SCENARIO --plot timeline.png` draws each order's timeline (src/outreach/simulator/plot.py)."""

from __future__ import annotations

import struct
from pathlib import Path

from outreach_lambda.domain.config import QuietHours

from outreach.cli import main
from outreach.simulator import plot
from outreach.simulator.runner import SimulationResult
from outreach.simulator.scenario import load

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _twenty_orders(tmp_path: Path) -> Path:
    events = []
    for n in range(20):
        order = f"SO-{n:02d}"
        customer = {"name": f"Customer {n}", "email": f"c{n}@example.com", "timezone": "America/New_York"}
        if n % 4 == 0:
            customer.update(phone=f"+1212555{n:04d}", channels=["email", "sms"])
        events.append(
            {
                "at": f"PT{n}H",
                "detailType": "Order Placed",
                "detail": {
                    "orderId": order,
                    "placedAt": "2026-11-02T05:00:00-05:00",
                    "customer": customer,
                    "items": [{"sku": "CHAIR-1", "description": "Armchair", "quantity": 1}],
                    "productionDays": 10,
                    "transitDays": 5,
                    "shippingAddress": {
                        "line1": "1 Main St",
                        "city": "New York",
                        "postalCode": "10001",
                        "country": "US",
                    },
                },
            }
        )
        events.append({"at": f"P{1 + n % 5}D", "detailType": "Order Cancelled", "detail": {"orderId": order}})
    scenario = tmp_path / "twenty.json"
    scenario.write_text(
        __import__("json").dumps(
            {"name": "twenty orders", "start": "2026-11-02T09:00:00Z", "until": "P8D", "events": events}
        )
    )
    return scenario


def test_given_one_order_when_simulated_with_plot_then_a_png_of_its_timeline_is_written(tmp_path: Path, capsys) -> None:
    picture = tmp_path / "timeline.png"

    assert main(["simulate", str(EXAMPLES / "cancellation.json"), "--plot", str(picture)]) == 0

    width, height = _png_size(picture)
    assert width > 1000 and height > 300
    assert "SO-2" in capsys.readouterr().out  # the readable report is still printed


def test_given_twenty_orders_when_drawn_then_each_gets_a_row_of_a_taller_png(tmp_path: Path) -> None:
    """The picture of a run, drawn from its result (the simulation itself is covered elsewhere)."""
    scenario = load(_twenty_orders(tmp_path))
    result = SimulationResult(scenario="twenty orders")
    for at, _, event in scenario.timed_events():
        order = event.detail["orderId"]
        kind = "order_confirmation" if event.detail_type == "Order Placed" else "cancellation_confirmation"
        stamp = at.strftime("%Y-%m-%dT%H:%M:%SZ")
        result.contacts.append({"at": stamp, "orderId": order, "kind": kind, "channel": "email"})
        if kind == "order_confirmation":
            quotes = [{"at": stamp, "promisedDate": "2026-11-23", "reason": "order placed"}]
            result.orders.append({"orderId": order, "status": "SUCCEEDED", "quotes": quotes})
    one, twenty = tmp_path / "one.png", tmp_path / "twenty.png"
    single = SimulationResult(scenario="one", contacts=result.contacts[:1], orders=result.orders[:1])
    single_scenario = scenario.model_copy(update={"events": scenario.events[:1]})

    plot.draw(single_scenario, single, QuietHours(), one)
    plot.draw(scenario, result, QuietHours(), twenty)

    assert _png_size(twenty)[1] > 2 * _png_size(one)[1]  # room for twenty rows
