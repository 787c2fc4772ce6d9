"""The customer action endpoint's AWS side: the link key set (Secrets Manager), a link's one use (a conditional
put in the orders table, ``LINK#<linkId>``), and the event bus. (The opt-out list is ``adapters/opt_outs.py``'s.)"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from outreach_lambda.adapters.aws import client, put_if
from outreach_lambda.cold_start import once
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.events import ACTIONS_SOURCE
from outreach_lambda.domain.links import ActionLinks, LinkKeys


@once
def link_keys(secret_arn: str) -> LinkKeys:
    """The link key set, read once per cold start. Never logged: ``LinkKeys`` prints only its key ids."""
    secret = client("secretsmanager").get_secret_value(SecretId=secret_arn)
    return LinkKeys.from_secret(secret["SecretString"])


def action_links(secret_arn: str, base_url: str, config: OutreachConfig) -> ActionLinks:
    """What signs the links of messages (the key set is read on first use, once per cold start)."""
    return ActionLinks(base_url=base_url, keys=link_keys(secret_arn), validity=timedelta(days=config.action_link_days))


#: Longer than the actions function may run (30 s): a claim this old belongs to an invocation that died.
STALE_CLAIM = timedelta(minutes=2)


#: The partition prefix of link uses: the only items the public endpoint's function may write (IAM LeadingKeys).
LINK_PK_PREFIX = "LINK#"


def link_pk(link_id: str) -> str:
    return f"{LINK_PK_PREFIX}{link_id}"


class LinkUses:
    """A link acts once: the first click claims ``LINK#<linkId>`` with a conditional put (PutItem only).

    ``claimed`` -> ``done`` once its event is on the bus. A claim whose event could not be put is marked
    ``failed``, and a claim left ``claimed`` by an invocation that died (a timeout, a crash between the claim and
    the bus) may be claimed again after ``STALE_CLAIM``, so the customer's next click works instead of hearing
    "we already have this" for an action that never happened."""

    def __init__(self, table_name: str) -> None:
        self._name = table_name

    def claim(self, link_id: str, action: str, now: datetime) -> bool:
        item = {"pk": link_pk(link_id), "sk": "USE", "action": action, "usedAt": now.isoformat(), "outcome": "claimed"}
        condition = "attribute_not_exists(pk) OR outcome = :failed OR (outcome = :claimed AND usedAt < :stale)"
        stale = (now - STALE_CLAIM).isoformat()
        return self._put(item, condition, {":failed": "failed", ":claimed": "claimed", ":stale": stale})

    def done(self, link_id: str, action: str, now: datetime) -> None:
        item = {"pk": link_pk(link_id), "sk": "USE", "action": action, "usedAt": now.isoformat(), "outcome": "done"}
        self._put(item, "outcome = :claimed", {":claimed": "claimed"})

    def release(self, link_id: str, action: str, now: datetime) -> None:
        item = {"pk": link_pk(link_id), "sk": "USE", "action": action, "usedAt": now.isoformat(), "outcome": "failed"}
        self._put(item, "outcome = :claimed", {":claimed": "claimed"})

    def _put(self, item: dict[str, Any], condition: str, values: dict[str, str]) -> bool:
        return put_if(self._name, item, condition, values)


class BusEvents:
    """Events on the Outreach bus: order events from the action endpoint (its own source), or intake's
    continuations of a large sku delay (the internal source)."""

    def __init__(self, bus_name: str, source: str = ACTIONS_SOURCE) -> None:
        self._bus = bus_name
        self._source = source

    def put(self, detail_type: str, detail: dict[str, Any]) -> None:
        entry = {"EventBusName": self._bus, "Source": self._source, "DetailType": detail_type}
        response = client("events").put_events(Entries=[{**entry, "Detail": json.dumps(detail)}])
        if response.get("FailedEntryCount"):
            code = response["Entries"][0].get("ErrorCode", "unknown")
            raise RuntimeError(f"the bus did not take the {detail_type!r} event: {code}")
