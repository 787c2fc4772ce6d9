"""State machine task (.waitForTaskToken): park the execution until the next contact or order event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.adapters.timers import SchedulerTimers
from outreach_lambda.adapters.workflow import TaskTokens
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services.waiter import Waiter
from outreach_lambda.settings import WaiterSettings, load
from outreach_lambda.step_contract import WaitRequest, WaitResult


@once
def service() -> Waiter:
    settings = load(WaiterSettings)
    return Waiter(
        orders=OrdersRepository(settings.orders_table),
        timers=SchedulerTimers(settings.schedule_group, settings.timer_target_arn, settings.timer_role_arn),
        tokens=TaskTokens(),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=WaitRequest)
def handler(event: WaitRequest, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(order_id=event.order_id)
    outcome = service().park(event.order_id, event.task_token, event.wake_at, datetime.now(UTC))
    return WaitResult(order_id=event.order_id, outcome=outcome).to_payload()
