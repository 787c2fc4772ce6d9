"""State machine task: one step of the order's timeline ("Record order and promise", "Apply ...")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.messaging import SnsAlerts
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.adapters.send_rate import SendRateLimiter
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services.timeline import Timeline
from outreach_lambda.settings import TimelineSettings, load
from outreach_lambda.step_contract import TimelineRequest


@once
def service() -> Timeline:
    settings = load(TimelineSettings)
    return Timeline(
        orders=OrdersRepository(settings.orders_table),
        alerts=SnsAlerts(settings.ops_topic_arn),
        slots=SendRateLimiter(settings.orders_table, settings.config.ses_send_rate),
        config=settings.config,
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=TimelineRequest)
def handler(event: TimelineRequest, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(order_id=event.order_id)
    return service().step(event.order_id, datetime.now(UTC)).to_payload()
