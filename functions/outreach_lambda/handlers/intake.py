"""EventBridge -> intake: validate the order event and hand it to its order's timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.actions import BusEvents
from outreach_lambda.adapters.conversations import ConversationsRepository
from outreach_lambda.adapters.dead_letters import SqsDeadLetters
from outreach_lambda.adapters.messaging import AsyncInvoke, SnsAlerts
from outreach_lambda.adapters.opt_outs import DynamoOptOuts
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.adapters.timers import SchedulerTimers
from outreach_lambda.adapters.workflow import Executions
from outreach_lambda.cold_start import once
from outreach_lambda.domain.events import TIMER_SOURCE
from outreach_lambda.observability import logger, metrics, traced
from outreach_lambda.services.intake import Intake
from outreach_lambda.settings import IntakeSettings, load


@once
def service() -> Intake:
    settings = load(IntakeSettings)
    return Intake(
        orders=OrdersRepository(settings.orders_table),
        executions=Executions(settings.state_machine_arn),
        timeline=AsyncInvoke(settings.timeline_function_name),
        dead_letters=SqsDeadLetters(settings.dead_letter_queue_url),
        sender=AsyncInvoke(settings.sender_function_name),
        alerts=SnsAlerts(settings.ops_topic_arn),
        config=settings.config,
        conversations=ConversationsRepository(settings.orders_table),
        opt_outs=DynamoOptOuts(settings.contacts_table),
        timers=SchedulerTimers(
            settings.schedule_group,
            settings.timer_target_arn,
            settings.timer_role_arn,
            settings.timer_dead_letter_arn,
        ),
        bus=BusEvents(settings.event_bus_name, source=TIMER_SOURCE),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    # Parsed by the service, not by a decorator: an invalid event (even one that is not a JSON object) is
    # dead-lettered with its reason. The context says how long it may still run (a large sku delay goes on in
    # a continuation of intake when time runs short).
    return service().handle(event, datetime.now(UTC), context).to_payload()
