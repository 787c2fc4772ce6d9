"""Order events in: the custom EventBridge bus, its archive, the rules routing events to intake, and the DLQ."""

from __future__ import annotations

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from outreach_lambda.domain.events import DETAIL_TYPES, INTERNAL_DETAIL_TYPES, INTERNAL_SOURCES

#: How often EventBridge retries delivering an event to intake, and for how long, before the DLQ.
RULE_RETRY_ATTEMPTS = 8
RULE_MAX_EVENT_AGE = Duration.hours(2)
#: The detail-types the shop's systems send (domain/events.py), and the internal ones (timers).
ORDER_DETAIL_TYPES = sorted(set(DETAIL_TYPES) - INTERNAL_DETAIL_TYPES)
INTERNAL_TYPES = sorted(INTERNAL_DETAIL_TYPES)
INTERNAL = sorted(INTERNAL_SOURCES)


def unserved_pattern() -> dict[str, object]:
    """Everything the two served rules leave out: an unknown detail-type, or an internal detail-type from
    outside, or an external one from the internal source. Intake rejects each with its reason (dead-letter
    queue, ``UNKNOWN_DETAIL_TYPE`` / ``SOURCE_MISMATCH``): nothing on the bus is silently dropped."""
    return {
        "$or": [
            {"detail-type": [{"anything-but": sorted(DETAIL_TYPES)}]},
            {"detail-type": INTERNAL_TYPES, "source": [{"anything-but": INTERNAL}]},
            {"detail-type": ORDER_DETAIL_TYPES, "source": INTERNAL},
        ]
    }


class OrderEvents(Construct):
    """The ``<stack>-outreach-orders`` bus, its archive and the single "order events dead letters" queue.

    The queue collects, in one place ops can watch, every event that did not get applied: events EventBridge
    could not deliver to intake, asynchronous intake invocations that kept failing, and events intake itself
    rejected (invalid, unknown detail-type, or about an unknown order). Timer wake-ups from EventBridge
    Scheduler come back on the same bus, so they take the same path as order events. The archive keeps every
    order event (not the timers: a replayed old timer means nothing) for ``archive_retention``, for replays.
    """

    def __init__(self, scope: Construct, construct_id: str, *, archive_retention: Duration) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        self.bus = events.EventBus(self, "Bus", event_bus_name=f"{stack.stack_name}-outreach-orders")
        self.archive = self.bus.archive(
            "Archive",
            archive_name=f"{stack.stack_name}-order-events",
            description="Every order event from the shop's systems, for replays (not the internal timers)",
            event_pattern=events.EventPattern(source=events.Match.anything_but(*INTERNAL)),
            retention=archive_retention,
        )
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        self.rules: dict[str, events.Rule] = {}

    def route_to_intake(self, intake: lambda_.IFunction) -> dict[str, events.Rule]:
        """Route the order events, the timer wake-ups and (to be rejected with a reason) everything else to
        ``intake``; events EventBridge cannot deliver end in the dead-letter queue."""
        patterns = {
            "OrderEvents": (
                "Order events from the shop's systems (any source but the internal one) go to intake",
                events.EventPattern(detail_type=ORDER_DETAIL_TYPES, source=events.Match.anything_but(*INTERNAL)),
            ),
            "TimerWakeUps": (
                "One-time wake-up timers (EventBridge Scheduler) and intake's own sku delay continuations go to intake",
                events.EventPattern(detail_type=INTERNAL_TYPES, source=INTERNAL),
            ),
            "UnservedEvents": (
                "Events no other rule serves go to intake, which dead-letters each with its reason",
                # Replaced below by unserved_pattern(): CDK's EventPattern has no "$or".
                events.EventPattern(detail_type=events.Match.anything_but(*sorted(DETAIL_TYPES))),
            ),
        }
        for name, (description, pattern) in patterns.items():
            self.rules[name] = events.Rule(
                self,
                name,
                description=description,
                event_bus=self.bus,
                event_pattern=pattern,
                targets=[
                    targets.LambdaFunction(
                        intake,
                        dead_letter_queue=self.dead_letter_queue,
                        retry_attempts=RULE_RETRY_ATTEMPTS,
                        max_event_age=RULE_MAX_EVENT_AGE,
                    )
                ],
            )
        unserved = self.rules["UnservedEvents"].node.default_child
        assert isinstance(unserved, events.CfnRule)
        unserved.add_property_override("EventPattern", unserved_pattern())
        unserved.add_property_deletion_override("EventPattern.detail-type")  # the placeholder's own key
        return self.rules
