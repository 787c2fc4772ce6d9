"""The order contact timeline through the real state machine on moto, as a customer would see it."""

from __future__ import annotations

from outreach_lambda.services.timeline import Timeline

from tests.simulation.conftest import event, placed, simulate, timeline


def test_given_a_smooth_order_when_simulated_then_exactly_four_contacts_at_the_right_times(happy_events):
    result = simulate(happy_events)

    assert timeline(result) == [
        ("2026-11-02T09:00:00Z", "SO-1", "order_confirmation", "email"),
        # production due 16 Nov 10:00 Berlin, 3 days earlier = 13 Nov 10:00 Berlin = 09:00Z
        ("2026-11-13T09:00:00Z", "SO-1", "production_update", "email"),
        ("2026-11-16T11:00:00Z", "SO-1", "shipped", "email"),
        # delivered 21 Nov 14:00Z + 3 days
        ("2026-11-24T14:00:00Z", "SO-1", "satisfaction_check", "email"),
    ]
    assert {c["to"] for c in result.contacts} == {"ada@example.com"}
    assert [c.get("promisedDate") for c in result.contacts] == ["2026-11-30", "2026-11-30", "2026-11-30", None]
    [order] = result.orders
    assert order["status"] == "SUCCEEDED"
    assert order["promisedDate"] == "2026-11-30"
    assert order["quotes"] == [{"at": "2026-11-02T09:00:00Z", "promisedDate": "2026-11-30", "reason": "order placed"}]
    assert result.rejected == []
    assert result.stats["stateTransitions"] > 0


def test_given_a_cancellation_mid_way_then_it_is_confirmed_and_nothing_else_is_ever_sent():
    result = simulate(
        [
            placed(),
            event("P5D", "Order Cancelled", reason="changed my mind"),
            event("P14D", "Order Shipped", carrier="DHL", trackingNumber="X1"),
            event("P19D", "Order Delivered"),
        ]
    )

    assert timeline(result) == [
        ("2026-11-02T09:00:00Z", "SO-1", "order_confirmation", "email"),
        ("2026-11-07T09:00:00Z", "SO-1", "cancellation_confirmation", "email"),
    ]
    assert result.orders[0]["status"] == "SUCCEEDED"
    # Events about a finished order are ignored, not rejected.
    assert result.rejected == []


def test_given_an_event_arriving_while_the_execution_is_busy_then_it_is_not_lost(monkeypatch, happy_events):
    """Order Shipped arrives while the execution is between two waits (applying Production Completed).

    intake finds no wait token to claim, so only the inbox holds the event; the next wait must find it
    when it parks again, and the customer gets the shipping notice at that same instant.
    """
    from outreach_lambda.handlers import intake

    real_step = Timeline.step
    injected = []

    def step_with_a_racing_event(self, order_id, now):
        result = real_step(self, order_id, now)
        if not injected and any(k.startswith("production_update#") for k in result.contacts_sent):
            injected.append(now)
            envelope = {
                "id": "racing-shipment",
                "detail-type": "Order Shipped",
                "source": "com.example.shop",
                "time": now.isoformat(),
                "detail": {"orderId": order_id, "carrier": "DHL", "trackingNumber": "RACE-1"},
            }
            outcome = intake.handler(envelope, _Context())
            assert outcome["outcome"] == "accepted"
        return result

    monkeypatch.setattr(Timeline, "step", step_with_a_racing_event)
    events = [e for e in happy_events if e["detailType"] != "Order Shipped"]
    result = simulate(events)

    assert injected, "the racing event was never injected"
    kinds = [(at, kind) for at, _, kind, _ in timeline(result)]
    assert ("2026-11-13T09:00:00Z", "production_update") in kinds
    assert ("2026-11-13T09:00:00Z", "shipped") in kinds
    assert [k for _, k in kinds].count("shipped") == 1
    # The next wait's write was refused (DynamoDb.ConditionalCheckFailedException) and "Advance the order" took
    # over: the execution ended normally, without an ops alert. The race costs "Advance the order": 14 transitions,
    # one more than when the waits invoked the timeline function to park.
    assert result.orders[0]["status"] == "SUCCEEDED"
    assert result.alerts == []
    assert result.stats["stateTransitions"] == 14


def test_given_events_delivered_twice_then_each_contact_is_sent_once(happy_events):
    shipped = event("P14DT2H", "Order Shipped", carrier="DHL", trackingNumber="JD1", event_id="evt-ship")
    redelivered = dict(shipped, at="P14DT3H")
    same_news_new_id = event("P14DT4H", "Order Shipped", carrier="DHL", trackingNumber="JD1")
    events = [happy_events[0], happy_events[1], shipped, redelivered, same_news_new_id, happy_events[3]]
    events.append(dict(happy_events[0], at="P1D"))  # a second Order Placed for the same order

    result = simulate(events)

    kinds = [kind for _, _, kind, _ in timeline(result)]
    assert kinds == ["order_confirmation", "production_update", "shipped", "satisfaction_check"]
    assert result.rejected == []


def test_given_bad_events_then_each_is_rejected_with_the_field_and_the_problem(happy_events):
    broken = placed(orderId="SO-2", customer={"email": "not-an-address"})
    result = simulate(
        [
            happy_events[0],
            broken,
            event("PT1H", "Order Shipped", orderId="SO-404", carrier="DHL", trackingNumber="X"),
            {"at": "PT2H", "detailType": "Sofa Teleported", "detail": {"orderId": "SO-1"}},
            event("PT3H", "Feedback Received", rating=9),
        ]
    )

    errors = {r["detailType"]: r["error"] for r in result.rejected}
    assert "customer.email" in errors["Order Placed"]
    assert "SO-404" in errors["Order Shipped"] and "unknown order" in errors["Order Shipped"]
    assert "Sofa Teleported" in errors["Sofa Teleported"]
    assert "rating" in errors["Feedback Received"]
    assert [o["orderId"] for o in result.orders] == ["SO-1"]


def test_given_an_sms_customer_ordering_late_at_night_then_email_goes_at_once_and_sms_after_quiet_hours():
    night_owl = placed(
        at="PT13H",  # 22:00Z = 23:00 in Berlin
        placedAt="2026-11-02T23:00:00+01:00",
        customer={"phone": "+4915112345678", "channels": ["email", "sms"]},
    )
    result = simulate([night_owl], until="P2D")

    assert timeline(result)[:2] == [
        ("2026-11-02T22:00:00Z", "SO-1", "order_confirmation", "email"),
        ("2026-11-03T08:00:00Z", "SO-1", "order_confirmation", "sms"),  # 09:00 Berlin
    ]
    sms = [c for c in result.contacts if c["channel"] == "sms"]
    assert sms[0]["to"] == "+4915112345678"


def test_given_a_production_delay_past_the_promise_then_the_customer_is_told_at_once_with_a_new_date():
    result = simulate(
        [
            placed(),
            event("P10D", "Production Delayed", estimatedCompletion="2026-11-27T12:00:00+01:00", reason="fabric late"),
        ],
        until="P25D",  # before the new estimate: no overdue alert, no silence re-quote yet
    )

    # Forecast: 27 Nov + 7 transit days = 4 Dec, past the promised 30 Nov. Honest new date: the padding
    # rule on the 22 days still remaining (12 Nov -> 4 Dec): 22 x 4/3 -> 35 days -> 17 Dec.
    notices = [c for c in result.contacts if c["kind"] == "delay_notice"]
    assert [(c["at"], c["promisedDate"]) for c in notices] == [("2026-11-12T09:00:00Z", "2026-12-17")]
    assert [(a["at"], a["kind"]) for a in result.alerts] == [("2026-11-12T09:00:00Z", "promise_at_risk")]
    quotes = result.orders[0]["quotes"]
    assert [q["promisedDate"] for q in quotes] == ["2026-11-30", "2026-12-17"]
    # The production update follows the new estimate: 27 Nov - 3 days.
    updates = [c for c in result.contacts if c["kind"] == "production_update"]
    assert updates[0]["at"] == "2026-11-24T11:00:00Z"


def test_given_many_orders_when_simulated_twice_then_results_are_identical():
    events = []
    for n in range(8):
        events.append(placed(at=f"PT{n}H", orderId=f"SO-{n}"))
        events.append(event(f"P{10 + n % 3}D", "Production Completed", orderId=f"SO-{n}"))
        events.append(event(f"P{12 + n % 3}D", "Order Shipped", orderId=f"SO-{n}", carrier="UPS", trackingNumber="1Z"))
        events.append(event(f"P{15 + n % 3}D", "Order Delivered", orderId=f"SO-{n}"))
    first = simulate(events).to_json()
    second = simulate(events).to_json()
    for run in (first, second):
        run["stats"].pop("wallSeconds")
    assert first == second
    assert len(first["contacts"]) == 8 * 4
    assert {o["status"] for o in first["orders"]} == {"SUCCEEDED"}


class _Context:
    function_name = "outreach-intake"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:outreach-intake"
    aws_request_id = "racing"


def test_given_hostile_events_then_each_is_rejected_naming_its_field_and_the_order_is_untouched():
    conflicting = placed(at="PT3H")
    conflicting["detail"]["items"] = [{"sku": "SOFA-OSLO-3", "description": "Oslo three-seater sofa", "quantity": 9}]
    result = simulate(
        [
            placed(),
            "not an event at all",
            placed(at="PT1H", orderId="SO-2", productionDays=True),
            placed(at="PT2H", orderId="SO-3", placedAt="1970-01-01T00:00:00Z"),
            conflicting,
            event("PT4H", "Feedback Received", rating=True),
            {"at": "PT5H", "detailType": "Timer Due", "detail": {"orderId": "SO-1", "dueAt": "2026-11-02T14:00:00Z"}},
            event("PT6H", "Production Completed", completedAt="2031-01-01T00:00:00Z"),
            event("PT7H", "Production Completed", completedAt="2026-11-01T00:00:00Z"),
            {"at": "PT8H", "detailType": "Order Cancelled", "detail": ["SO-1"]},
            event("PT9H", "Order Cancelled", reason="x" * 5000),
            event("PT10H", "Order Shipped", carrier="DHL", trackingNumber=" JD1"),
        ],
        until="P2D",
    )

    named = [(r["detailType"], r["error"].split(": ")[0]) for r in result.rejected]
    assert named == [
        (None, "(event)"),
        ("Order Placed", "detail.productionDays"),
        ("Order Placed", "detail.placedAt"),
        ("Order Placed", "detail"),
        ("Feedback Received", "detail.rating"),
        ("Timer Due", "source"),
        ("Production Completed", "detail.completedAt"),
        ("Production Completed", "detail.completedAt"),
        ("Order Cancelled", "detail"),
        ("Order Cancelled", "detail.reason"),
        ("Order Shipped", "detail.trackingNumber"),
    ]
    errors = [r["error"] for r in result.rejected]
    assert "Input should be a valid integer" in errors[1] and "Input should be a valid integer" in errors[4]
    assert "a different Order Placed for order 'SO-1'" in errors[3]
    assert "must not be before the order was placed" in errors[7]
    assert "must be a JSON object, got an array" in errors[8]
    # SO-1 goes on as if nothing had happened: confirmed once, no alert, no other order.
    assert timeline(result) == [("2026-11-02T09:00:00Z", "SO-1", "order_confirmation", "email")]
    assert result.alerts == []
    assert [o["orderId"] for o in result.orders] == ["SO-1"]
