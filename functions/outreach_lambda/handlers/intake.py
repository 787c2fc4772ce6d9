"""EventBridge -> intake: validate the order event and hand it to its order's timeline."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services import intake
from outreach_lambda.settings import get_settings


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    result = intake.handle(event, datetime.now(UTC), get_settings())
    return {"outcome": result.outcome, "orderIds": result.order_ids, "reason": result.reason}
