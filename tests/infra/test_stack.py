"""The synthesized Outreach stack: wiring, least privilege, logging, and cdk-nag. One synth per module."""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from outreach_lambda.settings import SETTINGS
from outreach_lambda.wiring import FUNCTIONS, Access, Env, FunctionName

from infra import deploy_config
from infra.deploy_config import DeployConfigError
from tests.infra.synth import Synth, flatten

REPO_ROOT = Path(__file__).resolve().parents[2]
ASL_FILE = REPO_ROOT / "statemachines" / "order_timeline.asl.json"
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")

pytestmark = pytest.mark.slow


def actions_of(statement: dict[str, Any]) -> list[str]:
    action = statement["Action"]
    return [action] if isinstance(action, str) else list(action)


def resources_of(statement: dict[str, Any]) -> list[Any]:
    resource = statement["Resource"]
    return resource if isinstance(resource, list) else [resource]


def state_names(states: dict[str, Any]) -> Iterator[str]:
    for name, state in states.items():
        yield name
        nested = state.get("ItemProcessor") or state.get("Iterator")
        if nested:
            yield from state_names(nested["States"])
        for branch in state.get("Branches", []):
            yield from state_names(branch["States"])


# --- state machine --------------------------------------------------------------------------------------


def test_given_the_asl_file_when_synthesized_then_the_state_machine_runs_exactly_its_states(synth: Synth) -> None:
    _, state_machine = synth.only("AWS::StepFunctions::StateMachine")
    key = state_machine["Properties"]["DefinitionS3Location"]["Key"]
    deployed = json.loads((synth.outdir / f"asset.{key}").read_text())
    expected = json.loads(ASL_FILE.read_text())

    assert sorted(state_names(deployed["States"])) == sorted(state_names(expected["States"]))
    assert deployed["StartAt"] == expected["StartAt"]


def test_given_the_definition_when_deployed_then_every_placeholder_is_substituted_by_its_function(
    synth: Synth,
) -> None:
    _, state_machine = synth.only("AWS::StepFunctions::StateMachine")
    props = state_machine["Properties"]
    placeholders = set(PLACEHOLDER.findall(ASL_FILE.read_text()))

    assert placeholders == set(props["DefinitionSubstitutions"]), "no ${...} is left unsubstituted"
    timeline = {"Fn::GetAtt": [synth.function_id("timeline"), "Arn"]}
    [topic_id] = synth.template.find_resources("AWS::SNS::Topic")
    [orders] = [t for t in synth.template.find_resources("AWS::DynamoDB::Table") if t.startswith("StorageOrders")]
    assert props["DefinitionSubstitutions"] == {
        "TimelineFunctionArn": timeline,
        "OpsTopicArn": {"Ref": topic_id},
        "OrdersTableName": {"Ref": orders},
    }


def test_given_the_state_machine_then_the_only_table_access_it_has_is_updating_orders_to_park(synth: Synth) -> None:
    _, state_machine = synth.only("AWS::StepFunctions::StateMachine")
    role_id = state_machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    statements = [
        statement
        for policy in synth.template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    on_tables = [s for s in statements if any(a.startswith("dynamodb:") for a in actions_of(s))]
    [orders] = [t for t in synth.template.find_resources("AWS::DynamoDB::Table") if t.startswith("StorageOrders")]

    assert [actions_of(s) for s in on_tables] == [["dynamodb:UpdateItem"]]
    assert [json.dumps(r) for r in resources_of(on_tables[0])] == [json.dumps({"Fn::GetAtt": [orders, "Arn"]})]


def test_given_an_order_timeline_when_logging_then_every_transition_without_execution_data_and_traced(
    synth: Synth,
) -> None:
    synth.template.has_resource_properties(
        "AWS::StepFunctions::StateMachine",
        {
            "StateMachineType": "STANDARD",
            "StateMachineName": "Outreach-dev-order-timeline",
            "TracingConfiguration": {"Enabled": True},
            "LoggingConfiguration": {"Level": "ALL", "IncludeExecutionData": False},
        },
    )


# --- events ---------------------------------------------------------------------------------------------


def test_given_any_event_on_the_bus_when_routed_then_intake_gets_it_with_retries_and_a_dead_letter_queue(
    synth: Synth,
) -> None:
    dlq_id, dlq = synth.only("AWS::SQS::Queue")
    intake_id = synth.function_id("intake")

    rules = synth.template.find_resources("AWS::Events::Rule")
    on_the_bus = {k: r["Properties"] for k, r in rules.items() if "EventPattern" in r["Properties"]}
    assert len(on_the_bus) == 3, "order events, timer wake-ups, and everything else (to be rejected with a reason)"
    scheduled = [r["Properties"] for r in rules.values() if "EventPattern" not in r["Properties"]]
    assert [r["ScheduleExpression"] for r in scheduled] == ["rate(15 minutes)"], "only the reconciler's schedule"
    bus = {"Ref": synth.only("AWS::Events::EventBus")[0]}
    for name, rule in on_the_bus.items():
        assert rule["EventBusName"] == bus, name
        [target] = rule["Targets"]
        assert target["Arn"] == {"Fn::GetAtt": [intake_id, "Arn"]}, name
        assert target["DeadLetterConfig"] == {"Arn": {"Fn::GetAtt": [dlq_id, "Arn"]}}, name
        assert {"MaximumRetryAttempts", "MaximumEventAgeInSeconds"} <= set(target["RetryPolicy"]), name
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    intake = synth.resources[intake_id]["Properties"]
    assert intake["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}}
    assert intake["Environment"]["Variables"]["DEAD_LETTER_QUEUE_URL"] == {"Ref": dlq_id}


def test_given_functions_invoked_asynchronously_then_what_fails_after_lambdas_retries_is_dead_lettered(
    synth: Synth,
) -> None:
    dlq_id, _ = synth.only("AWS::SQS::Queue")
    retries = {
        c["Properties"]["FunctionName"]["Ref"]: c["Properties"]["MaximumRetryAttempts"]
        for c in synth.template.find_resources("AWS::Lambda::EventInvokeConfig").values()
    }
    # intake (events from the bus) and the sender (a catalog follow-up, a message acknowledgement, a late feedback
    # acknowledgement: nothing else keeps them). The timeline's hand-over needs none: the order records the event,
    # and the wait's own timeout advances it.
    for name in ("intake", "sender"):
        function_id = synth.function_id(name)
        function = synth.resources[function_id]["Properties"]
        assert function["DeadLetterConfig"] == {"TargetArn": {"Fn::GetAtt": [dlq_id, "Arn"]}}, name
        assert retries[function_id] == 2, name
        sends = [s for s in synth.statements_of(name) if "sqs:SendMessage" in actions_of(s)]
        assert any(s["Resource"] == {"Fn::GetAtt": [dlq_id, "Arn"]} for s in sends), name
    assert "DeadLetterConfig" not in synth.resources[synth.function_id("timeline")]["Properties"]


# --- least privilege ------------------------------------------------------------------------------------


def test_given_the_sender_when_its_policy_is_read_then_it_cannot_drive_the_state_machine(synth: Synth) -> None:
    actions = [a for s in synth.statements_of("sender") for a in actions_of(s)]

    assert not [a for a in actions if a.startswith("states:")]
    assert "ses:SendEmail" in actions


def test_given_intake_when_its_policy_is_read_then_it_cannot_send_email(synth: Synth) -> None:
    actions = [a for s in synth.statements_of("intake") for a in actions_of(s)]

    assert not [a for a in actions if a.startswith("ses:")]
    assert "states:StartExecution" in actions
    # intake hands a claimed token to the timeline function; it never completes one itself
    assert not [a for a in actions if a.startswith("states:SendTask")]
    assert "lambda:InvokeFunction" in actions


def test_given_the_timeline_when_it_arms_timers_then_it_only_touches_schedules_of_its_group(synth: Synth) -> None:
    group_id, group = synth.only("AWS::Scheduler::ScheduleGroup")
    group_name = group["Properties"]["Name"]
    timer_role_id = synth.resources[synth.function_id("timeline")]["Properties"]["Environment"]["Variables"][
        "TIMER_ROLE_ARN"
    ]["Fn::GetAtt"][0]

    scheduler_statements = [
        s for s in synth.statements_of("timeline") if any(a.startswith("scheduler:") for a in actions_of(s))
    ]
    assert scheduler_statements
    for statement in scheduler_statements:
        for resource in resources_of(statement):
            assert re.fullmatch(rf"arn:.*:scheduler:.*:schedule/{group_name}/\*", flatten(resource)), resource
    pass_role = [s for s in synth.statements_of("timeline") if "iam:PassRole" in actions_of(s)]
    assert [resources_of(s) for s in pass_role] == [[{"Fn::GetAtt": [timer_role_id, "Arn"]}]]
    timeline_env = synth.resources[synth.function_id("timeline")]["Properties"]["Environment"]["Variables"]
    assert timeline_env["SCHEDULE_GROUP"] in (group_name, {"Ref": group_id})


def test_given_every_function_when_its_policy_is_read_then_no_action_is_a_service_wildcard(synth: Synth) -> None:
    for module in ("intake", "timeline", "sender", "reconciler"):
        for statement in synth.statements_of(module):
            assert not [a for a in actions_of(statement) if a.endswith(":*") or a == "*"], module


def test_given_customers_in_any_zone_when_functions_run_then_each_has_the_time_zone_database(synth: Synth) -> None:
    [layer_id] = synth.template.find_resources("AWS::Lambda::LayerVersion")
    for module in ("intake", "timeline", "sender"):
        layers = synth.resources[synth.function_id(module)]["Properties"]["Layers"]
        assert {"Ref": layer_id} in layers, module


def test_given_email_addresses_to_validate_when_functions_run_then_the_layer_carries_email_validator(
    synth: Synth,
) -> None:
    [layer] = synth.template.find_resources("AWS::Lambda::LayerVersion").values()
    key = layer["Properties"]["Content"]["S3Key"]
    staged = synth.outdir / f"asset.{key.removesuffix('.zip')}" / "python"
    for package in ("email_validator", "dns", "idna", "tzdata"):
        assert (staged / package / "__init__.py").is_file(), package
    assert not list(staged.rglob("__pycache__")), "no bytecode of the synthesizing interpreter"


LAYER_PROBE = """
import sys
from datetime import date
import jinja2, markupsafe
from babel import Locale, UnknownLocaleError
from babel.dates import format_date
assert "markupsafe._speedups" not in sys.modules and markupsafe._escape_inner.__module__ == "markupsafe._native"
page = jinja2.Environment(autoescape=True).from_string("<p>{{ name }}</p>").render(name="<script>")
assert page == "<p>&lt;script&gt;</p>", page
day = date(2026, 11, 30)
print(format_date(day, "full", locale="de_DE"), "|", format_date(day, "full", locale="en_GB"))
try:
    Locale.parse("fr_FR")
except UnknownLocaleError:
    print("no French data")
"""


def test_given_messages_to_render_when_functions_run_then_the_layer_carries_pure_python_templates_and_dates(
    synth: Synth,
) -> None:
    """jinja2, MarkupSafe without its C speedup (its pure-Python code runs) and Babel with the locale data of
    the languages there is copy for, importable from the layer alone."""
    import subprocess
    import sys

    [layer] = synth.template.find_resources("AWS::Lambda::LayerVersion").values()
    staged = synth.outdir / f"asset.{layer['Properties']['Content']['S3Key'].removesuffix('.zip')}" / "python"
    assert not list(staged.rglob("*.so")), "nothing compiled in the layer"
    probe = f"import sys; sys.path[:0] = [{str(staged)!r}]\n" + LAYER_PROBE
    out = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["Montag, 30. November 2026 | Monday, 30 November 2026", "no French data"]


def test_given_slipped_orders_when_over_5_percent_of_7_days_then_ops_are_alarmed(synth: Synth) -> None:
    alarms = synth.template.find_resources("AWS::CloudWatch::Alarm")
    [slip] = [
        a["Properties"] for a in alarms.values() if "slip_rate_high" in a["Properties"].get("AlarmDescription", "")
    ]
    assert slip["Threshold"] == 5
    assert slip["ComparisonOperator"] == "GreaterThanThreshold"
    queries = {q["Id"]: q for q in slip["Metrics"]}
    assert "100 * slipped / placed" in next(q["Expression"] for q in queries.values() if "Expression" in q)
    for name, metric in (("slipped", "OrdersSlipped"), ("placed", "OrdersPlaced")):
        stat = queries[name]["MetricStat"]
        assert stat["Metric"]["MetricName"] == metric and stat["Metric"]["Namespace"] == "Outreach"
        assert stat["Period"] == 7 * 24 * 3600 and stat["Stat"] == "Sum"
    assert slip["AlarmActions"], "the alarm notifies the ops topic"


def test_given_claims_stuck_in_sending_then_ops_are_alarmed_on_the_first_one(synth: Synth) -> None:
    alarms = synth.template.find_resources("AWS::CloudWatch::Alarm")
    [stuck] = [a["Properties"] for a in alarms.values() if a["Properties"]["AlarmName"].endswith("-ContactsStuck")]
    [query] = stuck["Metrics"]
    metric = query["MetricStat"]["Metric"]

    assert (metric["MetricName"], metric["Namespace"], query["MetricStat"]["Stat"]) == (
        "ContactsStuck",
        "Outreach",
        "Sum",
    )
    assert metric["Dimensions"] == [{"Name": "service", "Value": "outreach"}]
    assert stuck["Threshold"] == 1
    assert stuck["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert stuck["AlarmActions"], "the alarm notifies the ops topic"
    assert "#alarm-contactsstuck" in json.dumps(stuck["AlarmDescription"]), "it names its runbook section"


# --- the reconciler of stuck claims ---------------------------------------------------------------------


def test_given_the_reconciler_then_it_runs_every_15_minutes(synth: Synth) -> None:
    from aws_cdk.assertions import Match  # the CDK only where a synth runs (tests/infra/synth.py)

    reconciler = synth.function_id("reconciler")

    synth.template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "ScheduleExpression": "rate(15 minutes)",
            "State": "ENABLED",
            "Targets": [Match.object_like({"Arn": {"Fn::GetAtt": [reconciler, "Arn"]}})],
        },
    )


def test_given_the_contacts_table_then_claims_in_flight_have_a_sparse_index(synth: Synth) -> None:
    [contacts] = [
        t for i, t in synth.template.find_resources("AWS::DynamoDB::Table").items() if i.startswith("StorageContacts")
    ]
    [index] = contacts["Properties"]["GlobalSecondaryIndexes"]

    assert index["IndexName"] == "claims-in-flight"
    assert index["KeySchema"] == [
        {"AttributeName": "inFlight", "KeyType": "HASH"},
        {"AttributeName": "claimedAt", "KeyType": "RANGE"},
    ]


def test_given_the_reconciler_when_its_policy_is_read_then_it_queries_and_updates_but_never_scans(
    synth: Synth,
) -> None:
    actions = {a for s in synth.statements_of("reconciler") for a in actions_of(s)}
    dynamodb = {a for a in actions if a.startswith("dynamodb:")}

    assert dynamodb == {"dynamodb:Query", "dynamodb:UpdateItem"}
    assert not [a for a in actions if a.startswith(("ses:", "states:", "lambda:"))]
    assert "sns:Publish" in actions
    [resources] = [resources_of(s) for s in synth.statements_of("reconciler") if "dynamodb:Query" in actions_of(s)]
    assert any(flatten(r).endswith("/index/*") for r in resources)


def test_given_the_senders_then_they_may_read_the_ses_suppression_list(synth: Synth) -> None:
    for module in ("timeline", "sender"):
        actions = [a for s in synth.statements_of(module) for a in actions_of(s)]
        assert "ses:GetSuppressedDestination" in actions, module


# --- storage --------------------------------------------------------------------------------------------


def test_given_the_tables_when_synthesized_then_they_are_keyed_by_pk_and_sk_and_kept_in_prod(
    synth: Synth, prod: Synth
) -> None:
    for stage, policy in ((synth, "Delete"), (prod, "Retain")):
        tables = stage.template.find_resources("AWS::DynamoDB::Table")
        assert len(tables) == 2
        for table in tables.values():
            props = table["Properties"]
            assert props["KeySchema"] == [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ]
            assert props["BillingMode"] == "PAY_PER_REQUEST"
            assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
            assert table["DeletionPolicy"] == policy


# --- outputs, nag, config -------------------------------------------------------------------------------


def test_given_the_stack_when_deployed_then_it_outputs_what_operators_need(synth: Synth) -> None:
    outputs = synth.template.to_json()["Outputs"]
    assert {
        "EventBusName",
        "StateMachineArn",
        "OpsTopicArn",
        "DeadLetterQueueUrl",
        "OrdersTableName",
        "ContactsTableName",
        "IntakeFunctionName",
        "SenderFunctionName",
        "DashboardName",
    } <= set(outputs)


def test_given_cdk_nag_when_synthesized_then_nothing_is_left_unacknowledged_and_each_has_a_reason(
    synth: Synth, prod: Synth
) -> None:
    for stage in (synth, prod):
        report = json.loads((stage.outdir / "validation-report.json").read_text())
        (nag,) = [r for r in report["pluginReports"] if r["pluginName"] == "AwsSolutions"]

        assert nag["conclusion"] == "success"
        assert nag["violations"] == []
        for suppressed in nag["suppressedViolations"]:
            assert len(suppressed["reason"]) > 40, suppressed["ruleName"]


def test_given_an_invalid_padding_factor_in_the_stage_config_when_synthesizing_then_the_error_names_the_field(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dev.json"
    raw = json.loads(deploy_config.config_path("dev").read_text())
    path.write_text(json.dumps({**raw, "shop": {"padding": {"factor": "0.5"}}}))

    from infra.app import build_app  # the CDK only where a synth runs

    with pytest.raises(DeployConfigError, match=r"dev\.json: shop\.padding\.factor: .*at least 1"):
        build_app(outdir=str(tmp_path), context={"outreach:configFile": str(path)})


def test_given_no_sender_email_when_synthesizing_then_the_error_names_the_field(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    raw = json.loads(deploy_config.config_path("dev").read_text())
    path.write_text(json.dumps({**raw, "senderEmail": ""}))

    from infra.app import build_app  # the CDK only where a synth runs

    with pytest.raises(DeployConfigError, match="senderEmail: "):
        build_app(outdir=str(tmp_path), context={"outreach:configFile": str(path)})


# -- the wiring table: the deployed functions, the settings models and the simulator agree --------------
def deployed_environment(synth: Synth, name: FunctionName) -> dict[str, Any]:
    properties = synth.resources[synth.function_id(name.value)]["Properties"]
    variables = dict(properties["Environment"]["Variables"])
    return {k: v for k, v in variables.items() if not k.startswith("POWERTOOLS_")}


def tables_granted(synth: Synth, name: FunctionName) -> dict[str, set[str]]:
    """Per table logical id, the DynamoDB actions the function's role allows on it."""
    tables = synth.template.find_resources("AWS::DynamoDB::Table")
    granted: dict[str, set[str]] = {}
    for statement in synth.statements_of(name.value):
        text = json.dumps(statement["Resource"])
        for table_id in tables:
            if f'"{table_id}"' in text:
                granted.setdefault(table_id, set()).update(actions_of(statement))
    return granted


def test_given_the_wiring_table_then_each_deployed_function_gets_exactly_its_variables(synth: Synth) -> None:
    for name, spec in FUNCTIONS.items():
        assert set(deployed_environment(synth, name)) == {env.value for env in spec.uses}, name


def test_given_the_wiring_table_then_each_function_is_granted_exactly_its_tables(synth: Synth) -> None:
    [orders] = [t for t in synth.template.find_resources("AWS::DynamoDB::Table") if t.startswith("StorageOrders")]
    [contacts] = [t for t in synth.template.find_resources("AWS::DynamoDB::Table") if t.startswith("StorageContacts")]
    ids = {Env.ORDERS_TABLE: orders, Env.CONTACTS_TABLE: contacts}
    for name, spec in FUNCTIONS.items():
        wanted = {ids[env]: access for env, access in spec.uses.items() if env in ids}
        granted = tables_granted(synth, name)
        assert set(granted) == set(wanted), name
        for table_id, access in wanted.items():
            writes = {a for a in granted[table_id] if a.split(":")[1].startswith(("Put", "Update", "Delete"))}
            if access in (Access.PUT_ITEM, Access.ADD_OPT_OUTS):  # conditional puts only: no read, update, delete
                assert granted[table_id] == {"dynamodb:PutItem"}, (name, table_id, sorted(granted[table_id]))
                continue
            writer = access in (Access.READ_WRITE, Access.SETTLE_CLAIMS)
            assert bool(writes) == writer, (name, table_id, sorted(granted[table_id]))


def test_given_intake_then_it_may_only_put_items_into_the_opt_out_partition_of_the_contacts_table(
    synth: Synth,
) -> None:
    from outreach_lambda.adapters.opt_outs import OPT_OUTS_PK

    [contacts] = [t for t in synth.template.find_resources("AWS::DynamoDB::Table") if t.startswith("StorageContacts")]
    on_contacts = [
        st for st in synth.statements_of(FunctionName.INTAKE.value) if f'"{contacts}"' in json.dumps(st["Resource"])
    ]
    assert [set(actions_of(st)) for st in on_contacts] == [{"dynamodb:PutItem"}]
    assert "/index/" not in json.dumps(on_contacts[0]["Resource"])
    assert on_contacts[0]["Condition"] == {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [OPT_OUTS_PK]}}


def test_given_the_simulator_then_its_functions_get_the_same_variables_and_tables_as_the_deployed_ones(
    synth: Synth,
) -> None:
    import boto3
    from moto import mock_aws

    from outreach.simulator import world

    with mock_aws(), world.process_environment(world.BASE_ENV):
        simulated = world.build("{}")
        lam = boto3.client("lambda", region_name=world.REGION)
        tables = set(boto3.client("dynamodb", region_name=world.REGION).list_tables()["TableNames"])
        for name, spec in FUNCTIONS.items():
            config = lam.get_function_configuration(FunctionName=world.function_name(name))
            variables = config["Environment"]["Variables"]
            assert config["Handler"] == synth.resources[synth.function_id(name.value)]["Properties"]["Handler"]
            assert set(variables) == set(deployed_environment(synth, name)), name
            assert variables == simulated.environments[name]
            for env in (Env.ORDERS_TABLE, Env.CONTACTS_TABLE):
                if env in spec.uses:
                    assert variables[env] in tables, (name, env)


def test_given_each_settings_model_then_it_requires_exactly_the_variables_of_its_function() -> None:
    assert set(SETTINGS) == set(FUNCTIONS)
    for name, model in SETTINGS.items():
        fields = {field.alias for field in model.model_fields.values()}
        assert fields == {env.value for env in FUNCTIONS[name].uses}, name


# --- the customer action endpoint (issue 13) ------------------------------------------------------------


def test_given_the_action_endpoint_then_get_head_and_post_of_a_link_reach_the_actions_function_throttled(
    synth: Synth,
) -> None:
    _, api = synth.only("AWS::ApiGatewayV2::Api")
    assert api["Properties"]["ProtocolType"] == "HTTP"
    routes = synth.template.find_resources("AWS::ApiGatewayV2::Route")
    assert sorted(r["Properties"]["RouteKey"] for r in routes.values()) == [
        "GET /a/{token}",
        "HEAD /a/{token}",
        "POST /a/{token}",
    ]
    [integration] = synth.template.find_resources("AWS::ApiGatewayV2::Integration").values()
    assert synth.function_id("actions") in json.dumps(integration["Properties"]["IntegrationUri"])
    _, stage = synth.only("AWS::ApiGatewayV2::Stage")
    props = stage["Properties"]
    assert props["StageName"] == "$default" and props["AutoDeploy"] is True
    assert props["DefaultRouteSettings"]["ThrottlingRateLimit"] == 20
    assert props["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 40
    log_format = props["AccessLogSettings"]["Format"]
    assert "$context.routeKey" in log_format
    assert "$context.path" not in log_format and "sourceIp" not in log_format  # never the token, no address


def test_given_the_link_key_secret_then_it_is_generated_kept_and_read_only_by_who_signs_or_verifies(
    synth: Synth,
) -> None:
    secret_id, secret = synth.only("AWS::SecretsManager::Secret")
    generate = secret["Properties"]["GenerateSecretString"]
    assert json.loads(generate["SecretStringTemplate"]) == {"current": "k1"}
    assert generate["GenerateStringKey"] == "k1" and generate["PasswordLength"] >= 32
    assert secret["DeletionPolicy"] == "Retain"
    for module, reads in (("actions", True), ("timeline", True), ("sender", True), ("intake", False)):
        reading = [
            s
            for s in synth.statements_of(module)
            if "secretsmanager:GetSecretValue" in actions_of(s) and {"Ref": secret_id} in resources_of(s)
        ]
        assert bool(reading) == reads, module
        variables = synth.resources[synth.function_id(module)]["Properties"]["Environment"]["Variables"]
        assert (variables.get("LINK_KEY_SECRET_ARN") == {"Ref": secret_id}) == reads, module


def test_given_the_actions_function_then_it_may_only_claim_links_put_events_and_read_its_key(synth: Synth) -> None:
    allowed = {
        "dynamodb:PutItem",
        "events:PutEvents",
        "secretsmanager:GetSecretValue",
        "secretsmanager:DescribeSecret",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
    }
    actions = {a for s in synth.statements_of("actions") for a in actions_of(s)}

    assert {"dynamodb:PutItem", "events:PutEvents", "secretsmanager:GetSecretValue"} <= actions
    assert actions <= allowed, sorted(actions - allowed)
    [bus_id] = [b for b in synth.template.find_resources("AWS::Events::EventBus")]
    put_events = [s for s in synth.statements_of("actions") if "events:PutEvents" in actions_of(s)]
    assert [r for s in put_events for r in resources_of(s)] == [{"Fn::GetAtt": [bus_id, "Arn"]}]
    [put_item] = [s for s in synth.statements_of("actions") if "dynamodb:PutItem" in actions_of(s)]
    # Internet-facing: it may write link uses only, never an order's state, inbox or token.
    assert put_item["Condition"] == {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["LINK#*"]}}


def test_given_the_links_in_messages_then_they_point_at_the_endpoints_stage(synth: Synth) -> None:
    synth.only("AWS::ApiGatewayV2::Stage")
    api_id, _ = synth.only("AWS::ApiGatewayV2::Api")
    for module in ("timeline", "sender"):
        url = synth.resources[synth.function_id(module)]["Properties"]["Environment"]["Variables"]["ACTIONS_BASE_URL"]
        assert api_id in json.dumps(url) and "execute-api" in flatten(url), module
    assert "ActionsUrl" in synth.template.to_json()["Outputs"]


# -- what the code calls, the roles allow ------------------------------------------------------------------
#: botocore's name of a call -> the IAM action that allows it (where the two differ)
IAM_SERVICE = {"sesv2": "ses", "stepfunctions": "states"}
IAM_OPERATION = {"lambda:Invoke": "lambda:InvokeFunction", "sns:Publish(SMS)": "sns:Publish"}


#: calls IAM authorises per item action instead (a transaction's Put/Update/Delete/ConditionCheck)
PER_ITEM = {
    "dynamodb:TransactWriteItems": (
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",  # forget_event's check of the STATE item
    ),
    "dynamodb:TransactGetItems": ("dynamodb:GetItem",),
}


def _iam_actions(call: str) -> tuple[str, ...]:
    if call in PER_ITEM:
        return PER_ITEM[call]
    call = IAM_OPERATION.get(call, call)
    service, operation = call.split(":", 1)
    return (f"{IAM_SERVICE.get(service, service)}:{operation}",)


def test_given_every_example_and_a_sku_delay_when_simulated_then_each_function_s_role_allows_each_call_it_made(
    synth: Synth, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto checks no IAM: a call the code makes and its role does not allow would only fail once deployed.
    Every kind of call each function made in the simulated examples (and a sku delay, which reads its orders in
    batches, and an event about an unknown order) must be an action of its role's policies. Actions only: which
    resources each role reaches is checked by the tests above (the wiring table's grants). The reconciler runs on
    a schedule no example reaches; its calls are pinned by its own test above."""
    from outreach_lambda.services import intake

    from benchmarks.sku_delay import scenario as sku_delay
    from outreach.simulator import moto_runtime, runner
    from outreach.simulator.scenario import load, parse

    scenarios = [load(p) for p in sorted((REPO_ROOT / "examples").glob("*.json"))]
    # An event about an order intake does not know: stored, found unknown by the announcing write, removed again.
    shipped = {"orderId": "SO-404", "carrier": "DHL Freight", "trackingNumber": "JD0146"}
    unknown = {"name": "unknown order", "start": "2026-11-02T09:00:00Z", "until": "PT1H"}
    unknown["events"] = [{"at": "PT0S", "detailType": "Order Shipped", "detail": shipped}]
    made: set[tuple[str, str]] = set()
    for scenario in [*scenarios, parse(sku_delay(orders=4, rate=14.0)), parse(unknown)]:
        made |= set(runner.run(scenario).meter.operations_by_origin)
    with monkeypatch.context() as short:  # ... and in slices: each intake has time for one group of two orders
        short.setattr(intake, "SKU_DELAY_GROUP", 2)
        short.setattr(moto_runtime, "FUNCTION_TIMEOUT", timedelta(milliseconds=intake.CONTINUE_BELOW_MS + 50))
        made |= set(runner.run(parse(sku_delay(orders=4, rate=14.0))).meter.operations_by_origin)
    assert ("outreach-intake", "events:PutEvents") in made
    assert ("outreach-intake", "dynamodb:TransactWriteItems") in made

    _, state_machine = synth.only("AWS::StepFunctions::StateMachine")
    roles = {f"outreach-{name.value}": synth.statements_of(name.value) for name in FunctionName}
    roles["states"] = [  # the state machine's own service integrations
        statement
        for policy in synth.template.find_resources("AWS::IAM::Policy").values()
        if {"Ref": state_machine["Properties"]["RoleArn"]["Fn::GetAtt"][0]} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    missing = []
    for origin, call in sorted(made):
        allowed = {a for s in roles[origin] if s["Effect"] == "Allow" for a in actions_of(s)}
        for action in _iam_actions(call):
            if not any(fnmatch.fnmatchcase(action, pattern) for pattern in allowed):
                missing.append(f"{origin}: {action}")
    assert {origin for origin, _ in made} >= set(roles) - {"outreach-reconciler"}  # the reconciler runs on a schedule
    assert missing == []
