"""Claims left in SENDING: found, reported and resolved, never sent blindly again.

A contact is claimed (SENDING) before it is sent and finished right after the provider answered. A claim still
SENDING long after it was made means the process sending it died in between (a crash, a timeout, the runtime
recycled). Whether the provider accepted the message is unknown: the process may have died before or after
the call, and neither SES nor SNS can be asked about a message by our key (SES ``SendEmail`` and SNS ``Publish``
are looked up by *their* message id, which was never recorded). So a stuck claim is never re-sent on its own:
it becomes UNCONFIRMED, and ops get one ``contact_unconfirmed`` per contact with what to check and the command
that resends it (after a human checked it did not go) or settles it.

The reconciler runs on a schedule (``wiring.FUNCTIONS[RECONCILER].every``); it finds the stuck claims with one
Query of the contacts table's sparse index of claims in flight (never a Scan) and publishes ``ContactsStuck``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from outreach_lambda.adapters.contacts import CLAIMED_AT
from outreach_lambda.observability import logger, metrics
from outreach_lambda.ports import Alerts, ContactLedger, LedgerStatus

#: A claim older than this is stuck: no sender runs that long (the functions time out after 30 s, and Lambda
#: after 15 minutes at most), so its process is gone.
STUCK_AFTER = timedelta(minutes=15)


class ReconcileResult(BaseModel):
    model_config = ConfigDict(populate_by_name=True, frozen=True)

    stuck: int = Field(description="claims found in SENDING for longer than STUCK_AFTER")
    unconfirmed: list[str] = Field(default_factory=list, description="ledger keys (pk/sk) marked UNCONFIRMED")

    def to_payload(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


def owner_args(entry: dict[str, Any]) -> str:
    """How ``outreach contacts resend|skip`` names the contact's owner: a customer message (``--message ID``: its
    acknowledgement lives under the message, even when the message names an order), an order id, or
    ``--request ID``."""
    if entry.get("conversationId"):
        return f"--message {entry['conversationId']}"
    return str(entry["orderId"]) if entry.get("orderId") else f"--request {entry.get('requestId', '')}"


def runbook(entry: dict[str, Any]) -> dict[str, str]:
    """What ops do with an unconfirmed contact (docs/runbook.md, ``contact_unconfirmed``)."""
    who, key = owner_args(entry), entry["sk"]
    where = "the SES event destination" if entry.get("channel") == "email" else "the SNS SMS delivery logs"
    return {
        "check": f"{where}, for this recipient around {entry.get('at', 'the claim')}",
        "ifNotSent": f"outreach contacts resend {who} {key}",
        "ifSent": f"outreach contacts skip {who} {key} --sent",
    }


@dataclass(frozen=True)
class Reconciler:
    ledger: ContactLedger
    alerts: Alerts

    def run(self, now: datetime) -> ReconcileResult:
        stuck = self.ledger.stuck(now - STUCK_AFTER)
        metrics.add_metric(name="ContactsStuck", unit="Count", value=len(stuck))
        settled = [entry for entry in stuck if self._settle(entry, now)]
        return ReconcileResult(stuck=len(stuck), unconfirmed=[f"{e['pk']}/{e['sk']}" for e in settled])

    def _settle(self, entry: dict[str, Any], now: datetime) -> bool:
        fields = {
            "error": f"claimed at {entry[CLAIMED_AT]} and never finished: the sender stopped before or after the "
            "provider call",
            "errorCode": "StuckClaim",
            "failedAt": now.isoformat(),
        }
        if not self.ledger.settle_stuck(entry["pk"], entry["sk"], entry[CLAIMED_AT], LedgerStatus.UNCONFIRMED, fields):
            return False  # the sender finished it meanwhile
        owner = {k: entry[k] for k in ("orderId", "requestId") if entry.get(k)}
        details = {
            **owner,
            "key": entry["sk"],
            "kind": entry.get("kind"),
            "channel": entry.get("channel"),
            "claimedAt": entry[CLAIMED_AT],
            "attempt": int(entry.get("attempts", 1)),
            "errorCode": "StuckClaim",
            "action": runbook(entry),
        }
        alert: dict[str, Any] = {"kind": "contact_unconfirmed", "at": now.isoformat(), "details": details}
        if entry.get("orderId"):
            alert["orderId"] = entry["orderId"]
        self.alerts.publish(alert)
        metrics.add_metric(name="ContactsUnconfirmed", unit="Count", value=1)
        logger.error("stuck claim marked unconfirmed", extra={**owner, "key": entry["sk"]})
        return True
