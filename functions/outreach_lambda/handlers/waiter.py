"""State machine task (.waitForTaskToken): park the execution until the next contact or order event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import BaseModel, Field, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime

from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services import waiter
from outreach_lambda.settings import get_settings


class WaitRequest(BaseModel):
    order_id: str = Field(alias="orderId", min_length=1)
    wake_at: AwareDatetime | None = Field(alias="wakeAt")
    task_token: str = Field(alias="taskToken", min_length=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=WaitRequest)
def handler(event: WaitRequest, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(order_id=event.order_id)
    outcome = waiter.park(event.order_id, event.task_token, event.wake_at, datetime.now(UTC), get_settings())
    return {"orderId": event.order_id, "outcome": outcome}
