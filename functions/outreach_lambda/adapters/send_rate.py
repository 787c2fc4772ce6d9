"""A send-rate limiter shared by every execution: at most ``rate`` e-mails per one-second window.

SES enforces its maximum send rate per second. One DynamoDB item (``RATE#email`` / ``WINDOW``) holds the
current window's start and how many sends it holds; a reservation takes a place in the current window,
or the first window with room, with a conditional write (optimistic, retried on contention). Up to
``rate`` contacts of the same instant go at once; the 15th at 14/s waits for the next second. A rate
below 1/s uses windows of 1/rate seconds with room for one.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import CONDITION_FAILED, error_code, table

KEY = {"pk": "RATE#email", "sk": "WINDOW"}
MAX_ATTEMPTS = 100


class SendRateContention(RuntimeError):
    pass


class SendRateLimiter:
    def __init__(self, table_name: str, per_second: float) -> None:
        self._name = table_name
        self._window = max(1.0, 1.0 / per_second)  # seconds
        self._capacity = max(1, math.floor(per_second * self._window))

    def reserve(self, now: datetime) -> datetime:
        """The instant this send may go: ``now``, or the start of the first later window with room."""
        tbl = table(self._name)
        current = math.floor(now.timestamp() / self._window) * self._window
        for _ in range(MAX_ATTEMPTS):
            item = tbl.get_item(Key=KEY, ConsistentRead=True).get("Item")
            start, used = (float(item["start"]), int(item["used"])) if item else (current, 0)
            if start < current:
                start, used = current, 0
            if used >= self._capacity:
                start, used = start + self._window, 0
            new = {"start": Decimal(str(start)), "used": used + 1}
            try:
                if item is None:
                    tbl.put_item(Item={**KEY, **new}, ConditionExpression="attribute_not_exists(pk)")
                else:
                    tbl.update_item(
                        Key=KEY,
                        UpdateExpression="SET #s = :s, #u = :u",
                        ConditionExpression="#s = :old_s AND #u = :old_u",
                        ExpressionAttributeNames={"#s": "start", "#u": "used"},
                        ExpressionAttributeValues={
                            ":s": new["start"],
                            ":u": new["used"],
                            ":old_s": item["start"],
                            ":old_u": item["used"],
                        },
                    )
            except ClientError as exc:
                if error_code(exc) in CONDITION_FAILED:
                    continue  # another execution took a place: read again
                raise
            return now if start <= now.timestamp() else datetime.fromtimestamp(start, UTC)
        raise SendRateContention(f"no send slot after {MAX_ATTEMPTS} attempts")
