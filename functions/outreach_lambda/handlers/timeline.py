"""The timeline function: advances an order's timeline (services/timeline.py).

Three callers, told apart by what they send (step_contract.py):
- the state machine's first task, and "Advance the order" (a wait that could not park or timed out):
  :class:`RecordRequest` -> the state data;
- intake, asynchronously, with a token it claimed: :class:`WakeRequest` -> advances the order;
- a "Waiting for ..." task of an execution started under the older definition (``lambda:invoke
  .waitForTaskToken``): :class:`WaitRequest` -> parks the order, or advances it. The current definition's waits
  park with their own DynamoDB write; this entry point stays until the older executions have ended
  (docs/runbook.md, "Deploying the SDK park").
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.actions import action_links
from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.adapters.messaging import CustomerChannels, SesSuppressionList, SnsAlerts
from outreach_lambda.adapters.opt_outs import DynamoOptOuts
from outreach_lambda.adapters.orders import OrdersRepository
from outreach_lambda.adapters.send_rate import SendRateLimiter
from outreach_lambda.adapters.timers import SchedulerTimers
from outreach_lambda.adapters.workflow import TaskTokens
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, traced
from outreach_lambda.services.sender import Sender
from outreach_lambda.services.timeline import Timeline
from outreach_lambda.settings import TimelineSettings, load
from outreach_lambda.step_contract import RecordRequest, WaitRequest, WaitResult, WakeRequest


@once
def service() -> Timeline:
    settings = load(TimelineSettings)
    orders = OrdersRepository(settings.orders_table)
    alerts = SnsAlerts(settings.ops_topic_arn)
    sender = Sender(
        orders,
        ContactLedger(settings.contacts_table),
        CustomerChannels(settings.sender_email, settings.ses_configuration_set, settings.reply_to_email),
        alerts,
        settings.config,
        DynamoOptOuts(settings.contacts_table),
        SesSuppressionList(),
        links=action_links(settings.link_key_secret_arn, settings.actions_base_url, settings.config),
    )
    return Timeline(
        orders=orders,
        alerts=alerts,
        slots=SendRateLimiter(settings.orders_table, settings.config.ses_send_rate),
        sender=sender,
        timers=SchedulerTimers(
            settings.schedule_group,
            settings.timer_target_arn,
            settings.timer_role_arn,
            settings.timer_dead_letter_arn,
        ),
        tokens=TaskTokens(),
        config=settings.config,
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    now = datetime.now(UTC)
    if "wokenBy" in event:
        wake = WakeRequest.model_validate(event)
        logger.append_keys(order_id=wake.order_id, woken_by=wake.woken_by)
        result = service().wake(wake.order_id, wake.task_token, now)
        return result.to_payload() if result else {"orderId": wake.order_id, "outcome": "failed"}
    if "taskToken" in event:
        wait = WaitRequest.model_validate(event)
        logger.append_keys(order_id=wait.order_id, phase=wait.phase)
        outcome = service().wait(wait.order_id, wait.phase, wait.task_token, wait.wake_at, now)
        return WaitResult(order_id=wait.order_id, outcome=outcome).to_payload()
    record = RecordRequest.model_validate(event)
    logger.append_keys(order_id=record.order_id)
    return service().record(record.order_id, now).to_payload()
