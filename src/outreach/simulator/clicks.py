"""Customers' clicks in a simulation: the link comes from an e-mail SES really sent, the click goes through
the real action endpoint handler (as the HTTP API would invoke it), and what the endpoint puts on the bus
reaches intake through a tap on the bus (``world.build``)."""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import json
import re
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sqs.models import sqs_backends
from outreach_lambda.domain.links import ACTION_PATH

from outreach.simulator import world
from outreach.simulator.scenario import Click, ScenarioError

_TOKEN = re.compile(re.escape(world.ACTIONS_BASE_URL + ACTION_PATH) + r"([A-Za-z0-9_.\-]+)")


class NoSuchLink(ScenarioError):
    """The scenario clicks a link that no e-mail sent so far carries: an error of the scenario, not of the run
    (``outreach simulate`` exits 2 naming the click)."""


def unverified_claims(token: str) -> dict[str, Any] | None:
    """What a token says, without checking it (to find the one the scenario means; the endpoint verifies)."""
    parts = token.split(".")
    if len(parts) != 4:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(parts[2] + "=" * (-len(parts[2]) % 4)))
    except (binascii.Error, ValueError):
        return None
    return data if isinstance(data, dict) else None


def mail_text(sent: Any) -> str:
    """The plain-text part of an e-mail as SES sent it (the Raw MIME message the customer gets), the words a
    customer reads and the links they click; the body of a Simple one."""
    raw = getattr(sent, "raw_data", None)
    if raw is None:
        return str(getattr(sent, "body", "") or "")
    mail = email.message_from_string(raw, policy=email.policy.default)
    part = mail.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    return str(part.get_content()) if part is not None else ""


def find_link(click: Click) -> str:
    """The token of the newest e-mail SES sent with a link for this click's order (or request), action, rating."""
    ref = click.order_id or click.request_id
    scope = "order" if click.order_id else "catalog"
    for message in reversed(ses_backends[DEFAULT_ACCOUNT_ID][world.REGION].sent_messages):
        for token in _TOKEN.findall(mail_text(message)):
            claims = unverified_claims(token)
            if claims is None:
                continue
            if (claims.get("r"), claims.get("s", "order"), claims.get("a"), claims.get("v")) == (
                ref,
                scope,
                click.action,
                click.rating,
            ):
                return token
    link = f"{click.action!r} link" + (f" with rating {click.rating}" if click.rating is not None else "")
    raise NoSuchLink(f"no e-mail sent so far carries a {link} for {scope} {ref!r}")


def tampered(token: str) -> str:
    """One character of the signed payload changed (the signature no longer fits)."""
    version, key_id, payload, signature = token.split(".")
    middle = len(payload) // 2
    swapped = "A" if payload[middle] != "A" else "B"
    return ".".join((version, key_id, payload[:middle] + swapped + payload[middle + 1 :], signature))


def http_event(token: str, click: Click, now: datetime) -> dict[str, Any]:
    """An HTTP API (payload format 2.0) request for ``/a/{token}``."""
    body = urlencode(click.form) if click.method == "POST" else None
    headers = {"content-type": "application/x-www-form-urlencoded"} if body is not None else {}
    if click.accept_language:
        headers["accept-language"] = click.accept_language
    return {
        "version": "2.0",
        "routeKey": f"{click.method} {ACTION_PATH}{{token}}",
        "rawPath": f"{ACTION_PATH}{token}",
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": {"token": token},
        "requestContext": {
            "http": {"method": click.method, "path": f"{ACTION_PATH}{token}", "protocol": "HTTP/1.1"},
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "body": body,
        "isBase64Encoded": False,
    }


class ActionClicks:
    def __init__(self, w: world.World, lam: Callable[[], Any]) -> None:
        """``lam()``: the Lambda client clicks invoke the action endpoint with (made when first needed)."""
        self._world = w
        self._lambda = lam
        self._pending: deque[dict[str, Any]] = deque()
        name = w.actions_tap_queue_url.rsplit("/", 1)[-1] if w.actions_tap_queue_url else ""
        self._queue = sqs_backends[DEFAULT_ACCOUNT_ID][world.REGION].queues.get(name) if name else None

    def click(self, click: Click, now: datetime) -> dict[str, Any]:
        """Run the click through the action endpoint; what it answered, for the result's ``clicks``."""
        ref = {"orderId": click.order_id} if click.order_id else {"requestId": click.request_id}
        token = find_link(click)
        if click.tamper:
            token = tampered(token)
        response = self._lambda().invoke(
            FunctionName=self._world.actions_function, Payload=json.dumps(http_event(token, click, now)).encode()
        )
        answer = json.loads(response["Payload"].read() or b"{}")
        body = str(answer.get("body", ""))
        title = re.search(r"<h1>(.*?)</h1>", body, re.S)
        lang = re.search(r'<html lang="([^"]+)"', body)
        return {
            "at": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **ref,
            "action": click.action,
            **({"rating": click.rating} if click.rating is not None else {}),
            "method": click.method,
            "status": answer.get("statusCode"),
            "page": title.group(1).strip() if title else None,
            "lang": lang.group(1) if lang else None,
        }

    def drain(self) -> dict[str, Any] | None:
        """The next event the endpoint put on the bus (the tap queue), as intake receives it; None if none."""
        if self._queue is not None:
            for message in list(self._queue._messages):
                self._pending.append(json.loads(message.body))
            self._queue._messages.clear()
        return self._pending.popleft() if self._pending else None
