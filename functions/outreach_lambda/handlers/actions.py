"""HTTP API -> the customer action endpoint: GET /a/{token} shows what a click will do, POST does it."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.utilities.typing import LambdaContext

from outreach_lambda.adapters.actions import BusEvents, LinkUses, link_keys
from outreach_lambda.cold_start import once
from outreach_lambda.observability import logger, metrics, traced_without_response
from outreach_lambda.pages.copy import accept_language
from outreach_lambda.pages.render import HEADERS, html
from outreach_lambda.services.actions import CustomerActions, Page
from outreach_lambda.settings import ActionsSettings, load

#: A form is a few short fields; anything longer is not ours.
MAX_BODY = 16_384


@once
def service() -> CustomerActions:
    settings = load(ActionsSettings)
    return CustomerActions(
        keys=link_keys(settings.link_key_secret_arn),
        uses=LinkUses(settings.orders_table),
        bus=BusEvents(settings.event_bus_name),
    )


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@traced_without_response
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An HTTP API (payload format 2.0) request; never logs the token or the form."""
    now = datetime.now(UTC)
    http = (event.get("requestContext") or {}).get("http") or {}
    method = str(http.get("method", "GET")).upper()
    token = str((event.get("pathParameters") or {}).get("token", ""))
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    languages = accept_language(headers.get("accept-language"))
    actions = service()
    if method == "POST":
        page = actions.act(token, _form(event), now, languages)
    elif method in ("GET", "HEAD"):
        page = actions.show(token, now, languages)
    else:
        page = Page("invalid", 405, "en-US")
    return respond(page, head=method == "HEAD")


def respond(page: Page, head: bool = False) -> dict[str, Any]:
    headers = dict(HEADERS)
    if page.status == 405:
        headers["allow"] = "GET, HEAD, POST"
    return {"statusCode": page.status, "headers": headers, "body": "" if head else html(page)}


def _form(event: dict[str, Any]) -> dict[str, str]:
    """The urlencoded form of a POST (first value of each field); an unreadable or oversized body is empty."""
    body = event.get("body") or ""
    if not isinstance(body, str) or len(body) > MAX_BODY * 2:
        return {}
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return {}
    if len(body) > MAX_BODY:
        return {}
    try:
        parsed = parse_qs(body, keep_blank_values=True, max_num_fields=20)
    except ValueError:  # more fields than any of our forms has
        return {}
    return {name: values[0] for name, values in parsed.items() if values}
