"""Honest promises through the real state machine: every slip path, absorbed vs broken, repeated delays."""

from __future__ import annotations

from tests.simulation.conftest import event, placed, simulate

SMS = {"phone": "+4915112345678", "channels": ["email", "sms"]}


def notices(result, order_id: str = "SO-1") -> list[tuple[str, str, str]]:
    return [
        (c["at"], c["channel"], c["promisedDate"])
        for c in result.contacts
        if c["kind"] == "delay_notice" and c["orderId"] == order_id
    ]


def alerts(result, kind: str) -> list[tuple[str, str, bool | None]]:
    return [
        (a["at"], a["orderId"], a.get("details", {}).get("customerTold")) for a in result.alerts if a["kind"] == kind
    ]


def test_given_a_delay_of_one_sku_then_every_open_order_of_that_sku_and_no_other_is_told_at_once():
    velvet = {"items": [{"sku": "VELVET-GREEN", "description": "Oslo sofa, green velvet", "quantity": 1}]}
    linen = {"items": [{"sku": "LINEN-SAND", "description": "Oslo sofa, sand linen", "quantity": 1}]}
    events = [
        placed(orderId="SO-1", **velvet),
        placed(at="PT1H", orderId="SO-2", customer=SMS, **velvet),
        placed(at="PT2H", orderId="SO-3", **linen),
        placed(at="PT3H", orderId="SO-4", **velvet),
        event("P1D", "Order Cancelled", orderId="SO-4"),
        {
            "at": "P6D",
            "detailType": "Production Delayed",
            "detail": {"sku": "VELVET-GREEN", "estimatedCompletion": "2026-11-28", "reason": "mill strike"},
        },
    ]
    result = simulate(events, until="P8D")  # 8 Nov 09:00Z

    told = {(c["orderId"], c["channel"]) for c in result.contacts if c["kind"] == "delay_notice"}
    # SO-2's SMS waits for 09:00 Berlin on 8 Nov; e-mails go at the instant of the event.
    assert told == {("SO-1", "email"), ("SO-2", "email"), ("SO-2", "sms")}
    assert notices(result, "SO-1") == [("2026-11-08T09:00:00Z", "email", "2026-12-20")]
    assert [(at, ch) for at, ch, _ in notices(result, "SO-2")] == [
        ("2026-11-08T09:00:00Z", "email"),
        ("2026-11-08T09:00:00Z", "sms"),
    ]
    # Ops get one alert for the batch, with how many customers were told, not one per order.
    assert alerts(result, "promise_at_risk") == []
    [batch] = [a for a in result.alerts if a["kind"] == "batch_delay"]
    assert batch["at"] == "2026-11-08T09:00:00Z"
    assert batch["details"] == {
        "sku": "VELVET-GREEN",
        "reason": "mill strike",
        "orders": 2,
        "customersTold": 2,
        "absorbedByPadding": 0,
    }
    assert not [c for c in result.contacts if c["orderId"] in ("SO-3", "SO-4") and c["kind"] == "delay_notice"]


def test_given_a_delay_the_padding_absorbs_then_only_ops_hear_of_it():
    result = simulate(
        [placed(), event("P5D", "Production Delayed", estimatedCompletion="2026-11-20T12:00:00+01:00")], until="P10D"
    )

    assert notices(result) == []
    assert alerts(result, "promise_at_risk") == [("2026-11-07T09:00:00Z", "SO-1", False)]
    assert [q["promisedDate"] for q in result.orders[0]["quotes"]] == ["2026-11-30"]


def test_given_repeated_delays_then_a_second_notice_only_when_the_new_date_breaks_too():
    result = simulate(
        [
            placed(),
            event("P5D", "Production Delayed", estimatedCompletion="2026-11-27T12:00:00+01:00"),  # breaks 30 Nov
            event("P7D", "Production Delayed", estimatedCompletion="2026-11-29T12:00:00+01:00"),  # inside new date
            event("P9D", "Production Delayed", estimatedCompletion="2026-12-20T12:00:00+01:00"),  # breaks again
            event("P10D", "Production Completed"),
        ],
        until="P20D",
    )

    # 7 Nov: forecast 4 Dec, 27 days left -> 36 -> 6 weeks -> 19 Dec. 9 Nov: 6 Dec fits. 11 Nov: forecast
    # 27 Dec breaks 19 Dec, 46 days left -> 61.3 -> 9 weeks -> 13 Jan.
    assert notices(result) == [
        ("2026-11-07T09:00:00Z", "email", "2026-12-19"),
        ("2026-11-11T09:00:00Z", "email", "2027-01-13"),
    ]
    reasons = [q["reason"] for q in result.orders[0]["quotes"]]
    assert reasons == ["order placed", "production delayed", "production delayed"]


def test_given_silence_from_production_then_ops_hear_at_the_due_date_and_the_customer_before_it_is_too_late():
    result = simulate([placed()], until="P23D")

    # Production was due 16 Nov 10:00 Berlin; the promise (30 Nov) becomes impossible from 24 Nov
    # (24 Nov + 7 transit days > 30 Nov): told at 09:00 Berlin that morning. Forecast 1 Dec, 7 days left
    # -> 9.3 -> 2 weeks -> 8 Dec. Ops hear at the due date, then 1, 3 and 7 days later.
    assert [at for at, _, _ in alerts(result, "production_overdue")] == [
        "2026-11-16T09:00:00Z",
        "2026-11-17T09:00:00Z",
        "2026-11-19T09:00:00Z",
        "2026-11-23T09:00:00Z",
    ]
    assert notices(result) == [("2026-11-24T08:00:00Z", "email", "2026-12-08")]
    assert result.orders[0]["quotes"][-1]["reason"].startswith("production has not reported completion")


def test_given_production_silent_for_months_then_the_customer_gets_one_new_date_and_ops_an_escalation():
    result = simulate([placed()], until="P90D")

    # One honest new date from silence alone, not a new guess every week; ops keep hearing, less often.
    assert notices(result) == [("2026-11-24T08:00:00Z", "email", "2026-12-08")]
    overdue = [a for a in result.alerts if a["kind"] == "production_overdue"]
    assert [a["details"]["escalation"] for a in overdue] == [1, 2, 3, 4, 5, 6, 7]
    assert [a["at"][:10] for a in overdue][-1] == "2027-01-18"  # the due date + 63 days
    assert [a["details"]["customerTold"] for a in overdue] == [False, False, False, False, True, True, True]


def test_given_a_real_estimate_after_silence_then_the_normal_slip_rules_apply_again():
    result = simulate(
        [placed(), event("P25D", "Production Delayed", estimatedCompletion="2026-12-10", reason="fabric")],
        until="P30D",
    )

    # 24 Nov: silence told 8 Dec. 27 Nov: production says 10 Dec + 7 transit = 17 Dec, past 8 Dec: told again,
    # 20 days left -> 26.7 -> 4 weeks -> 25 Dec.
    assert [date for _, _, date in notices(result)] == ["2026-12-08", "2026-12-25"]


def test_given_a_carrier_estimate_past_the_promise_then_the_customer_is_told_with_the_shipping_notice():
    result = simulate(
        [
            placed(),
            event("P12D", "Production Completed"),
            event("P13D", "Order Shipped", carrier="DHL", trackingNumber="JD1", estimatedDelivery="2026-12-04"),
        ],
        until="P14D",
    )

    at_shipping = [(c["kind"], c.get("promisedDate")) for c in result.contacts if c["at"] == "2026-11-15T09:00:00Z"]
    # 15 Nov: carrier says 4 Dec, 19 days left -> 25.3 -> 4 weeks -> 13 Dec.
    assert sorted(at_shipping) == [("delay_notice", "2026-12-13"), ("shipped", "2026-12-13")]
    assert alerts(result, "promise_at_risk") == [("2026-11-15T09:00:00Z", "SO-1", True)]


def test_given_the_carrier_resending_the_shipment_with_a_later_estimate_then_the_customer_is_told_at_once_once():
    shipment = {"carrier": "DHL", "trackingNumber": "JD1"}
    result = simulate(
        [
            placed(customer=SMS),
            event("P13D", "Order Shipped", **shipment, estimatedDelivery="2026-11-20"),
            event("P13DT2H", "Order Shipped", **shipment, estimatedDelivery="2026-11-20"),  # the same: nothing
            event("P14D", "Order Shipped", **shipment, estimatedDelivery="2026-12-20"),
            event("P15D", "Order Shipped", **shipment, estimatedDelivery="2026-12-20"),  # the same again: nothing
        ],
        until="P16D",
    )

    # 16 Nov: the carrier now says 20 Dec, past 30 Nov; 34 days left -> 45.3 -> 7 weeks -> 4 Jan.
    assert notices(result) == [
        ("2026-11-16T09:00:00Z", "email", "2027-01-04"),
        ("2026-11-16T09:00:00Z", "sms", "2027-01-04"),
    ]
    assert [c["at"] for c in result.contacts if c["kind"] == "shipped"] == ["2026-11-15T09:00:00Z"] * 2
    assert alerts(result, "promise_at_risk") == [("2026-11-16T09:00:00Z", "SO-1", True)]


def test_given_production_finished_well_ahead_then_the_update_brings_the_good_news():
    result = simulate([placed(), event("P8D", "Production Completed")], until="P9D")

    [update] = [c for c in result.contacts if c["kind"] == "production_update"]
    assert update["at"] == "2026-11-10T09:00:00Z"
    assert update["subject"] == "Your order SO-1 is finished 6 days early"


def test_given_the_ses_sandbox_rate_then_a_batch_of_notices_goes_one_per_second_and_none_twice():
    orders = [placed(at=f"PT{n}M", orderId=f"SO-{n}") for n in range(4)]
    delay = {
        "at": "P6D",
        "detailType": "Production Delayed",
        "detail": {"sku": "SOFA-OSLO-3", "estimatedCompletion": "2026-11-28"},
    }
    result = simulate([*orders, delay], until="P7D", config={"sesSendRate": 1})

    sent = sorted(c["at"] for c in result.contacts if c["kind"] == "delay_notice")
    assert sent == [
        "2026-11-08T09:00:00Z",
        "2026-11-08T09:00:01Z",
        "2026-11-08T09:00:02Z",
        "2026-11-08T09:00:03Z",
    ]
    assert sorted(c["orderId"] for c in result.contacts if c["kind"] == "delay_notice") == [f"SO-{n}" for n in range(4)]
    [batch] = [a for a in result.alerts if a["kind"] == "batch_delay"]
    assert batch["details"]["customersTold"] == 4
