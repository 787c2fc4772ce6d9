"""Fast path 74: SES v2 ``SendEmail`` and Scheduler ``CreateSchedule`` reach moto's response class without a request.

A happy order sends four e-mails and arms about four timers. After botocore has validated and serialised such a call
(its URL, headers and JSON body, exactly as before) and its ``before-call`` handlers have had their say, fast path 26
still built a WSGI environ and a werkzeug request from it, and moto's ``setup_class`` and router read them back; the
router's result for ``CreateSchedule`` was seldom reused (every schedule's name is in its path). Here moto's response
class (``SESV2Response``, ``EventBridgeSchedulerResponse``) is set up with what ``setup_class`` derives from that
request, as fast paths 23 and 73 do: the body as text, the query string moto makes of it (the URL has no query, so the
body read as one), the URL and its path, the region in the URL, the headers botocore serialised (and ``Host``), the
path's labels as moto's router finds them (``Name``), the account of the request and IAM's mark that it was used;
then moto's own ``call_action`` runs with the operation botocore serialised, which is the one moto's router finds for
that method and path (``tests/simulation/test_rest_answers.py`` routes them). Errors, request ids, CRC32 and dates
are moto's; botocore parses the answer as before.

Covered: those two operations, a POST to the path botocore's model gives them (literal segments and whole-segment
labels), no query string, a non-empty UTF-8 body that moto's query-string reading finds no ``Action`` in (it would
pick another operation), ASCII header values with no ``Content-Encoding`` (moto would decompress the body), the
operation's response class found for the URL, moto's recorder off. Everything else goes fast path 26's way.
``tests/simulation/test_rest_answers.py`` compares answers (request ids included), errors, what SES recorded, the
schedules stored, counted calls and IAM's state with plain moto.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl, unquote, urlparse

from botocore.awsrequest import AWSResponse
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.responses import BaseResponse, _decode_dict
from moto.iam import models as iam_models
from moto.moto_api import recorder as moto_recorder
from moto.scheduler.responses import EventBridgeSchedulerResponse
from moto.sesv2.responses import SESV2Response
from werkzeug.datastructures import Headers

from outreach.simulator import direct_calls

#: (botocore service name, operation) -> moto's response class
COVERED: dict[tuple[str, str], type[BaseResponse]] = {
    ("sesv2", "SendEmail"): SESV2Response,
    ("scheduler", "CreateSchedule"): EventBridgeSchedulerResponse,
}
_DISPATCH = BaseResponse.dispatch.__func__  # type: ignore[attr-defined]


@functools.lru_cache(maxsize=16)
def _template(request_uri: str) -> tuple[tuple[str, bool], ...] | None:
    """The path template's segments as (literal or label name, is a label); None if any label is partial or greedy."""
    segments: list[tuple[str, bool]] = []
    for segment in request_uri.split("?", 1)[0].split("/"):
        if segment.startswith("{") and segment.endswith("}") and "+" not in segment:
            segments.append((segment[1:-1], True))
        elif "{" in segment or "}" in segment:
            return None
        else:
            segments.append((segment, False))
    return tuple(segments)


def _labels(template: tuple[tuple[str, bool], ...], path: str) -> dict[str, str] | None:
    """The path's labels as moto's router gives them (``to_uri_params``: each segment percent-decoded); None when the
    path does not follow the template segment for segment."""
    segments = path.split("/")
    if len(segments) != len(template):
        return None
    labels: dict[str, str] = {}
    for (name, is_label), segment in zip(template, segments, strict=True):
        if is_label:
            if not segment:
                return None
            labels[name] = unquote(segment)
        elif segment != name:
            return None
    return labels


def _dispatches_to(handler: Any, responder: type[BaseResponse]) -> bool:
    """Whether ``handler`` (what moto's stubber calls for a URL) is ``responder.dispatch``."""
    return getattr(handler, "__self__", None) is responder and getattr(handler, "__func__", None) is _DISPATCH


def prepare(prepared: dict[str, Any], operation_model: Any, handler_for: Any) -> Any:
    """The covered call of botocore's serialised request ``prepared``, ready to run under the AWS lock (answering an
    ``AWSResponse``); None when not covered (nothing has happened)."""
    found = COVERED.get((operation_model.service_model.service_name, operation_model.name))
    if found is None:
        return None
    responder: Any = found
    if (
        moto_recorder._user_enabled
        or ActionAuthenticatorMixin.request_count >= moto_settings.INITIAL_NO_AUTH_ACTION_COUNT  # IAM checks on
        or prepared["method"] != "POST"
    ):
        return None
    http = operation_model.http
    template = _template(http.get("requestUri", ""))
    url: str = prepared["url"]
    parsed_url = urlparse(url)
    if template is None or http.get("method") != "POST" or parsed_url.query or parsed_url.params:
        return None
    labels = _labels(template, parsed_url.path)
    body = prepared["body"]
    if labels is None or not isinstance(body, bytes | str) or not body:
        return None
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
    except UnicodeDecodeError:
        return None
    headers = direct_calls._Headers()  # fast path 113: moto's look-ups of missing names answer without raising
    for key, value in prepared["headers"].items():
        value = value.decode("ascii", "replace") if isinstance(value, bytes) else value
        if not isinstance(value, str) or not value.isascii() or "\n" in value or "\r" in value:
            return None
        headers.add(key, value)
    if "Content-Encoding" in headers or "Transfer-Encoding" in headers:
        return None
    if "Host" not in headers:
        headers.add("Host", parsed_url.netloc)
    pairs = parse_qsl(text, keep_blank_values=True)  # setup_class: no URL query, so the body read as one
    if any(key == "Action" for key, _ in pairs):
        return None
    handler = handler_for(url)
    if not _dispatches_to(handler, responder):
        return None
    querystring = _decode_dict(OrderedDict((key, [value]) for key, value in pairs)) if pairs else headers_query(headers)
    region = responder.region_regex.search(url)
    region_name = region.group(1) if region else responder.default_region
    operation = operation_model.name

    def call() -> AWSResponse:
        response: Any = responder()
        direct_calls.set_up(response, url, parsed_url, parsed_url.path, region_name, dict(labels))
        response.body = text
        response.raw_body = text.encode("utf-8")
        response.querystring = response.data = querystring
        response.headers = headers
        response.access_key = response.get_access_key()
        response.current_account = response.get_current_account()
        iam_models.mark_account_as_visited(
            account_id=response.current_account,
            access_key=response.access_key,
            service=response.service_name,
            region=region_name,
        )
        response._get_action = lambda: operation  # what moto's router finds for this method and path
        return direct_calls.call_action(response, url)

    return call


def headers_query(headers: Headers) -> dict[str, Any]:
    """setup_class's query string when neither the URL nor the body makes one: the headers (not reached by botocore's
    JSON bodies: a covered body is not empty, and a JSON text reads as at least one pair; a body such as ``&``,
    which reads as none, comes here as it would in moto)."""
    try:
        return _decode_dict(OrderedDict(headers))  # type: ignore[no-any-return]
    except UnicodeDecodeError:
        return dict(headers)


def clear() -> None:
    _template.cache_clear()
