"""An e-mail mime() cannot write (an address that is not ASCII in the deployment's configuration, a line break in a
header): known not sent, so the contact is parked for a redrive and ops are told, never left claimed as if sent."""

from __future__ import annotations

from datetime import timedelta

from botocore.exceptions import ClientError
from domain_builders import at, placed_detail
from fakes import Shop
from outreach_lambda.adapters.messaging import mime
from outreach_lambda.domain.rendering import Message
from test_orders_table import orders  # noqa: F401  (fixture: the adapter on a moto table)

NOW = at("2026-11-02T09:00:00Z")
#: What DynamoDB answers a plain UpdateItem on an item an ongoing TransactWriteItems holds (botocore does not retry it).
CONFLICT = ClientError(
    {"Error": {"Code": "TransactionConflictException", "Message": "ongoing transaction for the item"}}, "UpdateItem"
)


class MimeMessenger:
    """CustomerChannels.send_email up to the SES call: mime() with the deployment's reply-to."""

    def __init__(self, reply_to: str) -> None:
        self.reply_to, self.sent = reply_to, []

    def send_email(self, to: str, message: Message, tags: dict[str, str]) -> str:
        self.sent.append(mime("shop@mail.shop.example", to, message, default_reply_to=self.reply_to))
        return f"msg-{len(self.sent)}"

    def send_sms(self, phone: str, text: str) -> str:  # pragma: no cover
        return "sms"


def test_given_a_reply_to_mime_refuses_then_the_contact_is_parked_for_a_redrive_not_stuck() -> None:
    """A Reply-To mime() refuses (not ASCII; infra/deploy_config.py refuses it too now, this is an older stack's
    value): the confirmation is known not sent, parked for a redrive (ops told), not left claimed and then taken
    for a duplicate by the step's retry."""
    from outreach_lambda.services.sender import Sender

    shop = Shop()
    messenger = MimeMessenger("hilfe@möbel-müller.de")
    shop.sender = Sender(shop.orders, shop.ledger, messenger, shop.ops, shop.config, shop.opt_outs, shop.suppression)
    object.__setattr__(shop.timeline, "sender", shop.sender)
    shop.event("Order Placed", placed_detail(), NOW)

    try:
        shop.start("SO-1", NOW)
    except ValueError:
        shop.start("SO-1", NOW + timedelta(seconds=5))  # the state machine's retry of the task

    entry = shop.ledger.entries[("ORDER#SO-1", "order_confirmation#email")]
    assert entry["status"] == "PARKED", entry["status"]  # known not sent: kept for a redrive, ops told
