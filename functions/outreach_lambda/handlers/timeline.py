"""State machine task: one step of the order's timeline ("Record order and promise", "Apply ...")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from aws_lambda_powertools.utilities.parser import BaseModel, Field, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services import timeline
from outreach_lambda.settings import get_settings


class StepRequest(BaseModel):
    step: Literal["start", "advance"]
    order_id: str = Field(alias="orderId", min_length=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=StepRequest)
def handler(event: StepRequest, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(order_id=event.order_id, step=event.step)
    return timeline.step(event.order_id, datetime.now(UTC), get_settings())
