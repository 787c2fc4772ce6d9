"""Operator commands against a deployed stack, tested on moto with the real intake handler."""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from outreach_lambda import cold_start
from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.ports import LedgerStatus
from outreach_lambda.wiring import FunctionName

from outreach import cli, operate
from outreach.simulator import moto_runtime, ses_suppression, world
from tests.simulation.conftest import BASE_ORDER


@pytest.fixture
def deployed() -> Iterator[operate.Deployed]:
    with mock_aws(), world.process_environment(world.BASE_ENV):
        cold_start.reset()
        w = world.build("{}")
        with moto_runtime.patched(world.load_handlers(w)), ses_suppression.installed([]):
            yield w.deployed
        cold_start.reset()


def send(deployed: operate.Deployed, detail_type: str, detail: dict, event_id: str) -> dict:
    event = {
        "id": event_id,
        "detail-type": detail_type,
        "source": "com.example.shop",
        "time": datetime.now(UTC).isoformat(),
        "detail": detail,
    }
    response = boto3.client("lambda", region_name=world.REGION).invoke(
        FunctionName=deployed.intake_function, Payload=json.dumps(event).encode()
    )
    return json.loads(response["Payload"].read())


def placed(order_id: str) -> dict:
    return {**BASE_ORDER, "orderId": order_id, "placedAt": datetime.now(UTC).isoformat()}


def test_given_an_event_that_came_before_its_order_then_it_is_listed_and_replayed_once_the_order_exists(
    deployed: operate.Deployed,
) -> None:
    shipped = {"orderId": "SO-9", "carrier": "DHL", "trackingNumber": "JD9"}
    assert send(deployed, "Order Shipped", shipped, "ship-9")["outcome"] == "rejected"

    [letter] = operate.dead_letters(deployed)
    assert letter.summary()["code"] == "UNKNOWN_ORDER"
    assert letter.summary()["orderId"] == "SO-9"
    assert "unknown order 'SO-9'" in letter.summary()["reason"]

    send(deployed, "Order Placed", placed("SO-9"), "placed-9")
    [outcome] = operate.replay(deployed, operate.dead_letters(deployed, hold_seconds=operate.REPLAY_HOLD))

    assert outcome["outcome"] == "accepted"
    assert operate.dead_letters(deployed) == []
    # The same event again (a second replay, a redelivery) is recognised by its id and not applied twice.
    assert send(deployed, "Order Shipped", shipped, "ship-9")["outcome"] == "ignored"


def test_given_an_event_still_rejected_when_replayed_then_it_stays_dead_lettered_once_with_todays_reason(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Shipped", {"orderId": "SO-8", "carrier": "DHL", "trackingNumber": "JD8"}, "ship-8")

    [outcome] = operate.replay(deployed, operate.dead_letters(deployed, hold_seconds=operate.REPLAY_HOLD))

    assert outcome["outcome"] == "rejected"
    assert [d.summary()["eventId"] for d in operate.dead_letters(deployed)] == ["ship-8"]


def test_given_a_failed_order_timeline_then_resume_starts_a_new_execution_and_only_once(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Placed", placed("SO-1"), "placed-1")
    sfn = boto3.client("stepfunctions", region_name=world.REGION)

    with pytest.raises(operate.OperateError, match="is RUNNING, not failed"):
        operate.resume(deployed, "SO-1")
    [running] = sfn.list_executions(stateMachineArn=deployed.state_machine_arn)["executions"]
    sfn.stop_execution(executionArn=running["executionArn"], error="TimelineFailed")

    arn = operate.resume(deployed, "SO-1")

    execution = sfn.describe_execution(executionArn=arn)
    assert execution["name"] == "SO-1-resumed-1"
    assert json.loads(execution["input"]) == {"orderId": "SO-1"}
    with pytest.raises(operate.OperateError, match="SO-1-resumed-1 is RUNNING"):
        operate.resume(deployed, "SO-1")


def test_given_an_unknown_order_then_resume_says_so(deployed: operate.Deployed) -> None:
    with pytest.raises(operate.OperateError, match="'SO-404' is not known"):
        operate.resume(deployed, "SO-404")


def test_given_a_deployed_stack_then_the_commands_find_its_resources_in_its_outputs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stacks = {
        "Outreach": [{"OutputKey": key, "OutputValue": f"value-of-{key}"} for key in operate.OUTPUTS],
        "Old": [{"OutputKey": "StateMachineArn", "OutputValue": "arn"}],
    }

    class CloudFormation:  # describe_stacks as CloudFormation answers it (moto's needs extra packages)
        def describe_stacks(self, StackName: str) -> dict:
            return {"Stacks": [{"StackName": StackName, "Outputs": stacks[StackName]}]}

    monkeypatch.setattr(operate.boto3, "client", lambda service: CloudFormation())

    assert operate.Deployed.from_stack("Outreach").intake_function == "value-of-IntakeFunctionName"
    with pytest.raises(operate.OperateError, match="no output DeadLetterQueueUrl, OrdersTableName"):
        operate.Deployed.from_stack("Old")


# -- stuck claims, unconfirmed contacts, the opt-out list ------------------------------------------------
def claim_left_sending(deployed: operate.Deployed, order_id: str, key: str, ago: timedelta, **extra: str) -> None:
    """What a sender that died after claiming leaves behind: the claim, never finished."""
    kind, channel = key.split("#")[0], key.split("#")[-1]
    fields = {"orderId": order_id, "kind": kind, "channel": channel, "dueAt": datetime.now(UTC).isoformat(), **extra}
    ContactLedger(deployed.contacts_table).claim(f"ORDER#{order_id}", key, fields, frozenset(), datetime.now(UTC) - ago)


def record_order(order_id: str) -> None:
    """The execution's first step (here without Step Functions): the order's state, and its confirmation."""
    lam = boto3.client("lambda", region_name=world.REGION)
    response = lam.invoke(
        FunctionName=world.function_name(FunctionName.TIMELINE), Payload=json.dumps({"orderId": order_id})
    )
    assert "FunctionError" not in response, response["Payload"].read()


def reconcile() -> dict:
    lam = boto3.client("lambda", region_name=world.REGION)
    response = lam.invoke(FunctionName=world.function_name(FunctionName.RECONCILER), Payload=b"{}")
    return json.loads(response["Payload"].read())


def ops_alerts() -> list[dict]:
    sqs = boto3.client("sqs", region_name=world.REGION)
    url = sqs.get_queue_url(QueueName="outreach-ops-alerts-tap")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"]) for m in messages]


def test_given_a_claim_stuck_in_sending_then_it_is_listed_reconciled_and_resent_once_after_a_check(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Placed", placed("SO-1"), "placed-1")
    record_order("SO-1")
    claim_left_sending(deployed, "SO-1", "production_update#email", timedelta(minutes=20))
    claim_left_sending(deployed, "SO-1", "production_update#sms", timedelta(minutes=5))  # still in flight

    assert [i["sk"] for i in operate.stuck(deployed)] == ["production_update#email"]
    assert reconcile() == {"stuck": 1, "unconfirmed": ["ORDER#SO-1/production_update#email"]}
    [alert] = [a for a in ops_alerts() if a["kind"] == "contact_unconfirmed"]
    assert alert["details"]["action"]["ifNotSent"] == "outreach contacts resend SO-1 production_update#email"
    assert operate.stuck(deployed) == []
    assert [i["sk"] for i in operate.with_status(deployed, LedgerStatus.UNCONFIRMED)] == ["production_update#email"]

    outcome = operate.resend(deployed, "SO-1", "production_update#email")

    assert outcome["outcome"] == "sent"
    sent = ses_backends[DEFAULT_ACCOUNT_ID][world.REGION].sent_messages
    subjects = [str(email.message_from_string(m.raw_data, policy=email.policy.default)["Subject"]) for m in sent]
    assert len([s for s in subjects if "SO-1" in s]) == 2  # the confirmation, then the update, once
    with pytest.raises(operate.OperateError, match="no unconfirmed contact"):
        operate.resend(deployed, "SO-1", "production_update#email")


def test_given_an_unconfirmed_contact_the_logs_show_went_then_skip_sent_records_it_without_sending(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Placed", placed("SO-2"), "placed-2")
    claim_left_sending(deployed, "SO-2", "production_update#email", timedelta(hours=1))
    reconcile()

    assert operate.skip(deployed, "SO-2", "production_update#email", sent=True) == {
        "key": "production_update#email",
        "outcome": "sent",
    }
    assert operate.with_status(deployed, LedgerStatus.UNCONFIRMED) == []


def test_given_a_delay_notice_ops_confirmed_as_sent_then_the_next_notice_counts_its_date_as_told(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Placed", placed("SO-3"), "placed-3")
    claim_left_sending(deployed, "SO-3", "delay_notice#1#email", timedelta(hours=1), promisedDate="2026-12-17")
    reconcile()

    operate.skip(deployed, "SO-3", "delay_notice#1#email", sent=True)

    told = ContactLedger(deployed.contacts_table).sent_promises("ORDER#SO-3")
    assert [promised.isoformat() for _, promised in told] == ["2026-12-17"]


def test_given_the_opt_out_list_then_addresses_are_added_listed_and_removed_by_their_normal_form(
    deployed: operate.Deployed, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(operate.Deployed, "from_stack", classmethod(lambda cls, name: deployed))

    assert cli.main(["opt-out", "add", "Ada@Example.com", "--reason", "unsubscribed"]) == 0
    assert cli.main(["opt-out", "add", "ada@example.com"]) == 0
    assert cli.main(["opt-out", "list"]) == 0
    assert cli.main(["opt-out", "add", "not an address"]) == 2
    out = capsys.readouterr()
    assert out.out.splitlines()[:2] == ["added", "was on the list already"]
    assert out.out.splitlines()[2].startswith("ada@example.com  ")
    assert "address: neither an e-mail address nor an E.164 phone number" in out.err
    assert operate.opt_outs(deployed).contains("ADA@example.com")

    assert cli.main(["opt-out", "remove", "ada@example.com"]) == 0
    assert not operate.opt_outs(deployed).contains("ada@example.com")


# --- send-event and status --------------------------------------------------------------------------------

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "events"


def invoke_timeline(deployed: operate.Deployed, payload: dict) -> dict:
    """One step of the order's timeline function, as its execution's task would invoke it."""
    response = boto3.client("lambda", region_name=world.REGION).invoke(
        FunctionName=world.function_name(FunctionName.TIMELINE), Payload=json.dumps(payload).encode()
    )
    return json.loads(response["Payload"].read())


def test_given_an_order_placed_when_ops_ask_its_status_then_they_see_stage_promise_contacts_timer_and_link(
    deployed: operate.Deployed,
) -> None:
    send(deployed, "Order Placed", placed("SO-7"), "placed-7")
    # Its execution's first two steps: record the order (the confirmation goes out), then park on the first wait.
    recorded = invoke_timeline(deployed, {"orderId": "SO-7"})
    invoke_timeline(
        deployed, {"orderId": "SO-7", "phase": recorded["phase"], "wakeAt": recorded["wakeAt"], "taskToken": "t-1"}
    )

    found = operate.status(deployed, "SO-7")

    assert found["stage"] == "in_production"
    assert found["runStatus"] == "running"
    [quote] = found["quotes"]
    assert quote["promisedDate"] == found["promisedDate"] and quote["reason"] == "order placed"
    assert [(c["kind"], c["channel"], c["status"]) for c in found["contacts"]] == [
        ("order_confirmation", "email", "SENT")
    ]
    assert found["timer"] is not None and found["timer"]["dueAt"] > datetime.now(UTC).isoformat()
    execution = found["execution"]
    assert execution["name"] == "SO-7" and execution["status"] == "RUNNING"
    assert execution["console"].startswith(f"https://{world.REGION}.console.aws.amazon.com/states/home")
    assert execution["console"].endswith(f"#/v2/executions/details/{execution['arn']}")


def test_given_an_unknown_order_then_status_says_so(deployed: operate.Deployed) -> None:
    with pytest.raises(operate.OperateError, match="'SO-404' is not known"):
        operate.status(deployed, "SO-404")


def test_given_an_event_file_when_sent_then_it_is_on_the_bus_with_its_executions_console_link(
    deployed: operate.Deployed,
) -> None:
    event = operate.read_event(EXAMPLES / "order-shipped.json")

    sent = operate.send_event(deployed, event)

    assert sent["eventId"]
    assert sent["orderId"] == "SO-1001"
    assert sent["execution"] == deployed.execution_arn("SO-1001")
    assert sent["console"].endswith(sent["execution"])


def test_given_an_invalid_event_file_when_sent_then_nothing_is_sent_and_the_error_names_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = json.loads((EXAMPLES / "order-placed.json").read_text())
    bad["detail"]["productionDays"] = 0
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))

    assert cli.main(["send-event", str(path), "--dry-run"]) == 1
    assert "detail.productionDays" in capsys.readouterr().err
    assert cli.main(["send-event", str(EXAMPLES / "order-placed.json"), "--dry-run"]) == 0
    assert "a valid 'Order Placed' event (dry run: nothing sent)" in capsys.readouterr().out


def test_given_a_timer_event_file_when_sent_then_it_is_refused_as_internal(tmp_path: Path) -> None:
    path = tmp_path / "timer.json"
    path.write_text(json.dumps({"source": "outreach.timer", "detail-type": "Timer Due", "detail": {}}))

    with pytest.raises(operate.OperateError, match="detail-type: 'Timer Due' is internal"):
        operate.read_event(path)


def test_given_no_stack_option_then_the_commands_use_the_stage_stack(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STAGE", raising=False)
    assert operate.default_stack() == "Outreach-dev"
    monkeypatch.setenv("STAGE", "prod")
    assert operate.default_stack() == "Outreach-prod"


def test_given_an_example_when_sent_now_then_its_dates_move_with_it_and_it_is_still_valid() -> None:
    now = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)

    event = operate.read_event(EXAMPLES / "order-placed.json", now, redate=True)
    shipped = operate.read_event(EXAMPLES / "order-shipped.json", now, redate=True)

    assert event.time == now
    assert event.detail["placedAt"] == "2027-03-01T13:00:00+01:00"  # an hour after `time`, as in the file
    assert shipped.detail["estimatedDelivery"] == "2027-03-05"  # four days after `time`, as in the file


def test_given_a_catalog_request_the_sender_failed_on_after_lambdas_retries_then_replay_sends_the_follow_up_once() -> (
    None
):
    crashing = {"sender": True}
    with mock_aws(), world.process_environment(world.BASE_ENV):
        cold_start.reset()
        w = world.build("{}")
        handlers = world.load_handlers(w, lambda name: "boom" if crashing.get(name) else None)
        with moto_runtime.patched(handlers), ses_suppression.installed([]):
            deployed = w.deployed
            customer = {"name": "Grace Hopper", "email": "grace@example.com", "timezone": "America/New_York"}
            assert (
                send(deployed, "Catalog Requested", {"requestId": "CR-1", "customer": customer}, "cat-1")["outcome"]
                == "accepted"
            )
            # Lambda's last retry failed too: it puts the request in the dead-letter queue, as it was.
            boto3.client("sqs", region_name=world.REGION).send_message(
                QueueUrl=deployed.dead_letter_queue_url,
                MessageBody=json.dumps({"requestId": "CR-1"}),
                MessageAttributes={
                    "RequestID": {"DataType": "String", "StringValue": "r-1"},
                    "ErrorCode": {"DataType": "Number", "StringValue": "200"},
                    "ErrorMessage": {"DataType": "String", "StringValue": "InjectedCrash: boom"},
                },
            )
            [letter] = operate.dead_letters(deployed)
            assert (letter.summary()["code"], letter.summary()["orderId"]) == ("FUNCTION_FAILED", "CR-1")
            assert letter.summary()["reason"] == "InjectedCrash: boom"
            crashing["sender"] = False  # the cause is fixed

            [outcome] = operate.replay(deployed, operate.dead_letters(deployed, hold_seconds=operate.REPLAY_HOLD))
            [again] = operate.replay(deployed, [letter])  # a second replay of the same letter sends nothing more

            assert outcome["outcome"] == "sent"
            assert again["outcome"] == "duplicate"
            assert operate.dead_letters(deployed) == []
            sent_mail = ses_backends[DEFAULT_ACCOUNT_ID][world.REGION].sent_messages
            recipients = [
                str(email.message_from_string(m.raw_data, policy=email.policy.default)["To"]) for m in sent_mail
            ]
            assert [r for r in recipients if "grace@example.com" in r] == [recipients[0]]  # one e-mail, to her
            assert len(recipients) == 1
        cold_start.reset()
