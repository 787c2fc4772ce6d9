"""Alarms to the ops topic (and a small dashboard): dead letters, failed timelines, Lambda errors."""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

PERIOD = Duration.minutes(5)
SLIP_RATE_THRESHOLD_PERCENT = 5
#: Powertools Metrics (functions/outreach_lambda/observability.py) publish here, with dimension service.
METRICS_NAMESPACE = "Outreach"
SERVICE = "outreach"


def _outreach_metric(name: str, period: Duration, label: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE},
        statistic="Sum",
        period=period,
        label=label,
    )


class Monitoring(Construct):
    """Every alarm fires on the first occurrence: each one means a customer may not have been informed."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        ops_topic: sns.ITopic,
        dead_letter_queue: sqs.IQueue,
        state_machine: sfn.IStateMachine,
        functions: Mapping[str, lambda_.IFunction],
    ) -> None:
        super().__init__(scope, construct_id)
        action = cw_actions.SnsAction(ops_topic)
        self.alarms: list[cloudwatch.Alarm] = []

        def alarm(construct_id: str, metric: cloudwatch.IMetric, description: str) -> cloudwatch.Alarm:
            created = cloudwatch.Alarm(
                self,
                construct_id,
                metric=metric,
                threshold=1,
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
            created.add_alarm_action(action)
            self.alarms.append(created)
            return created

        alarm(
            "DeadLettersVisible",
            dead_letter_queue.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum"),
            "Order events are waiting in the dead-letter queue: rejected, undeliverable or failed events",
        )
        alarm(
            "TimelineExecutionsFailed",
            state_machine.metric_failed(period=PERIOD, statistic="Sum"),
            "An order timeline execution failed: that customer is no longer being kept informed",
        )
        for name, function in functions.items():
            alarm(
                f"{name.capitalize()}Errors",
                function.metric_errors(period=PERIOD, statistic="Sum"),
                f"The {name} function reported errors",
            )

        # A problem on more than 5% of orders is not bad luck: a root cause to fix. Rolling 7 days, one
        # period (CloudWatch allows Period x EvaluationPeriods up to 7 days).
        week = Duration.days(7)
        slipped = _outreach_metric("OrdersSlipped", week, "orders whose forecast slipped (absorbed or broken)")
        placed = _outreach_metric("OrdersPlaced", week, "orders placed")
        self.slip_rate = cloudwatch.MathExpression(
            expression="IF(placed > 0, 100 * slipped / placed, 0)",
            using_metrics={"slipped": slipped, "placed": placed},
            period=week,
            label="slipped orders, % of orders placed (7 days)",
        )
        self.slip_rate_alarm = cloudwatch.Alarm(
            self,
            "SlipRateHigh",
            metric=self.slip_rate,
            threshold=SLIP_RATE_THRESHOLD_PERCENT,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=(
                "slip_rate_high: more than 5% of the orders of the last 7 days slipped. Not bad luck: find and fix "
                "the root cause (a supplier, a workshop bottleneck, a padding factor too small: "
                "see `outreach advise-padding`)."
            ),
        )
        self.slip_rate_alarm.add_alarm_action(action)
        self.alarms.append(self.slip_rate_alarm)

        # --- stuck claims (issue 9): a contact claimed but never finished; the reconciler counts them -------
        self.contacts_stuck_alarm = alarm(
            "ContactsStuck",
            _outreach_metric("ContactsStuck", Duration.minutes(15), "contact claims stuck in SENDING"),
            "contacts_stuck: a contact was claimed but its send never finished (the sender stopped). The reconciler "
            "marked it UNCONFIRMED and sent contact_unconfirmed per contact: see docs/runbook.md.",
        )
        # --- end of stuck claims ------------------------------------------------------------------------------

        stack = Stack.of(self)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Dashboard",
            dashboard_name=f"{stack.stack_name}-outreach",
            widgets=[
                [
                    cloudwatch.AlarmStatusWidget(title="Outreach alarms", alarms=self.alarms, width=24),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Order timelines",
                        left=[
                            state_machine.metric_started(period=PERIOD),
                            state_machine.metric_succeeded(period=PERIOD),
                            state_machine.metric_failed(period=PERIOD),
                        ],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(title="Promises", left=[self.slip_rate], width=12),
                    cloudwatch.GraphWidget(
                        title="Lambda errors",
                        left=[f.metric_errors(period=PERIOD, label=n) for n, f in functions.items()],
                        right=[
                            dead_letter_queue.metric_approximate_number_of_messages_visible(
                                period=PERIOD, label="dead letters"
                            )
                        ],
                        width=12,
                    ),
                ],
            ],
        )
