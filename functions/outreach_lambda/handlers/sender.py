"""Sends one contact on one channel, at most once, outside an order's timeline step.

Invoked by intake (asynchronously) for a catalog follow-up or a feedback acknowledgement after the timeline
ended, and by ``outreach contacts redrive`` for a parked contact once its cause is fixed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.parser import event_parser
from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.actions import action_links
from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.adapters.conversations import ConversationsRepository
from outreach_lambda.adapters.messaging import CustomerChannels, SesSuppressionList, SnsAlerts
from outreach_lambda.adapters.opt_outs import DynamoOptOuts
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, traced
from outreach_lambda.services.sender import Sender
from outreach_lambda.settings import SenderSettings, load
from outreach_lambda.step_contract import CatalogSendRequest, MessageAckRequest, SendRequest


@once
def service() -> Sender:
    settings = load(SenderSettings)
    return Sender(
        orders=OrdersRepository(settings.orders_table),
        ledger=ContactLedger(settings.contacts_table),
        messenger=CustomerChannels(settings.sender_email, settings.ses_configuration_set, settings.reply_to_email),
        alerts=SnsAlerts(settings.ops_topic_arn),
        config=settings.config,
        links=action_links(settings.link_key_secret_arn, settings.actions_base_url, settings.config),
        opt_outs=DynamoOptOuts(settings.contacts_table),
        suppression=SesSuppressionList(),
        conversations=ConversationsRepository(settings.orders_table),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
@event_parser(model=SendRequest | CatalogSendRequest | MessageAckRequest)  # type: ignore[arg-type]
def handler(event: SendRequest | CatalogSendRequest | MessageAckRequest, context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    if isinstance(event, CatalogSendRequest):
        logger.append_keys(requestId=event.request_id)
        return (
            service()
            .send_catalog_follow_up(event.request_id, now, event.redrive, event.kind or "catalog_follow_up")
            .to_payload()
        )
    if isinstance(event, MessageAckRequest):
        logger.append_keys(messageId=event.message_id)
        return service().send_message_acknowledgement(event.message_id, now, event.redrive).to_payload()
    logger.append_keys(order_id=event.order_id, contact=event.contact.key)
    return service().send(event.order_id, event.contact, now, event.redrive, event.feedback).to_payload()
