"""Order events in: the custom EventBridge bus, the rule routing every event to intake, and the one DLQ."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

#: How often EventBridge retries delivering an event to intake, and for how long, before the DLQ.
RULE_RETRY_ATTEMPTS = 8
RULE_MAX_EVENT_AGE = Duration.hours(2)


class OrderEvents(Construct):
    """The ``outreach-orders`` bus and the single "order events dead letters" queue.

    The queue collects, in one place ops can watch, every event that did not get applied: events EventBridge
    could not deliver to intake, asynchronous intake invocations that kept failing, and events intake itself
    rejected (invalid, or about an unknown order). Timer wake-ups from EventBridge Scheduler come back on the
    same bus, so they take the same path as order events.
    """

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{stack.stack_name}-outreach-orders")
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.rule: events.Rule | None = None

    def route_to_intake(self, intake: lambda_.IFunction) -> events.Rule:
        """Send every event on the bus to ``intake``; undeliverable events end in the dead-letter queue."""
        self.rule = events.Rule(
            self,
            "AllOrderEvents",
            description="Every event on the Outreach bus (order events and timer wake-ups) goes to intake",
            event_bus=self.bus,
            event_pattern=events.EventPattern(source=events.Match.prefix("")),
            targets=[
                targets.LambdaFunction(
                    intake,
                    dead_letter_queue=self.dead_letter_queue,
                    retry_attempts=RULE_RETRY_ATTEMPTS,
                    max_event_age=RULE_MAX_EVENT_AGE,
                )
            ],
        )
        return self.rule
