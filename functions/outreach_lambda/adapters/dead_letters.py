"""Rejected events go to the dead-letter queue with their reason, in the shape EventBridge uses for its
own DLQ messages (the original event as body, ERROR_CODE / ERROR_MESSAGE attributes)."""

from __future__ import annotations

import json
from typing import Any

from outreach_lambda.adapters.aws import client


class SqsDeadLetters:
    def __init__(self, queue_url: str) -> None:
        self._queue_url = queue_url

    def reject(self, event: Any, code: str, reason: str) -> None:
        client("sqs").send_message(
            QueueUrl=self._queue_url,
            MessageBody=json.dumps(event, default=str),
            MessageAttributes={
                "ERROR_CODE": {"DataType": "String", "StringValue": code},
                "ERROR_MESSAGE": {"DataType": "String", "StringValue": reason[:1000]},
            },
        )
