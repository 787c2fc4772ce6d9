"""The order timeline: four Lambdas, the Step Functions state machine, and the one-time wake-up timers."""

from __future__ import annotations

import hashlib
import importlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Acknowledgment, Duration, RemovalPolicy, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_ses as ses
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct
from outreach_lambda.adapters.actions import LINK_PK_PREFIX
from outreach_lambda.adapters.opt_outs import OPT_OUTS_PK
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.wiring import (
    ASYNC_RETRY_DELAYS,
    DEFINITION_RESOURCES,
    DEFINITION_SUBSTITUTIONS,
    FUNCTION_TIMEOUT,
    FUNCTIONS,
    STATE_MACHINE_ACCESS,
    Access,
    Env,
    FunctionName,
    FunctionSpec,
    Permission,
    environment,
)

from infra.constructs.messaging import OPS_TOPIC_TAG
from infra.deploy_config import POWERTOOLS_LAYER_ACCOUNT, POWERTOOLS_LAYER_NAME

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPENDENCIES_LAYER_DIR = REPO_ROOT / "build" / "dependencies-layer"
#: The runtime dependencies of the Lambda code besides boto3 (in the runtime) and Powertools (its own layer),
#: by import name: the IANA time zone database for zoneinfo, email-validator with its dependencies, and the
#: message templates' jinja2 (with MarkupSafe) and Babel (dates in the customer's language).
#: All are pure Python, so copying them from the synthesizing environment works on any Lambda runtime.
LAYER_PACKAGES = ("tzdata", "email_validator", "dns", "idna", "jinja2", "markupsafe", "babel")
#: Compiled speedups a package can do without: left out of the layer, the package uses its pure-Python code
#: (MarkupSafe's ``_speedups`` C extension -> ``_native``; ``tests/infra`` imports the staged copy to prove it).
OPTIONAL_COMPILED = {"markupsafe": ("_speedups*",)}
FUNCTIONS_DIR = REPO_ROOT / "functions"
DEFINITION_FILE = REPO_ROOT / "statemachines" / "order_timeline.asl.json"

RUNTIME = lambda_.Runtime.PYTHON_3_12
#: What each DynamoDB access allows: the calls the adapters make (GetItem, Query, conditional Put/Update/Delete,
#: TransactWriteItems, which IAM authorises per item action; BatchGetItem, which only intake makes, for a sku
#: delay's orders, reads nothing GetItem on the same table could not). No Scan, no BatchWriteItem:
#: only the simulator and the operator's commands scan, and they do not run with these roles.
DYNAMODB_READ = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
DYNAMODB_WRITE = ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem")


@dataclass(frozen=True)
class WorkflowResources:
    """What the workflow uses but does not own."""

    orders_table: dynamodb.ITable
    contacts_table: dynamodb.ITable
    ops_topic: sns.ITopic
    sender_identity: ses.EmailIdentity
    sender_email: str
    reply_to: str
    configuration_set: ses.IConfigurationSet
    bus: events.IEventBus
    dead_letter_queue: sqs.IQueue
    config: OutreachConfig
    log_retention: logs.RetentionDays
    log_removal_policy: RemovalPolicy
    powertools_layer_version: int

    link_key_secret: secretsmanager.ISecret
    actions_base_url: str


def powertools_layer_arn(stack: Stack, version: int) -> str:
    """The public Powertools layer, pinned to an exact version (deploy_config.POWERTOOLS_LAYER_VERSION) in the
    deploying region: a redeploy never changes it silently."""
    return (
        f"arn:{stack.partition}:lambda:{stack.region}:{POWERTOOLS_LAYER_ACCOUNT}:layer:"
        f"{POWERTOOLS_LAYER_NAME}:{version}"
    )


class Workflow(Construct):
    """One Standard execution per order runs its contact timeline.

    - ``timeline`` advances an order (records it and its promise, applies events, sends the contacts due by
      SES e-mail and SNS SMS) and parks its execution on a task token, with a one-time EventBridge Scheduler
      timer that puts a 'Timer Due' event on the bus at ``wakeAt``,
    - ``sender`` sends a contact outside a running timeline (a catalog follow-up, feedback after the end),
    - ``intake`` receives every event from the bus: starts executions, stores events in the order's inbox and
      completes the waiting task token; rejected events go to the dead-letter queue.
    """

    def __init__(self, scope: Construct, construct_id: str, *, resources: WorkflowResources) -> None:
        super().__init__(scope, construct_id)
        res = resources
        self._contacts_table = res.contacts_table
        self._res = res
        stack = Stack.of(self)
        self.state_machine_name = f"{stack.stack_name}-order-timeline"
        self.schedule_group_name = f"{stack.stack_name}-order-timers"

        self._functions: dict[FunctionName, lambda_.Function] = {}
        self._code = lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=["**/__pycache__", "**/*.pyc"])
        self._layers = [
            lambda_.LayerVersion.from_layer_version_arn(
                self, "PowertoolsLayer", powertools_layer_arn(stack, res.powertools_layer_version)
            ),
            # Promised dates are calendar dates in the customer's zone: never depend on the runtime image
            # having the IANA database (zoneinfo falls back to the tzdata package when it has none). E-mail
            # addresses are judged by email-validator (domain/events.py), which needs dnspython and idna.
            lambda_.LayerVersion(
                self,
                "DependenciesLayer",
                code=lambda_.Code.from_asset(str(_stage_dependencies_layer())),
                compatible_runtimes=[RUNTIME],
                description="Runtime dependencies: tzdata (IANA time zones), email-validator, dnspython, idna",
            ),
        ]
        # --- timers: a schedule group for the one-time wake-ups and the role the scheduler assumes -------
        self.schedule_group = scheduler.ScheduleGroup(
            self,
            "Timers",
            schedule_group_name=self.schedule_group_name,
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.timer_role = iam.Role(
            self,
            "TimerRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": stack.account}},
            ),
            description="Assumed by EventBridge Scheduler to put 'Timer Due' events on the Outreach bus",
        )
        res.bus.grant_put_events_to(self.timer_role)
        res.dead_letter_queue.grant_send_messages(self.timer_role)  # timers Scheduler cannot deliver

        # What each environment variable of the wiring table holds, and how each access is granted.
        self._values: dict[Env, str] = {
            Env.ORDERS_TABLE: res.orders_table.table_name,
            Env.CONTACTS_TABLE: res.contacts_table.table_name,
            Env.OPS_TOPIC_ARN: res.ops_topic.topic_arn,
            Env.OUTREACH_CONFIG: res.config.model_dump_json(by_alias=True),
            Env.SENDER_EMAIL: res.sender_email,
            Env.SES_CONFIGURATION_SET: res.configuration_set.configuration_set_name,
            Env.REPLY_TO_EMAIL: res.reply_to,
            Env.SCHEDULE_GROUP: self.schedule_group.schedule_group_name,
            Env.TIMER_TARGET_ARN: res.bus.event_bus_arn,
            Env.TIMER_ROLE_ARN: self.timer_role.role_arn,
            Env.TIMER_DEAD_LETTER_ARN: res.dead_letter_queue.queue_arn,
            Env.DEAD_LETTER_QUEUE_URL: res.dead_letter_queue.queue_url,
            Env.EVENT_BUS_NAME: res.bus.event_bus_name,
            Env.LINK_KEY_SECRET_ARN: res.link_key_secret.secret_arn,
            Env.ACTIONS_BASE_URL: res.actions_base_url,
        }
        self._grants: dict[tuple[Env, Access], Callable[[iam.IGrantable], object]] = {
            (Env.ORDERS_TABLE, Access.READ): lambda g: res.orders_table.grant(g, *DYNAMODB_READ),
            (Env.ORDERS_TABLE, Access.READ_WRITE): lambda g: res.orders_table.grant(g, *DYNAMODB_READ, *DYNAMODB_WRITE),
            (Env.CONTACTS_TABLE, Access.READ_WRITE): lambda g: res.contacts_table.grant(
                g, *DYNAMODB_READ, *DYNAMODB_WRITE
            ),
            (Env.OPS_TOPIC_ARN, Access.PUBLISH): res.ops_topic.grant_publish,
            (Env.SENDER_EMAIL, Access.SEND_EMAIL): self._grant_send_email,
            (Env.SCHEDULE_GROUP, Access.MANAGE_SCHEDULES): self._grant_manage_schedules,
            (Env.TIMER_ROLE_ARN, Access.PASS_ROLE): self.timer_role.grant_pass_role,
            (Env.DEAD_LETTER_QUEUE_URL, Access.SEND_MESSAGES): res.dead_letter_queue.grant_send_messages,
            (Env.ORDERS_TABLE, Access.PUT_ITEM): self._grant_put_link_uses,
            # The state machine's waits: one conditional UpdateItem of an order's STATE item (the park).
            (Env.ORDERS_TABLE, Access.PARK): lambda grantee: res.orders_table.grant(grantee, "dynamodb:UpdateItem"),
            (Env.EVENT_BUS_NAME, Access.PUT_EVENTS): res.bus.grant_put_events_to,
            (Env.LINK_KEY_SECRET_ARN, Access.READ_SECRET): res.link_key_secret.grant_read,
            # The reconciler: a Query of the index of claims in flight and conditional updates, never a Scan.
            (Env.CONTACTS_TABLE, Access.SETTLE_CLAIMS): lambda grantee: res.contacts_table.grant(
                grantee, "dynamodb:Query", "dynamodb:UpdateItem"
            ),
            # Intake puts an address on the opt-out list (an Unsubscribed click): PutItem of items in the list's
            # own partition of the contacts table, nothing else of the table.
            (Env.CONTACTS_TABLE, Access.ADD_OPT_OUTS): self._grant_add_opt_outs,
        }

        # --- the three functions the state machine calls -------------------------------------------------
        self.timeline = self._function(FunctionName.TIMELINE)
        self.sender = self._function(FunctionName.SENDER)

        # --- the state machine -----------------------------------------------------------------------------
        self.state_machine_log_group = logs.LogGroup(
            self, "StateMachineLogs", retention=res.log_retention, removal_policy=res.log_removal_policy
        )
        self.state_machine = sfn.StateMachine(
            self,
            "OrderTimeline",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            comment="Contact timeline of one made-to-order purchase, from sale to after delivery",
            definition_body=sfn.DefinitionBody.from_file(str(DEFINITION_FILE)),
            definition_substitutions={
                **{key: self.functions[name].function_arn for key, name in DEFINITION_SUBSTITUTIONS.items()},
                **{key: self._values[env] for key, env in DEFINITION_RESOURCES.items()},
            },
            tracing_enabled=True,
            # Every state transition (ALL), so an order's whole story is in Logs Insights and in the execution
            # page's log view, and outlives the 90 days Step Functions keeps a closed execution's history; but
            # no execution data (input, output, errors' causes): state data holds order ids and contact keys only
            # today, and a future field must not leak personal data into logs by accident.
            logs=sfn.LogOptions(
                destination=self.state_machine_log_group,
                level=sfn.LogLevel.ALL,
                include_execution_data=False,
            ),
        )
        for name in DEFINITION_SUBSTITUTIONS.values():
            self.functions[name].grant_invoke(self.state_machine)
        # "Tell ops the timeline failed" publishes to the ops topic; the waits store their task token on the
        # order (UpdateItem of the orders table, nothing else of it).
        for env, access in STATE_MACHINE_ACCESS.items():
            self._grants[(env, access)](self.state_machine)

        # --- intake: the one entry point of events (order events and timer wake-ups) -------------------
        self._values[Env.STATE_MACHINE_ARN] = self.state_machine.state_machine_arn
        self._values[Env.SENDER_FUNCTION_NAME] = self.sender.function_name
        self._values[Env.TIMELINE_FUNCTION_NAME] = self.timeline.function_name
        self._grants[(Env.STATE_MACHINE_ARN, Access.START_EXECUTION)] = self.state_machine.grant_start_execution
        self._grants[(Env.SENDER_FUNCTION_NAME, Access.INVOKE)] = self.sender.grant_invoke
        self._grants[(Env.TIMELINE_FUNCTION_NAME, Access.INVOKE)] = self.timeline.grant_invoke
        self.intake = self._function(FunctionName.INTAKE, max_event_age=Duration.hours(2))

        # --- the customer action endpoint's function (the HTTP API is its own construct) -----------------
        self.actions = self._function(FunctionName.ACTIONS)

        # --- the reconciler of stuck claims, and every other function that runs on a schedule ---------------
        self.reconciler = self._function(FunctionName.RECONCILER)
        for name, spec in FUNCTIONS.items():
            if spec.every is not None:
                events.Rule(
                    self,
                    f"{name.value.capitalize()}Schedule",
                    description=f"Runs the {name} function every {spec.every}",
                    schedule=events.Schedule.rate(Duration.seconds(int(spec.every.total_seconds()))),
                    targets=[targets.LambdaFunction(self.functions[name], retry_attempts=2)],
                )

        self._acknowledge_nag_findings()

    @property
    def functions(self) -> dict[FunctionName, lambda_.Function]:
        return self._functions

    def _function(self, name: FunctionName, **options: object) -> lambda_.Function:
        """A Python Lambda with its own role (no managed policies), its own log group with retention, and
        exactly the environment and permissions the wiring table gives it."""
        spec = FUNCTIONS[name]
        construct_id = name.value.capitalize()
        log_group = logs.LogGroup(
            self, f"{construct_id}Logs", retention=self._res.log_retention, removal_policy=self._res.log_removal_policy
        )
        role = iam.Role(
            self,
            f"{construct_id}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"Outreach {name} function",
        )
        log_group.grant_write(role)
        function = lambda_.Function(
            self,
            construct_id,
            description=spec.description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            code=self._code,
            handler=spec.handler,
            layers=self._layers,
            memory_size=256,
            timeout=Duration.seconds(int(FUNCTION_TIMEOUT.total_seconds())),
            tracing=lambda_.Tracing.ACTIVE,
            role=role,
            log_group=log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": "outreach",
                "POWERTOOLS_METRICS_NAMESPACE": "Outreach",
                **environment(name, self._values),
            },
            **self._async_failures(spec),
            **options,  # type: ignore[arg-type]
        )
        for env, access in spec.uses.items():
            if access is not Access.VALUE:
                self._grants[(env, access)](function)
        for permission in spec.permissions:
            self._grant_permission(function, permission)
        self._functions[name] = function
        return function

    def _async_failures(self, spec: FunctionSpec) -> dict[str, object]:
        """For a function whose asynchronous payloads nothing else would keep (``FunctionSpec.dead_letters``):
        Lambda's retries (``ASYNC_RETRY_DELAYS``, Lambda's default made explicit), then the dead-letter queue.
        Every other function keeps Lambda's default: two retries, then the payload is dropped."""
        if not spec.dead_letters:
            return {}
        return {"retry_attempts": len(ASYNC_RETRY_DELAYS), "dead_letter_queue": self._res.dead_letter_queue}

    def _grant_put_link_uses(self, grantee: iam.IGrantable) -> None:
        """The internet-facing actions function writes one-click link uses only (``LINK#...``), never an order."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],
                resources=[self._res.orders_table.table_arn],
                conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": [f"{LINK_PK_PREFIX}*"]}},
            )
        )

    def _grant_add_opt_outs(self, grantee: iam.IGrantable) -> None:
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["dynamodb:PutItem"],
                resources=[self._contacts_table.table_arn],
                conditions={"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": [OPT_OUTS_PK]}},
            )
        )

    def _grant_send_email(self, grantee: iam.IGrantable) -> None:
        """SES v2 SendEmail from the sender identity, with the configuration set (IAM checks both resources)."""
        self._res.sender_identity.grant_send_email(grantee)
        configuration_set_arn = Stack.of(self).format_arn(
            service="ses",
            resource="configuration-set",
            resource_name=self._res.configuration_set.configuration_set_name,
        )
        iam.Grant.add_to_principal(
            grantee=grantee, actions=["ses:SendEmail", "ses:SendRawEmail"], resource_arns=[configuration_set_arn]
        )

    def _grant_manage_schedules(self, grantee: iam.IGrantable) -> None:
        self.schedule_group.grant_write_schedules(grantee)
        self.schedule_group.grant_delete_schedules(grantee)

    def _grant_permission(self, function: lambda_.Function, permission: Permission) -> None:
        if permission is Permission.COMPLETE_OWN_TASKS:
            # The timeline completes the token it (or intake) claimed once it has advanced the order.
            # It is referenced by the state machine definition, so it is granted through the (explicit)
            # name of the state machine rather than the resource itself, which would be a dependency cycle.
            by_name = sfn.StateMachine.from_state_machine_name(
                self, f"OrderTimelineByName{function.node.id}", self.state_machine_name
            )
            by_name.grant_task_response(function)
        elif permission is Permission.SEND_SMS:
            # SMS goes straight to the customer's phone number (no topic): a phone number is no IAM resource, so
            # the Allow needs "*". That "*" would also cover every topic ARN: a Deny takes back publishing to
            # any topic (arn:...:sns:*:*:*) except one tagged as the ops topic (aws:ResourceTag, which SNS supports
            # for topic actions). A publish to a phone number names no topic, so the Deny does not apply to it.
            iam.Grant.add_to_principal(grantee=function, actions=["sns:Publish"], resource_arns=["*"])
            tag_key, tag_value = OPS_TOPIC_TAG
            function.add_to_role_policy(
                iam.PolicyStatement(
                    sid="NoTopicButTheOpsTopic",
                    effect=iam.Effect.DENY,
                    actions=["sns:Publish"],
                    resources=[f"arn:{Stack.of(self).partition}:sns:*:*:*"],
                    conditions={"StringNotEquals": {f"aws:ResourceTag/{tag_key}": tag_value}},
                )
            )
        elif permission is Permission.READ_SUPPRESSION_LIST:
            # The SES account-level suppression list is not an IAM resource: "*" is the only resource.
            iam.Grant.add_to_principal(grantee=function, actions=["ses:GetSuppressedDestination"], resource_arns=["*"])
        else:  # pragma: no cover - every Permission member is handled above
            raise ValueError(f"no grant for permission {permission}")

    def _acknowledge_nag_findings(self) -> None:
        """cdk-nag (AwsSolutions) findings that are deliberate, each on the one construct it concerns."""
        stack = Stack.of(self)
        for name, function in self.functions.items():
            _acknowledge(
                function,
                "AwsSolutions-L1",
                "Runtime pinned on purpose to python3.12, a supported Lambda runtime: the pinned Powertools layer is "
                "its python3.12 build, so runtime and layer are upgraded together.",
            )
            policy = _default_policy(function)
            reason = (
                "X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) support no resource-level "
                "permissions, so IAM requires Resource '*'."
            )
            if Permission.READ_SUPPRESSION_LIST in FUNCTIONS[name].permissions:
                reason += (
                    " ses:GetSuppressedDestination reads the account-level SES suppression list, which has no "
                    "resource ARN."
                )
            if Permission.SEND_SMS in FUNCTIONS[name].permissions:
                reason += (
                    " sns:Publish on '*' is for SMS sent directly to customers' phone numbers, which are not "
                    "IAM resources; a Deny statement in the same policy takes back every topic but the ops topic."
                )
            _acknowledge(policy, "AwsSolutions-IAM5[Resource::*]", reason)
            _acknowledge(
                policy,
                "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                "Added by topic.grant_publish: the GenerateDataKey* actions publishers need on the ops topic's "
                "customer managed key, scoped to that one key.",
            )

        contacts_id = stack.resolve(
            stack.get_logical_id(self._contacts_table.node.default_child)  # type: ignore[arg-type]
        )
        for name, spec in FUNCTIONS.items():
            if spec.uses.get(Env.CONTACTS_TABLE) not in (None, Access.ADD_OPT_OUTS):
                _acknowledge(
                    _default_policy(self.functions[name]),
                    f"AwsSolutions-IAM5[Resource::<{contacts_id}.Arn>/index/*]",
                    "Added by the contacts table's grant: its one index, the sparse index of contact claims in "
                    "flight that the reconciler queries for claims stuck in SENDING.",
                )
        for name, function in self.functions.items():
            if FUNCTIONS[name].uses.get(Env.SCHEDULE_GROUP) is not Access.MANAGE_SCHEDULES:
                continue
            _acknowledge(
                _default_policy(function),
                "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:"
                f"schedule/{self.schedule_group_name}/*]",
                f"The {name} function creates and deletes one-time timers named per order (or per customer "
                "message and catalog request) at run time; the wildcard is limited to the schedules of the "
                "Outreach timer group.",
            )

        sm_policy = self.state_machine.role.node.find_child("DefaultPolicy")
        _acknowledge(
            sm_policy,
            "AwsSolutions-IAM5[Resource::*]",
            "Added by CDK for CloudWatch Logs delivery and X-Ray tracing of the state machine: these log "
            "delivery and X-Ray actions support no resource-level permissions.",
        )
        _acknowledge(
            sm_policy,
            "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
            "Added by topic.grant_publish: the state machine tells ops on the encrypted ops topic when an order's "
            "timeline fails; GenerateDataKey* on that one key.",
        )
        for function in (self.functions[name] for name in DEFINITION_SUBSTITUTIONS.values()):
            logical_id = stack.resolve(stack.get_logical_id(function.node.default_child))  # type: ignore[arg-type]
            _acknowledge(
                sm_policy,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>:*]",
                "Added by function.grant_invoke: versions and aliases of this one function the state machine invokes.",
            )
        for invoked, why in (
            (self.sender, "contacts outside a running timeline (catalog follow-ups, feedback after the end)"),
            (self.timeline, "an order whose wait token it claimed for an event or a timer"),
        ):
            invoked_id = stack.resolve(stack.get_logical_id(invoked.node.default_child))  # type: ignore[arg-type]
            _acknowledge(
                _default_policy(self.intake),
                f"AwsSolutions-IAM5[Resource::<{invoked_id}.Arn>:*]",
                f"Added by grant_invoke: versions and aliases of the one function intake invokes for {why}.",
            )


def _default_policy(function: lambda_.Function) -> Construct:
    role = function.role
    assert role is not None
    return role.node.find_child("DefaultPolicy")


def _acknowledge(scope: Construct, rule: str, reason: str) -> None:
    Validations.of(scope).acknowledge(Acknowledgment(id=f"AwsSolutions::{rule}", reason=reason))


def _stage_dependencies_layer() -> Path:
    """Copy the installed packages of ``LAYER_PACKAGES`` into a layer layout (python/<package>), offline, at synth.

    Staged into a fresh directory, then moved to one named by its content: a synth never changes a layer
    directory that another synth (a parallel test worker, a second stage) may be reading.
    """
    DEPENDENCIES_LAYER_DIR.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".dependencies-layer-", dir=DEPENDENCIES_LAYER_DIR.parent))
    target_root = staging / "python"
    for name in LAYER_PACKAGES:
        module = importlib.import_module(name)
        assert module.__file__ is not None, f"{name} is not an installed package"
        source = Path(module.__file__).parent
        ignore = _layer_ignore(name)
        compiled = [
            p.name for p in source.rglob("*") if p.suffix in (".so", ".pyd") and not ignore(str(p.parent), [p.name])
        ]
        if compiled:  # pragma: no cover - a guard for the day a dependency stops being pure Python
            shutil.rmtree(staging)
            raise RuntimeError(f"{name} has compiled extensions {compiled}: build the layer for the Lambda runtime")
        shutil.copytree(source, target_root / name, ignore=ignore)
    digest = hashlib.sha256()
    for path in sorted(p for p in staging.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(staging)).encode())
        digest.update(path.read_bytes())
    final = DEPENDENCIES_LAYER_DIR.with_name(f"{DEPENDENCIES_LAYER_DIR.name}-{digest.hexdigest()[:16]}")
    try:
        staging.rename(final)
    except OSError:  # staged before, by this or a concurrent synth: the same content
        shutil.rmtree(staging)
    return final


def _layer_ignore(package: str) -> Callable[[str, list[str]], set[str]]:
    """What not to copy of ``package``: caches, optional compiled speedups, and Babel's locale data of the
    languages there is no copy for (root, and each ``templates/copy/<language>.toml`` language with its
    regional variants, are kept: 33 MB -> ~3 MB)."""
    from outreach_lambda.domain.rendering import languages

    patterns = shutil.ignore_patterns("__pycache__", "*.pyc", *OPTIONAL_COMPILED.get(package, ()))
    keep = languages()

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = set(patterns(directory, names))
        if package == "babel" and Path(directory).name == "locale-data":
            skipped |= {
                n
                for n in names
                if n.endswith(".dat") and n != "root.dat" and n.removesuffix(".dat").split("_")[0] not in keep
            }
        return skipped

    return ignore
