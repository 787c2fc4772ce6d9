"""What ops see: alarms to the ops topic and one dashboard telling how orders, contacts and promises go.

Every alarm has a stable, stage-prefixed name (``Outreach-prod-DeadLetters``), a description that says what
it means and what to do, pointing to its section of docs/runbook.md, and both ALARM and OK actions to the ops
topic (ops hear when it is over too). Every custom metric graphed here is one the code publishes
(``metrics.add_metric`` / ``count_by`` in functions/outreach_lambda/services) in namespace ``Outreach`` with
dimension ``service=outreach``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import get_args

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct
from outreach_lambda.domain.model import Channel, ContactKind

from infra.constructs.messaging import SES_DIMENSION

PERIOD = Duration.minutes(5)
SLIP_RATE_THRESHOLD_PERCENT = 5
#: SES reviews an account at a 5% bounce rate and 0.1% complaint rate (and may pause it at 10% / 0.5%):
#: alarm at the review line, long before a pause.
SES_BOUNCE_RATE_THRESHOLD = 0.05
SES_COMPLAINT_RATE_THRESHOLD = 0.001
#: Powertools Metrics (functions/outreach_lambda/observability.py) publish here, with dimension service.
METRICS_NAMESPACE = "Outreach"
SERVICE = "outreach"
RUNBOOK = "docs/runbook.md"
#: Contact kinds and channels (domain/model.py) graphed per kind and channel (ContactsSentByKind).
CONTACT_KINDS: tuple[str, ...] = get_args(ContactKind)
CHANNELS: tuple[str, ...] = get_args(Channel)


def outreach_metric(
    name: str, period: Duration = PERIOD, label: str | None = None, **dimensions: str
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE, **dimensions},
        statistic="Sum",
        period=period,
        label=label or name,
    )


def runbook_link(anchor: str) -> str:
    return f"{RUNBOOK}#{anchor}"


@dataclass(frozen=True)
class AlarmSpec:
    """One alarm: its name suffix, what it watches, when it fires and what ops do (its runbook section)."""

    name: str
    metric: cloudwatch.IMetric
    means: str
    do: str
    runbook: str
    threshold: float = 1
    comparison: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


class Monitoring(Construct):
    """Every count alarm fires on the first occurrence: each one means a customer may not have been informed."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        ops_topic: sns.ITopic,
        dead_letter_queue: sqs.IQueue,
        state_machine: sfn.IStateMachine,
        functions: Mapping[str, lambda_.IFunction],
        configuration_set_name: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        self._prefix = stack.stack_name
        self._action = cw_actions.SnsAction(ops_topic)
        self.alarms: dict[str, cloudwatch.Alarm] = {}

        week = Duration.days(7)
        slipped = outreach_metric("OrdersSlipped", week, "orders whose forecast slipped (absorbed or broken)")
        placed = outreach_metric("OrdersPlaced", week, "orders placed")
        self.slip_rate = cloudwatch.MathExpression(
            expression="IF(placed > 0, 100 * slipped / placed, 0)",
            using_metrics={"slipped": slipped, "placed": placed},
            period=week,
            label="slipped orders, % of orders placed (7 days)",
        )
        self.broken_promise_rate = cloudwatch.MathExpression(
            expression="IF(placed > 0, 100 * broken / placed, 0)",
            using_metrics={"broken": outreach_metric("PromisesBroken", week, "re-quotes"), "placed": placed},
            period=week,
            label="new dates given (broken promises) per 100 orders placed (7 days)",
        )
        ses_reputation = {
            name: cloudwatch.Metric(
                namespace="AWS/SES", metric_name=f"Reputation.{name}", statistic="Maximum", period=Duration.hours(1)
            )
            for name in ("BounceRate", "ComplaintRate")
        }

        specs = [
            AlarmSpec(
                "DeadLetters",
                dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
                "Order events or timers are waiting in the dead-letter queue: rejected (invalid, unknown order or "
                "detail-type), or EventBridge/Scheduler/Lambda could not deliver them.",
                "List them with their reasons (outreach dead-letters list), fix the cause, replay.",
                "alarm-deadletters",
            ),
            AlarmSpec(
                "TimelinesFailed",
                state_machine.metric_failed(period=PERIOD, statistic="Sum"),
                "An order timeline execution failed: that customer is no longer being kept informed.",
                "Read the timeline_failed alert and the execution, fix the cause, then outreach resume ORDER_ID.",
                "alarm-timelinesfailed",
            ),
            AlarmSpec(
                "TimelinesTimedOut",
                state_machine.metric_timed_out(period=PERIOD, statistic="Sum"),
                "An order timeline execution hit the state machine's time limit.",
                "Find the execution, check why the order never finished, then outreach resume ORDER_ID.",
                "alarm-timelinestimedout",
            ),
            AlarmSpec(
                "TimelinesAborted",
                state_machine.metric_aborted(period=PERIOD, statistic="Sum"),
                "Someone stopped an order timeline execution: its customer gets nothing more.",
                "If it was not meant to cancel the order, outreach resume ORDER_ID.",
                "alarm-timelinesaborted",
            ),
        ]
        for name, function in functions.items():
            title = str(name).capitalize()
            specs.append(
                AlarmSpec(
                    f"{title}Errors",
                    function.metric_errors(period=PERIOD, statistic="Sum"),
                    f"The {name} function failed invocations (retried; an event or step may be delayed).",
                    "Read the function's logs for the error; a failure that repeats reaches the dead letters or "
                    "fails a timeline.",
                    "alarm-lambda-errors",
                )
            )
            specs.append(
                AlarmSpec(
                    f"{title}Throttles",
                    function.metric_throttles(period=PERIOD, statistic="Sum"),
                    f"The {name} function was throttled (account or reserved concurrency exhausted).",
                    "Check the account's Lambda concurrency and what else runs in it; raise the quota.",
                    "alarm-lambda-throttles",
                )
            )
        specs += [
            AlarmSpec(
                "ContactsFailed",
                outreach_metric("ContactsFailed"),
                "A recipient refused a contact (invalid address, rejected number): the contact_failed alert names it.",
                "Correct the customer's contact data in the shop.",
                "alarm-contactsfailed",
            ),
            AlarmSpec(
                "ContactsParked",
                outreach_metric("ContactsParked"),
                "SES/SNS refuse to send for the account (sandbox, identity not verified, sending paused): "
                "contacts are parked.",
                "Fix the cause named in the contact_parked alert, then outreach contacts redrive.",
                "alarm-contactsparked",
            ),
            AlarmSpec(
                "ContactsUnconfirmed",
                outreach_metric("ContactsUnconfirmed"),
                "A send got no answer: the customer may or may not have the contact.",
                "Check the SES/SNS delivery logs for the recipient and time; send by hand if it did not go.",
                "alarm-contactsunconfirmed",
            ),
            AlarmSpec(
                "ContactsStuck",
                outreach_metric("ContactsStuck"),
                "The reconciler found contact claims still SENDING after 15 minutes (a sender stopped between the "
                "claim and the outcome); each is now UNCONFIRMED with its own contact_unconfirmed alert.",
                "outreach contacts unconfirmed; check the provider's logs; then outreach contacts resend, or skip "
                "--sent.",
                "alarm-contactsstuck",
            ),
            AlarmSpec(
                "TimersOverdue",
                outreach_metric("TimersOverdue"),
                "A wake-up timer did not fire: an order woke up to an hour late through its wait's safety net.",
                "Check EventBridge Scheduler (the timer group, its role) and the dead letters for timers.",
                "alarm-timersoverdue",
            ),
            AlarmSpec(
                "SlipRateHigh",
                self.slip_rate,
                "slip_rate_high: more than 5% of the orders of the last 7 days slipped. Not bad luck.",
                "Find and fix the root cause (a supplier, a workshop bottleneck, a padding factor too small: "
                "outreach advise-padding).",
                "alarm-slipratehigh",
                threshold=SLIP_RATE_THRESHOLD_PERCENT,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            ),
            AlarmSpec(
                "SesBounceRate",
                ses_reputation["BounceRate"],
                "The account's SES bounce rate passed 5%, where SES reviews an account (10% may pause sending).",
                "Find the bouncing addresses (SES events, contact_failed alerts) and their source in the shop.",
                "alarm-sesbouncerate",
                threshold=SES_BOUNCE_RATE_THRESHOLD,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            ),
            AlarmSpec(
                "SesComplaintRate",
                ses_reputation["ComplaintRate"],
                "The account's SES complaint rate passed 0.1%: customers mark our mail as spam.",
                "Read which contacts draw complaints; check nothing is sent twice or at night.",
                "alarm-sescomplaintrate",
                threshold=SES_COMPLAINT_RATE_THRESHOLD,
                comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            ),
        ]
        for spec in specs:
            self.add_alarm(spec)

        self.dashboard_name = f"{self._prefix}-outreach"
        self.dashboard = cloudwatch.Dashboard(self, "Dashboard", dashboard_name=self.dashboard_name)
        self.widgets = self._widgets(
            state_machine, functions, dead_letter_queue, configuration_set_name, ses_reputation
        )
        for row in self.widgets:
            self.dashboard.add_widgets(*row)

    def add_alarm(self, spec: AlarmSpec) -> cloudwatch.Alarm:
        """An alarm named ``<stack>-<name>`` with ALARM and OK actions to the ops topic (other constructs may
        add theirs, e.g. ContactsStuck, the same way)."""
        alarm = cloudwatch.Alarm(
            self,
            spec.name,
            alarm_name=f"{self._prefix}-{spec.name}",
            metric=spec.metric,
            threshold=spec.threshold,
            evaluation_periods=1,
            comparison_operator=spec.comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"{spec.means} Do: {spec.do} Runbook: {runbook_link(spec.runbook)}",
        )
        alarm.add_alarm_action(self._action)
        alarm.add_ok_action(self._action)
        self.alarms[spec.name] = alarm
        return alarm

    def _widgets(
        self,
        state_machine: sfn.IStateMachine,
        functions: Mapping[str, lambda_.IFunction],
        dead_letter_queue: sqs.IQueue,
        configuration_set_name: str,
        ses_reputation: Mapping[str, cloudwatch.IMetric],
    ) -> list[list[cloudwatch.IWidget]]:
        def graph(title: str, left: list[cloudwatch.IMetric], **options: object) -> cloudwatch.GraphWidget:
            return cloudwatch.GraphWidget(title=title, left=left, width=12, **options)  # type: ignore[arg-type]

        def sent(channel: str) -> list[cloudwatch.IMetric]:
            return [
                outreach_metric("ContactsSentByKind", label=kind, kind=kind, channel=channel) for kind in CONTACT_KINDS
            ]

        ses = [
            cloudwatch.Metric(
                namespace="AWS/SES",
                metric_name=event,
                dimensions_map={SES_DIMENSION: configuration_set_name},
                statistic="Sum",
                period=PERIOD,
                label=event,
            )
            for event in ("Send", "Delivery", "Bounce", "Complaint", "Reject")
        ]
        return [
            [cloudwatch.AlarmStatusWidget(title="Outreach alarms", alarms=list(self.alarms.values()), width=24)],
            [
                graph(
                    "Orders started and finished",
                    [
                        outreach_metric("OrdersPlaced", label="orders placed"),
                        state_machine.metric_started(period=PERIOD, label="timelines started"),
                        state_machine.metric_succeeded(period=PERIOD, label="timelines finished"),
                    ],
                ),
                graph(
                    "Timelines failed, timed out, aborted",
                    [
                        state_machine.metric_failed(period=PERIOD, label="failed"),
                        state_machine.metric_timed_out(period=PERIOD, label="timed out"),
                        state_machine.metric_aborted(period=PERIOD, label="aborted"),
                    ],
                ),
            ],
            [
                graph("E-mails sent per contact kind", sent("email"), stacked=True),
                graph("SMS sent per contact kind", sent("sms"), stacked=True),
            ],
            [
                graph(
                    "Delay notices and broken promises",
                    [
                        outreach_metric(
                            "ContactsSentByKind", label="delay notices (e-mail)", kind="delay_notice", channel="email"
                        ),
                        outreach_metric("PromisesBroken", label="new dates given"),
                    ],
                    right=[self.broken_promise_rate],
                ),
                graph(
                    "Slip rate (7 days) against the 5% line",
                    [self.slip_rate],
                    left_annotations=[
                        cloudwatch.HorizontalAnnotation(value=SLIP_RATE_THRESHOLD_PERCENT, label="5%: a root cause")
                    ],
                ),
            ],
            [
                graph(
                    "Events rejected and dead letters",
                    [
                        outreach_metric("EventsAccepted", label="accepted"),
                        outreach_metric("EventsRejected", label="rejected"),
                        outreach_metric("EventsIgnored", label="ignored (no longer matter)"),
                    ],
                    right=[
                        dead_letter_queue.metric_approximate_number_of_messages_visible(
                            period=PERIOD, statistic="Maximum", label="dead letters waiting"
                        )
                    ],
                ),
                graph(
                    "Contacts failed, parked, unconfirmed, stuck, retried",
                    [
                        outreach_metric(name, label=name.removeprefix("Contacts").lower())
                        for name in (
                            "ContactsFailed",
                            "ContactsParked",
                            "ContactsUnconfirmed",
                            "ContactsStuck",
                            "ContactsRetried",
                        )
                    ],
                ),
            ],
            [
                graph(
                    "Lambda errors and throttles",
                    [f.metric_errors(period=PERIOD, label=f"{n} errors") for n, f in functions.items()],
                    right=[f.metric_throttles(period=PERIOD, label=f"{n} throttles") for n, f in functions.items()],
                ),
                graph(
                    "Timers overdue",
                    [outreach_metric("TimersOverdue", label="wake-ups whose timer did not fire")],
                ),
            ],
            [
                graph("SES events (customer mail)", ses),
                graph(
                    "SES bounce and complaint rates",
                    list(ses_reputation.values()),
                    left_annotations=[
                        cloudwatch.HorizontalAnnotation(value=SES_BOUNCE_RATE_THRESHOLD, label="bounce review 5%"),
                        cloudwatch.HorizontalAnnotation(
                            value=SES_COMPLAINT_RATE_THRESHOLD, label="complaint review 0.1%"
                        ),
                    ],
                ),
            ],
        ]
