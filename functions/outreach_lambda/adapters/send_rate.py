"""A send-rate limiter shared by every execution: at most ``rate`` e-mails per one-second window.

SES enforces its maximum send rate per second. One DynamoDB item (``RATE#email`` / ``WINDOW``) holds the
current window's start and how many sends it holds; a reservation takes a place in the current window,
or the first window with room, with one conditional write (optimistic, retried on contention). Up to
``rate`` contacts of the same instant go at once; the 15th at 14/s waits for the next second. A rate
below 1/s uses windows of 1/rate seconds with room for one.

No read first: the write assumes the window it expects (at first: an older one, the usual case when sends
are sparse, so one request reserves a place); when the condition fails, DynamoDB returns the item as it is
(``ReturnValuesOnConditionCheckFailure``) and the next attempt is built from that.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from outreach_lambda.adapters.aws import CONDITION_FAILED, error_code, from_wire, update_item

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
        current = math.floor(now.timestamp() / self._window) * self._window
        known: dict[str, Any] | None = None  # the item as last seen; None: assume an older window
        for _ in range(MAX_ATTEMPTS):
            if known is None or float(known["start"]) < current:
                start, used = current, 0
                condition = "attribute_not_exists(pk) OR #s < :s"
                values: dict[str, Any] = {}
            else:
                start, used = float(known["start"]), int(known["used"])
                if used >= self._capacity:
                    start, used = start + self._window, 0
                condition = "#s = :old_s AND #u = :old_u"
                values = {":old_s": known["start"], ":old_u": known["used"]}
            try:
                update_item(
                    self._name,
                    Key=KEY,
                    UpdateExpression="SET #s = :s, #u = :u",
                    ConditionExpression=condition,
                    ExpressionAttributeNames={"#s": "start", "#u": "used"},
                    ExpressionAttributeValues={":s": Decimal(str(start)), ":u": used + 1, **values},
                    ReturnValuesOnConditionCheckFailure="ALL_OLD",
                )
            except ClientError as exc:
                if error_code(exc) not in CONDITION_FAILED:
                    raise
                current_item: Any = exc.response.get("Item")  # another execution took a place: as it is now
                if not isinstance(current_item, dict):
                    raise SendRateContention("the rate window's condition failed without the item") from exc
                known = from_wire(current_item)  # (low-level DynamoDB JSON, as every error response holds it)
                continue
            return now if start <= now.timestamp() else datetime.fromtimestamp(start, UTC)
        raise SendRateContention(f"no send slot after {MAX_ATTEMPTS} attempts")
