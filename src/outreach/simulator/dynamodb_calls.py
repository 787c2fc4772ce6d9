"""Fast path 87: a DynamoDB call answered by moto's own response method on a response object set up from a template.

Fast path 23 (``direct_calls``) hands a covered DynamoDB call (Query, UpdateItem, PutItem, GetItem, DeleteItem: about
50 calls of a happy order) to moto's ``DynamoHandler`` without the HTTP-shaped round trip, but still as a request
would come: a new response object set up attribute by attribute (a URL parse, a partition, a ``date`` header, a
werkzeug ``MultiDict`` and ``Headers`` checked header by header), the account read from the request, then moto's
``call_action`` (the ``x-amz-crc32`` wrapper, ``BaseResponse.call_action``: the action read back from the
``X-Amz-Target`` header, the IAM check, the method looked up; ``serialized``: the service model, the operation model
looked up by the action read once more, the response protocol read from the ``Content-Type`` header, the serializer
class; the request id). About a fifth of a DynamoDB call, each piece a pure function of what is the same for every
call to one URL and operation.

Here, for moto's own ``DynamoHandler`` (not a subclass), its own ``call_action`` (the crc32 wrapper around
``BaseResponse.call_action``, its ``serialized`` and ``_enrich_response``) and IAM checks off:

- the response object is a ``DynamoHandler`` whose attributes are copied from a template made once per URL and
  operation by ``direct_calls.set_up`` and a real ``DynamoHandler()``: the immutable ones (service name, flags, URL
  and its parse, path, method, region, partition, access key) shared, the mutable ones (the URI match, form, query
  string, the response headers with the ``date`` of the instant, the request headers) new per call, the account read
  as ``get_current_account`` reads it (``MOTO_ACCOUNT_ID``, else the access key's account; the request carries no
  ``x-moto-account-id`` header) and marked visited as before;
- ``call_action``'s steps run in its order with what they compute kept per template: the request counted where the
  IAM check is off (``ActionAuthenticatorMixin.request_count += 1``, as moto counts it), moto's response method
  (``update_item``... as installed: the other fast paths stay in), its errors handled as ``call_action`` handles them,
  ``serialized`` with the operation model, protocol and serializer class of the template (``ActionResult
  .execute_result``: fast path 12), moto's ``_enrich_response`` (the request id) and the crc32 header.

Anything else (a subclass or a patched ``call_action``, IAM checks on, a method the class does not have) takes fast
path 23's way (IAM checks switched on after a call was set up: moto's own ``call_action`` runs on the response object,
whose attributes are fast path 23's). ``tests/simulation/test_dynamodb_calls.py`` compares answers (request ids,
headers, CRC32), errors, stored items, IAM's marks and metering counts with fast path 23's way and plain moto, valid
and refused.

Fast path 98 (``environ_get``): the account read from ``MOTO_ACCOUNT_ID`` on every call without the ``KeyError``
``os.environ.get`` raises and catches when it is not set: the same dict of encoded names, the value decoded alike.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

from moto import settings as moto_settings
from moto.core import responses as moto_responses
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import HTTPException, ServiceException
from moto.core.responses import ActionContext, ActionResult, BaseResponse
from moto.core.serialize import get_serializer_class
from moto.core.utils import get_service_model
from moto.dynamodb.responses import DynamoHandler
from moto.iam import models as iam_models
from moto.utilities import aws_headers
from werkzeug.datastructures import MultiDict

#: moto's own ``DynamoHandler.call_action`` (the crc32 wrapper) and the methods it runs, as this module mirrors them
_CALL_ACTION = DynamoHandler.__dict__["call_action"]
_BASE_CALL_ACTION = BaseResponse.__dict__["call_action"]
_SERIALIZED = BaseResponse.__dict__["serialized"]
_ENRICH = BaseResponse.__dict__["_enrich_response"]
_AUTHENTICATE = ActionAuthenticatorMixin.__dict__["_authenticate_and_authorize_normal_action"]
#: the attributes a template shares between calls: immutable values only
_SHARED = (
    "service_name",
    "allow_request_decompression",
    "automated_parameter_parsing",
    "is_werkzeug_request",
    "normalized_request",
    "parsed_url",
    "uri",
    "path",
    "raw_path",
    "method",
    "region",
    "partition",
    "access_key",
)


class _Template:
    """What every call of one operation to one URL shares (made once, from moto's own steps)."""

    def __init__(
        self, shared: dict[str, Any], header_list: list[tuple[str, str]], action: str, context: tuple[Any, Any, Any]
    ) -> None:
        self.shared = shared
        self.header_list = header_list
        self.action = action  # the response method's name
        self.service_model, self.operation_model, self.serializer_class = context


def covers(responder: Any) -> bool:
    """True when fast path 87 may answer for ``responder`` (moto's own DynamoDB handler and call_action steps).

    Fast path 100: the classes' own dicts are read through views made once (``cls.__dict__`` makes a new view for every
    read; a view stays the live dict of its class), and ``hasattr(DynamoHandler, "_determine_resource")``, which for a
    name nowhere to be found makes and drops an ``AttributeError`` every call, is the same search of the class's and its
    metaclass's MRO dicts without one."""
    if responder is not DynamoHandler:
        return False
    if (
        _DYNAMO_DICT.get("call_action") is not _CALL_ACTION
        or _BASE_DICT.get("call_action") is not _BASE_CALL_ACTION
        or _BASE_DICT.get("serialized") is not _SERIALIZED
        or _BASE_DICT.get("_enrich_response") is not _ENRICH
        or _MIXIN_DICT.get("_authenticate_and_authorize_normal_action") is not _AUTHENTICATE
    ):
        return False
    for found in _LOOKUP_DICTS:  # noqa: SIM110 (a loop: a generator in all() costs a frame and its close per call)
        if "_determine_resource" in found:
            return False
    return True


#: fast path 100: the live dicts of the classes ``covers`` reads; every dict ``hasattr(DynamoHandler, name)`` searches
_DYNAMO_DICT = DynamoHandler.__dict__
_BASE_DICT = BaseResponse.__dict__
_MIXIN_DICT = ActionAuthenticatorMixin.__dict__
_METACLASS: Any = type(DynamoHandler)
_LOOKUP_DICTS = tuple(cls.__dict__ for cls in (*DynamoHandler.__mro__, *_METACLASS.__mro__))


@functools.lru_cache(maxsize=64)
def template(
    url: str, target: str, content_type: str, set_up: Callable[..., None], headers_class: type
) -> _Template | None:
    """The template of calls of ``target`` to ``url``: a ``DynamoHandler`` set up as fast path 23 sets one up (None:
    the action is not one of its methods, moto's own steps answer)."""
    from outreach.simulator.direct_calls import url_parts

    parsed_url, region = url_parts(url)
    reference: Any = DynamoHandler()
    set_up(reference, url, parsed_url, parsed_url.path or "/", region, {})
    reference.headers = headers_class(
        [("X-Amz-Target", target), ("Content-Type", content_type), ("Host", parsed_url.netloc)]
    )
    reference.querystring = {}
    reference.access_key = reference.get_access_key()
    operation = reference._get_action()
    action = moto_responses.camelcase_to_underscores(operation)
    if not action or action not in moto_responses.method_names_from_class(DynamoHandler):
        return None  # (before botocore is asked for the operation's model: it may not know the target either)
    service_model = get_service_model(reference.boto3_service_name)
    operation_model = service_model.operation_model(operation)
    protocol = reference.determine_response_protocol(service_model)
    serializer_class = get_serializer_class(service_model.service_name, protocol)
    shared = {name: getattr(reference, name) for name in _SHARED}
    return _Template(
        shared,
        list(reference.headers._list),
        action,
        (service_model, operation_model, serializer_class),
    )


def response_for(plan: _Template, params: dict[str, Any], headers_class: Any, date: str) -> Any:
    """A ``DynamoHandler`` as fast path 23's ``_call`` sets one up for ``params``, from ``plan``."""
    response: Any = DynamoHandler.__new__(DynamoHandler)
    state = response.__dict__
    state.update(plan.shared)
    state["form_data"] = MultiDict()
    state["uri_match"] = {}
    state["response_headers"] = {"server": "amazon.com", "date": date}
    headers = headers_class.__new__(headers_class)
    headers._list = list(plan.header_list)
    state["headers"] = headers
    querystring: dict[str, Any] = {}
    state["querystring"] = querystring
    state["params"] = params
    state["body"] = params
    state["data"] = querystring
    account = environ_get("MOTO_ACCOUNT_ID")  # get_current_account: no x-moto-account-id header here (fast path 98)
    state["current_account"] = (
        account if account is not None else iam_models.get_account_id_from(plan.shared["access_key"])
    )
    return response


def environ_get(name: str) -> str | None:
    """Fast path 98: ``os.environ.get(name)`` without an exception for a name that is not set. ``os.environ`` looks the
    name up in its dict of encoded names by ``__getitem__``, which raises ``KeyError`` for a missing one, caught by
    ``Mapping.get`` (about 3 us for ``MOTO_ACCOUNT_ID``, asked on every DynamoDB call); here the same dict is asked with
    the same encoded name and the value decoded the same way. Anything but the standard library's own mapping takes
    ``os.environ.get``."""
    environ: Any = os.environ
    data = getattr(environ, "_data", None)
    if type(environ) is not os._Environ or type(data) is not dict:
        return os.environ.get(name)
    raw = data.get(_encoded_name(environ.encodekey, name))
    return None if raw is None else environ.decodevalue(raw)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=16)
def _encoded_name(encodekey: Callable[[str], Any], name: str) -> Any:
    return encodekey(name)


def call_action(response: Any, plan: _Template) -> tuple[int, dict[str, Any], str]:
    """``DynamoHandler.call_action`` (crc32 wrapper, ``BaseResponse.call_action``) with ``plan``'s lookups."""
    response.body = getattr(response, "params", {})
    headers = response.response_headers
    if ActionAuthenticatorMixin.request_count >= moto_settings.INITIAL_NO_AUTH_ACTION_COUNT:
        status, headers, body = _BASE_CALL_ACTION(response)  # IAM checks on meanwhile: moto's own steps
    else:
        ActionAuthenticatorMixin.request_count += 1
        method = getattr(response, plan.action)
        try:
            answer: Any = method()
        except ServiceException as e:
            se_status, se_headers, se_body = response.serialized(ActionResult(e))
            se_headers["status"] = se_status
            answer = se_body, se_headers
        except HTTPException as http_error:
            response_headers: dict[str, Any] = dict(http_error.get_headers() or [])
            response_headers["status"] = http_error.code
            answer = http_error.description, response_headers
        if isinstance(answer, ActionResult):
            context = ActionContext(plan.service_model, plan.operation_model, plan.serializer_class, response)
            status, headers, body = answer.execute_result(context)
            headers.update(response.response_headers)
        elif isinstance(answer, str):
            status = 200
            body = answer
        else:
            status, headers, body = response._transform_response(headers, answer)
        headers, body = response._enrich_response(headers, body)
    # amz_crc32's wrapper
    wrapped: dict[str, Any] = {}
    wrapped.update(headers)
    if "status" in wrapped:
        wrapped["status"] = str(wrapped["status"])
    aws_headers.gen_amz_crc32(body, wrapped)
    return status, wrapped, body
