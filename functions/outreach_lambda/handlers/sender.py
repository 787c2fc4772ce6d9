"""Sends one contact on one channel, at most once.

Invoked by the state machine ("Send contact": an order's contact) and by intake (asynchronously) for
contacts outside a running timeline: a catalog follow-up, or a feedback acknowledgement after the end.
"""

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


class CatalogSendRequest(BaseModel):
    request_id: str = Field(alias="requestId", min_length=1)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler
@event_parser(model=SendRequest | CatalogSendRequest)  # type: ignore[arg-type]
def handler(event: SendRequest | CatalogSendRequest, context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    if isinstance(event, CatalogSendRequest):
        logger.append_keys(requestId=event.request_id)
        return sender.send_catalog_follow_up(event.request_id, now, get_settings())
    logger.append_keys(order_id=event.order_id, contact=event.contact.key)
    return sender.send(event.order_id, event.contact, now, get_settings())
