"""What ops get from a deployed stage: alarms, dashboard, event contract, archive, subscribers, least privilege,
and a deployment config that refuses placeholders in prod. Shares the session's dev and prod synths."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.wiring import FUNCTIONS, Permission

from infra import deploy_config
from infra.deploy_config import DeployConfigError
from infra.event_schemas import PUBLISHED, event_schema, to_draft4
from tests.infra.synth import CI_PROD_CONFIG, Synth, flatten

pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = REPO_ROOT / "docs" / "runbook.md"
ALARMS = {
    "DeadLetters",
    "TimelinesFailed",
    "TimelinesTimedOut",
    "TimelinesAborted",
    "IntakeErrors",
    "IntakeThrottles",
    "TimelineErrors",
    "TimelineThrottles",
    "SenderErrors",
    "SenderThrottles",
    "ReconcilerErrors",
    "ReconcilerThrottles",
    "ActionsErrors",
    "ActionsThrottles",
    "ContactsFailed",
    "ContactsParked",
    "ContactsUnconfirmed",
    "ContactsStuck",
    "TimersOverdue",
    "SlipRateHigh",
    "SesBounceRate",
    "SesComplaintRate",
}
WIDGETS = {
    "Outreach alarms",
    "Orders started and finished",
    "Timelines failed, timed out, aborted",
    "E-mails sent per contact kind",
    "SMS sent per contact kind",
    "Delay notices and broken promises",
    "Slip rate (7 days) against the 5% line",
    "Events rejected and dead letters",
    "Contacts failed, parked, unconfirmed, stuck, retried",
    "Lambda errors and throttles",
    "Timers overdue",
    "SES events (customer mail)",
    "SES bounce and complaint rates",
}


def runbook_anchors() -> set[str]:
    """GitHub's anchors of the runbook's headings: lower case, punctuation dropped, spaces to hyphens."""
    headings = re.findall(r"^#+ (.+)$", RUNBOOK.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


def alarms(synth: Synth) -> dict[str, dict[str, Any]]:
    found = synth.template.find_resources("AWS::CloudWatch::Alarm")
    return {a["Properties"]["AlarmName"]: a["Properties"] for a in found.values()}


def topic_ref(synth: Synth) -> dict[str, str]:
    [topic_id] = synth.template.find_resources("AWS::SNS::Topic")
    return {"Ref": topic_id}


# --- alarms -------------------------------------------------------------------------------------------------


def test_given_a_stage_then_every_alarm_has_a_stable_stage_prefixed_name(synth: Synth, prod: Synth) -> None:
    assert set(alarms(synth)) == {f"Outreach-dev-{name}" for name in ALARMS}
    assert set(alarms(prod)) == {f"Outreach-prod-{name}" for name in ALARMS}


def test_given_an_alarm_when_it_fires_or_clears_then_the_ops_topic_hears_both(synth: Synth) -> None:
    for name, alarm in alarms(synth).items():
        assert alarm["AlarmActions"] == [topic_ref(synth)], name
        assert alarm["OKActions"] == [topic_ref(synth)], name


def test_given_every_alarm_then_its_description_says_what_to_do_and_names_an_existing_runbook_section(
    synth: Synth,
) -> None:
    anchors = runbook_anchors()
    for name, alarm in alarms(synth).items():
        description = alarm["AlarmDescription"]
        assert " Do: " in description, name
        [anchor] = re.findall(r"Runbook: docs/runbook\.md#([\w-]+)", description)
        assert anchor in anchors, (name, anchor)


def test_given_ses_reputation_then_bounce_and_complaint_rates_alarm_at_the_review_lines(synth: Synth) -> None:
    found = alarms(synth)
    bounce, complaint = found["Outreach-dev-SesBounceRate"], found["Outreach-dev-SesComplaintRate"]
    assert (bounce["Namespace"], bounce["MetricName"], bounce["Threshold"]) == (
        "AWS/SES",
        "Reputation.BounceRate",
        0.05,
    )
    assert (complaint["MetricName"], complaint["Threshold"]) == ("Reputation.ComplaintRate", 0.001)


def test_given_the_custom_alarms_then_they_watch_metrics_the_code_publishes() -> None:
    published = set()
    for path in (REPO_ROOT / "functions" / "outreach_lambda").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        published |= set(re.findall(r'add_metric\(\s*name="(\w+)"', text))
        published |= set(re.findall(r'count_by\("(\w+)"', text))
        published |= {f"Contacts{o}" for o in re.findall(r'"Contacts(Failed|Unconfirmed)"', text)}
    monitoring = (REPO_ROOT / "infra" / "constructs" / "monitoring.py").read_text(encoding="utf-8")
    graphed = set(re.findall(r'outreach_metric\(\s*"(\w+)"', monitoring))
    graphed |= set(re.findall(r'"(Contacts\w+)"', monitoring))
    assert graphed <= published, sorted(graphed - published)


# --- dashboard ----------------------------------------------------------------------------------------------


def test_given_the_dashboard_then_it_shows_every_widget_ops_need(synth: Synth) -> None:
    [dashboard] = synth.template.find_resources("AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "Outreach-dev-outreach"
    body = flatten(dashboard["Properties"]["DashboardBody"])
    titles = set(re.findall(r'"title":"([^"]+)"', body))

    assert titles == WIDGETS
    for kind in ("order_confirmation", "delay_notice", "satisfaction_check"):
        assert f'"kind","{kind}"' in body
    assert '"annotations":{"horizontal":[{"value":5' in body  # the 5% line


# --- event contract, archive, rules ---------------------------------------------------------------------------


def test_given_the_event_contract_then_each_published_type_is_in_the_schema_registry_as_draft_4(synth: Synth) -> None:
    [(registry_id, registry)] = synth.template.find_resources("AWS::EventSchemas::Registry").items()
    assert registry["Properties"]["RegistryName"] == "Outreach-dev-order-events"
    schemas = synth.template.find_resources("AWS::EventSchemas::Schema").values()

    by_name = {s["Properties"]["SchemaName"]: s["Properties"] for s in schemas}
    assert set(by_name) == {f"outreach@{t.title().replace(' ', '')}" for t in PUBLISHED}
    for detail_type in PUBLISHED:
        props = by_name[f"outreach@{detail_type.title().replace(' ', '')}"]
        assert props["Type"] == "JSONSchemaDraft4"
        assert props["RegistryName"] == {"Fn::GetAtt": [registry_id, "RegistryName"]}
        assert json.loads(props["Content"]) == to_draft4(event_schema(detail_type))


def test_given_the_bus_then_order_events_are_archived_for_replays_but_not_timers(synth: Synth, prod: Synth) -> None:
    for stage, days in ((synth, 7), (prod, 90)):
        [archive] = stage.template.find_resources("AWS::Events::Archive").values()
        props = archive["Properties"]
        assert props["SourceArn"] == {"Fn::GetAtt": [stage.only("AWS::Events::EventBus")[0], "Arn"]}
        assert props["EventPattern"] == {"source": [{"anything-but": ["outreach.timer"]}]}
        assert props["RetentionDays"] == days


def test_given_the_rules_then_each_serves_only_its_types_and_the_rest_still_reaches_intake_to_be_rejected(
    synth: Synth,
) -> None:
    rules = {
        r["Properties"]["Description"].split(" ")[0]: r["Properties"]
        for r in synth.template.find_resources("AWS::Events::Rule").values()
        if "EventPattern" in r["Properties"]  # not the reconciler's schedule
    }
    orders, timers, unserved = rules["Order"], rules["One-time"], rules["Events"]
    from outreach_lambda.domain.events import INTERNAL_DETAIL_TYPES

    external = sorted(set(PUBLISHED))
    internal = sorted(INTERNAL_DETAIL_TYPES)  # Timer Due, the reply-SLA and design-advice timers, Sku Delay Continued
    assert orders["EventPattern"] == {
        "detail-type": external,
        "source": [{"anything-but": ["outreach.timer"]}],
    }
    assert timers["EventPattern"] == {"detail-type": internal, "source": ["outreach.timer"]}
    assert unserved["EventPattern"] == {
        "$or": [
            {"detail-type": [{"anything-but": sorted([*external, *internal])}]},
            {"detail-type": internal, "source": [{"anything-but": ["outreach.timer"]}]},
            {"detail-type": external, "source": ["outreach.timer"]},
        ]
    }
    targets = {json.dumps(r["Targets"][0]["Arn"]) for r in rules.values()}
    assert targets == {json.dumps({"Fn::GetAtt": [synth.function_id("intake"), "Arn"]})}


# --- messaging: subscribers and the SES configuration set ------------------------------------------------------


def test_given_ops_subscribers_in_the_config_then_they_are_subscribed_to_the_ops_topic(prod: Synth) -> None:
    subscriptions = prod.template.find_resources("AWS::SNS::Subscription").values()
    found = {(s["Properties"]["Protocol"], s["Properties"]["Endpoint"]) for s in subscriptions}
    assert found == {("email", "ops@ci.sofa-workshop.eu"), ("sms", "+4915112345678")}
    assert all(s["Properties"]["TopicArn"] == topic_ref(prod) for s in subscriptions)


def test_given_customer_mail_then_it_goes_with_a_configuration_set_publishing_bounces_and_complaints(
    synth: Synth,
) -> None:
    [(set_id, configuration_set)] = synth.template.find_resources("AWS::SES::ConfigurationSet").items()
    [destination] = synth.template.find_resources("AWS::SES::ConfigurationSetEventDestination").values()
    events = destination["Properties"]["EventDestination"]["MatchingEventTypes"]
    assert {"bounce", "complaint", "reject", "delivery"} <= set(events)
    assert destination["Properties"]["EventDestination"]["CloudWatchDestination"]
    for module in ("timeline", "sender"):
        env = synth.resources[synth.function_id(module)]["Properties"]["Environment"]["Variables"]
        assert env["SES_CONFIGURATION_SET"] in ({"Ref": set_id}, configuration_set["Properties"]["Name"])
        assert env["REPLY_TO_EMAIL"] == "help@example.com"


# --- least privilege ------------------------------------------------------------------------------------------


def test_given_the_deployed_roles_then_none_may_scan_or_batch_write(synth: Synth) -> None:
    for module in ("intake", "timeline", "sender"):
        actions = {a for s in synth.statements_of(module) for a in _actions(s)}
        assert not {a for a in actions if a in ("dynamodb:Scan", "dynamodb:BatchWriteItem")}, module
        assert not [a for a in actions if a.startswith("dynamodb:") and "*" in a], module


def test_given_sms_senders_then_sns_publish_on_star_comes_with_a_deny_on_every_topic_but_the_ops_topic(
    synth: Synth,
) -> None:
    for name, spec in FUNCTIONS.items():
        statements = synth.statements_of(name.value)
        star = [s for s in statements if "sns:Publish" in _actions(s) and s["Resource"] == "*"]
        deny = [s for s in statements if s.get("Effect") == "Deny"]
        if Permission.SEND_SMS in spec.permissions:
            assert star and star[0]["Effect"] == "Allow", name
            [statement] = deny
            assert _actions(statement) == ["sns:Publish"]
            assert flatten(statement["Resource"]) == "arn:<ref>:sns:*:*:*"
            assert statement["Condition"] == {"StringNotEquals": {"aws:ResourceTag/outreach:topic": "ops"}}
        else:
            assert not star and not deny, name
    [topic] = synth.template.find_resources("AWS::SNS::Topic").values()
    assert {"Key": "outreach:topic", "Value": "ops"} in topic["Properties"]["Tags"]


def test_given_the_powertools_layer_then_it_is_pinned_to_one_version_not_latest(synth: Synth) -> None:
    template = json.dumps(synth.template.to_json())
    assert "/aws/service/powertools" not in template
    for module in ("intake", "timeline", "sender"):
        layers = [flatten(layer) for layer in synth.resources[synth.function_id(module)]["Properties"]["Layers"]]
        pinned = f":layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:{deploy_config.POWERTOOLS_LAYER_VERSION}"
        assert [layer for layer in layers if layer.endswith(pinned) and ":017000801446:" in layer], layers


def test_given_a_stage_then_its_log_groups_keep_logs_as_its_config_says(synth: Synth, prod: Synth) -> None:
    for stage, days, policy in ((synth, 7, "Delete"), (prod, 365, "Retain")):
        groups = stage.template.find_resources("AWS::Logs::LogGroup").values()
        assert groups
        assert {g["Properties"]["RetentionInDays"] for g in groups} == {days}
        assert {g["DeletionPolicy"] for g in groups} == {policy}


# --- the deployment config ------------------------------------------------------------------------------------


def test_given_the_prod_template_when_not_filled_in_then_it_refuses_naming_every_placeholder() -> None:
    with pytest.raises(DeployConfigError) as refused:
        deploy_config.load(deploy_config.config_path("prod"), "prod")

    message = str(refused.value)
    for field in ("senderEmail", "replyTo", "opsSubscribers.email.0", "shop.shopName", "shop.supportPhone"):
        assert f"{field}: " in message, field


def test_given_prod_without_ops_subscribers_then_it_refuses_since_every_alarm_would_go_unheard(
    tmp_path: Path,
) -> None:
    raw = json.loads(CI_PROD_CONFIG.read_text())
    path = tmp_path / "prod.json"
    path.write_text(json.dumps({**raw, "opsSubscribers": {"email": [], "sms": []}}))

    with pytest.raises(DeployConfigError, match="opsSubscribers: nobody is subscribed"):
        deploy_config.load(path, "prod")


def test_given_a_bad_subscriber_or_a_file_of_another_stage_then_the_error_names_it(tmp_path: Path) -> None:
    raw = json.loads(CI_PROD_CONFIG.read_text())
    path = tmp_path / "prod.json"
    path.write_text(json.dumps({**raw, "opsSubscribers": {"sms": ["0151 1234"]}}))
    with pytest.raises(DeployConfigError, match=r"opsSubscribers\.sms\.0: .*E\.164"):
        deploy_config.load(path)
    with pytest.raises(DeployConfigError, match="stage: the file is for 'prod', not 'dev'"):
        deploy_config.load(CI_PROD_CONFIG, "dev")


def _actions(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)
