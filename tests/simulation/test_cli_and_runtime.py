"""The `outreach simulate` command as a user runs it, and the moto patches it relies on.

That every shipped example runs without handler errors and sends something is checked where each is simulated
anyway, with and without the fast paths (``test_fast_path_parity.py``)."""

from __future__ import annotations

import json

import pytest
from moto.awslambda.models import LambdaFunction
from moto.stepfunctions.parser.asl.eval.callback.callback import CallbackEndpoint
from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

from outreach.cli import main
from outreach.simulator import moto_runtime


def test_given_the_happy_path_example_when_run_with_json_then_stdout_is_exactly_the_contract(capsys):
    assert main(["simulate", "examples/happy_path.json", "--json"]) == 0

    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"scenario", "contacts", "alerts", "orders", "rejected", "stats"}
    assert out["scenario"] == "happy path"
    assert [c["kind"] for c in out["contacts"]] == [
        "order_confirmation",
        "production_update",
        "shipped",
        "satisfaction_check",
    ]
    first = out["contacts"][0]
    assert first == {
        "at": "2026-11-02T09:00:00Z",
        "orderId": "SO-1",
        "kind": "order_confirmation",
        "channel": "email",
        "to": "ada@example.com",
        "subject": "Thank you for your order SO-1",
        "promisedDate": "2026-11-30",
    }
    assert out["orders"][0]["status"] == "SUCCEEDED"
    assert set(out["stats"]) >= {"stateTransitions", "lambdaInvocations", "wallSeconds"}


def test_given_a_readable_run_then_it_prints_each_order_timeline(capsys):
    assert main(["simulate", "examples/cancellation.json"]) == 0

    text = capsys.readouterr().out
    assert "Order SO-2  [SUCCEEDED]  promised 2026-11-30" in text
    assert "cancellation_confirmation" in text


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        (
            {
                "name": "x",
                "start": "2026-11-02T09:00:00Z",
                "events": [{"at": "soon", "detailType": "Order Placed", "detail": {}}],
            },
            "events[0].at",
        ),
        ({"name": "x", "start": "yesterday"}, "start"),
        ({"name": "x", "start": "2026-11-02T09:00:00Z", "config": {"padding": {"factor": "0.5"}}}, "padding.factor"),
        (
            {"name": "x", "start": "2026-11-02T09:00:00Z", "config": {"padding": {"factor": "1e9"}}},
            "config.padding.factor: Value error, factor must be at most 3",
        ),
        ({"name": "x", "start": "2026-11-02T09:00:00Z", "config": {"sesSendRate": True}}, "config.sesSendRate"),
        ({"start": "2026-11-02T09:00:00Z"}, "name"),
    ],
)
def test_given_an_invalid_scenario_then_exit_2_names_the_field(tmp_path, capsys, scenario, message):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(scenario))

    assert main(["simulate", str(path), "--json"]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err


_ORDER = {
    "at": "PT0S",
    "detailType": "Order Placed",
    "detail": {
        "orderId": "SO-1",
        "placedAt": "2026-11-02T10:00:00+01:00",
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "items": [{"sku": "SOFA-OSLO-3", "description": "Oslo sofa", "quantity": 1}],
        "productionDays": 14,
        "shippingAddress": {"line1": "12 Harbour Street", "city": "Hamburg", "postalCode": "20457", "country": "DE"},
    },
}
_CATALOG = {
    "at": "PT0S",
    "detailType": "Catalog Requested",
    "detail": {"requestId": "CR-1", "customer": {"name": "Grace Hopper", "email": "grace@example.com"}},
}


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (  # no satisfaction check went out yet: no e-mail carries a rating link
            [_ORDER, {"at": "P1D", "click": {"orderId": "SO-1", "action": "rate", "rating": 4}}],
            "events[1].click (at 'P1D', 2026-11-03T09:00:00Z): no e-mail sent so far carries a 'rate' link with "
            "rating 4 for order 'SO-1'",
        ),
        (  # a catalog follow-up has no address to change; an order nobody placed has no e-mail at all
            [
                _CATALOG,
                {"at": "PT1H", "click": {"requestId": "CR-1", "action": "unsubscribe"}},
                {"at": "PT2H", "click": {"requestId": "CR-1", "action": "change_address"}},
                {"at": "PT3H", "click": {"orderId": "SO-404", "action": "callback"}},
            ],
            "events[2].click (at 'PT2H', 2026-11-02T11:00:00Z): no e-mail sent so far carries a 'change_address' "
            "link for catalog 'CR-1'",
        ),
    ],
)
@pytest.mark.parametrize("as_json", [True, False])
def test_given_a_click_on_a_link_no_email_carries_then_exit_2_names_the_click(
    tmp_path, capsys, events, message, as_json
):
    path = tmp_path / "click.json"
    path.write_text(json.dumps({"name": "x", "start": "2026-11-02T09:00:00Z", "until": "P2D", "events": events}))

    assert main(["simulate", str(path), *(["--json"] if as_json else [])]) == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == f"outreach simulate: invalid scenario: {message}\n"


def test_given_a_missing_file_then_exit_2_says_so(capsys):
    assert main(["simulate", "no/such/file.json"]) == 2
    assert "no such scenario file" in capsys.readouterr().err


def test_given_a_log_file_then_handler_logs_go_there_with_personal_data_masked(tmp_path, capsys):
    log = tmp_path / "sim.log"

    assert main(["simulate", "examples/sms_night_owl.json", "--log", str(log)]) == 0

    text = log.read_text()
    assert "contact sent" in text
    assert "kiri@example.com" not in text and "+64211234567" not in text
    assert "k***@example.com" in text


def test_given_a_run_then_moto_is_restored_exactly_afterwards():
    originals = (
        LambdaFunction._invoke_lambda,
        CallbackEndpoint.wait,
        CallbackEndpoint.notify,
        ExecutionWorker.start,
    )
    with moto_runtime.patched({}):
        assert CallbackEndpoint.wait is not originals[1]
        with pytest.raises(RuntimeError, match="one simulation at a time"), moto_runtime.patched({}):
            pass
    assert (
        LambdaFunction._invoke_lambda,
        CallbackEndpoint.wait,
        CallbackEndpoint.notify,
        ExecutionWorker.start,
    ) == originals


def test_given_another_moto_version_then_the_simulator_refuses_to_patch(monkeypatch):
    import moto

    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with (
        pytest.raises(RuntimeError, match=r"patches moto 5\.2\.5 internals, found moto 9\.9\.9"),
        moto_runtime.patched({}),
    ):
        pass


def test_given_a_notified_endpoint_then_wait_returns_at_once_without_parking():
    with moto_runtime.patched({}) as runtime:
        endpoint = CallbackEndpoint("token-1")
        endpoint.notify("outcome")
        assert endpoint.wait(timeout=0.01) == "outcome"
        assert runtime.quiescence.busy == 0


def test_given_a_scenario_with_events_that_are_not_objects_then_each_ends_in_rejected_and_the_run_succeeds(
    tmp_path, capsys
):
    scenario = {
        "name": "not objects",
        "start": "2026-11-02T09:00:00Z",
        "until": "P1D",
        "events": [
            None,
            42,
            ["Order Placed"],
            {"at": "PT1H", "detailType": "Order Placed", "detail": None},
            {"at": "PT2H", "detailType": "Order Placed", "detail": "SO-1"},
        ],
    }
    path = tmp_path / "not_objects.json"
    path.write_text(json.dumps(scenario))

    assert main(["simulate", str(path), "--json"]) == 0

    out = json.loads(capsys.readouterr().out)
    errors = [r["error"] for r in out["rejected"]]
    assert len(errors) == 5
    assert sum(e.startswith("(event): must be a JSON object") for e in errors) == 3
    assert "detail: must be a JSON object, got null" in errors
    assert "detail: must be a JSON object, got a string" in errors
    assert "errors" not in out


def test_given_two_handlers_overlapping_when_the_first_ends_then_no_variable_is_taken_away_until_both_end() -> None:
    """Intake is still running when the execution it started invokes the timeline in another thread: intake
    ending must not take a variable away while the timeline may be copying the environment at its cold start
    (a key listed, then deleted before it is read, failed the first step with States.Runtime about 1 run in 100
    under load). Everything is restored when the last handler ends."""
    import os

    from outreach.simulator import world

    assert "OUTREACH_TEST_SHARED" not in os.environ
    intake = world.process_environment({"OUTREACH_TEST_SHARED": "orders", "OUTREACH_TEST_INTAKE": "dlq"})
    timeline = world.process_environment({"OUTREACH_TEST_SHARED": "orders"})
    intake.__enter__()
    timeline.__enter__()
    intake.__exit__(None, None, None)

    assert os.environ.get("OUTREACH_TEST_SHARED") == "orders"
    assert os.environ.get("OUTREACH_TEST_INTAKE") == "dlq"  # not deleted under a running handler

    timeline.__exit__(None, None, None)
    assert "OUTREACH_TEST_SHARED" not in os.environ
    assert "OUTREACH_TEST_INTAKE" not in os.environ
