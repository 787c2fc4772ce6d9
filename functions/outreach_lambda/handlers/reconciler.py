"""Scheduled (EventBridge rule): finds contact claims stuck in SENDING, marks them UNCONFIRMED, tells ops."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.contacts import ContactLedger
from outreach_lambda.adapters.messaging import SnsAlerts
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, traced
from outreach_lambda.services.reconciler import Reconciler
from outreach_lambda.settings import ReconcilerSettings, load


@once
def service() -> Reconciler:
    settings = load(ReconcilerSettings)
    return Reconciler(ledger=ContactLedger(settings.contacts_table), alerts=SnsAlerts(settings.ops_topic_arn))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced
def handler(event: Any, context: LambdaContext) -> dict[str, Any]:
    # The scheduled event carries nothing the run needs: it looks at the ledger as it is now.
    return service().run(datetime.now(UTC)).to_payload()
