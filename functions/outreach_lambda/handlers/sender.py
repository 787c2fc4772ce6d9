"""State machine task ("Send contact"): send one contact on one channel, at most once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import BaseModel, Field, event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.domain.timeline import ContactOrder
from outreach_lambda.observability import logger, metrics, tracer
from outreach_lambda.services import sender
from outreach_lambda.settings import get_settings


class SendRequest(BaseModel):
    order_id: str = Field(alias="orderId", min_length=1)
    contact: ContactOrder


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=SendRequest)
def handler(event: SendRequest, context: LambdaContext) -> dict[str, Any]:
    logger.append_keys(orderId=event.order_id, contact=event.contact.key)
    return sender.send(event.order_id, event.contact, datetime.now(UTC), get_settings())
