"""Fast path 73: a Lambda ``Invoke`` of a simulated function reaches moto's ``LambdaResponse`` without a request.

Intake hands each order's steps to the timeline function (``Invoke`` with ``InvocationType`` ``Event``, about six of a
happy order's calls) and the state machine's Lambda task invokes it once; moto runs the real handler in process
(``moto_runtime._invoke_in_process``). On fast path 26 such a call still travels as HTTP would carry it: botocore
serialises the parameters, a WSGI environ and a werkzeug request are built from them, moto's ``setup_class`` reads
that request (URL, body, the body again as a query string, headers, region, account) and its router finds the
operation. Here, for the calls that provably go one way, moto's response class is set up with what ``setup_class``
derives from such a request, as fast path 23 does for DynamoDB, and moto's own ``call_action`` runs: the same
authorisation count, the same ``LambdaResponse.invoke`` (function lookup, the handler's event, the payload, function
errors, status 200 or 202, the ``Content-Length``, ``x-amz-log-result`` and CRC32 headers), the same request id drawn
from moto's random generator. botocore's own parser reads moto's answer (``moto_runtime._answer_from_moto``), with its
retry rules, as before.

Covered: ``FunctionName`` a function's name (letters, digits, ``-``, ``_``) or its unqualified ARN, a ``Payload`` of
valid UTF-8 text that is not empty, ``InvocationType`` absent, ``RequestResponse`` or ``Event``, nothing else; the
parameters valid (botocore's validator, the check ``serialize_to_request`` makes: a validating client raises its
``ParamValidationError``); a function that exists; no ``before-call`` handler but botocore's two header-only ones (an
injected fault, a stubber); moto's recorder and IAM authorisation off. What the request would carry is then known
without building it: moto reads ``qualifier`` from the body read as a query string, then from the JSON body's top
level (there is no such path label), so a payload naming ``qualifier`` (or ``Action``, which would pick another
operation, or ``AWSAccessKeyId``, another account) is not covered; the router finds ``Invoke`` for
``POST /2015-03-31/functions/{FunctionName}/invocations`` (``tests/simulation/test_lambda_calls.py`` routes it);
the headers moto reads are the invocation type and the ``Host``. Everything else goes fast path 26's way.
``tests/simulation/test_lambda_calls.py`` compares answers (request ids included), errors, the events handlers got,
the calls ``metering`` counts and IAM's state with plain moto; so does ``test_rest_calls.py`` for every REST call.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from typing import Any
from urllib.parse import parse_qsl, quote, urlparse

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ParamValidationError
from botocore.validate import ParamValidationDecorator, ParamValidator
from moto import settings as moto_settings
from moto.awslambda.models import lambda_backends
from moto.awslambda.responses import LambdaResponse
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.exceptions import HTTPException
from moto.core.responses import _decode_dict
from moto.iam import models as iam_models
from moto.moto_api import recorder as moto_recorder

from outreach.simulator import direct_calls

_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_ARN = re.compile(r"arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:[A-Za-z0-9_-]{1,64}")
_PARAMETERS = frozenset(("FunctionName", "Payload", "InvocationType"))
_INVOCATION_TYPES = (None, "RequestResponse", "Event")
#: names whose presence in the query string moto makes of the body would change the call (see the module docstring)
_READ_FROM_QUERY = frozenset(("qualifier", "Action", "AWSAccessKeyId"))
_VALIDATOR = ParamValidator()
_DISPATCH = LambdaResponse.dispatch.__func__  # type: ignore[attr-defined]


def prepare(client: Any, operation_model: Any, api_params: dict[str, Any], handler_for: Any) -> Any:
    """The covered ``Invoke``, validated, ready to run under the AWS lock (answering ``AWSResponse``); None when not
    covered (nothing has happened: fast path 26 takes it from the start). ``handler_for(url)``: moto's handler."""
    if (
        operation_model.name != "Invoke"
        or operation_model.service_model.service_name != "lambda"
        or moto_recorder._user_enabled
        or ActionAuthenticatorMixin.request_count >= moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
        or not api_params.keys() <= _PARAMETERS
        or api_params.get("InvocationType") not in _INVOCATION_TYPES
        or not direct_calls._before_call_is_header_only(client, "before-call.lambda.Invoke")
    ):
        return None
    name, payload = api_params.get("FunctionName"), api_params.get("Payload")
    if not isinstance(name, str) or not (_NAME.fullmatch(name) or _ARN.fullmatch(name)):
        return None
    serializer: Any = client._serializer
    if isinstance(serializer, ParamValidationDecorator):
        checking: Any = serializer
        report = checking._param_validator.validate(api_params, operation_model.input_shape)
        if report.has_errors():
            raise ParamValidationError(report=report.generate_report())
    elif _VALIDATOR.validate(api_params, operation_model.input_shape).has_errors():
        return None
    try:
        # bytes or str only: plain moto's request builder reads a bytearray as form data (and fails)
        text = payload.decode("utf-8") if isinstance(payload, bytes) else payload
    except UnicodeDecodeError:
        return None
    if not isinstance(text, str) or not text:
        return None
    pairs = parse_qsl(text, keep_blank_values=True)  # what setup_class reads the body as (the URL has no query)
    if any(key in _READ_FROM_QUERY for key, _ in pairs) or '"qualifier"' in text:
        return None  # (the JSON body's top-level ``qualifier`` is read too: any mention of it goes moto's way)
    url = f"{client.meta.endpoint_url}/2015-03-31/functions/{quote(name, safe='')}/invocations"
    handler = handler_for(url)
    if getattr(handler, "__self__", None) is not LambdaResponse or getattr(handler, "__func__", None) is not _DISPATCH:
        return None
    parsed_url = urlparse(url)
    region = LambdaResponse.region_regex.search(url)
    region_name = region.group(1) if region else LambdaResponse.default_region
    headers = direct_calls._Headers([("Host", parsed_url.netloc)])  # fast path 113: a missing name without raising
    if api_params.get("InvocationType") is not None:
        headers.add("X-Amz-Invocation-Type", api_params["InvocationType"])
    response: Any = LambdaResponse()
    response.headers = headers
    response.querystring = response.data = _decode_dict(OrderedDict((key, [value]) for key, value in pairs))
    access_key = response.get_access_key()
    account = response.get_current_account()
    arn = _ARN.fullmatch(name)
    if arn is not None and (arn.group(1), arn.group(2)) != (region_name, account):
        return None  # another region's or account's function: moto's way
    try:
        lambda_backends[account][region_name].get_function(name, None)
    except HTTPException:
        return None  # no such function: moto's way, with its error

    def call() -> AWSResponse:
        # (the router's labels hold no ``qualifier``: ``_get_param`` finds none there)
        direct_calls.set_up(response, url, parsed_url, parsed_url.path, region_name, {})
        response.body = text
        response.raw_body = text.encode("utf-8")
        response.access_key = access_key
        response.current_account = account
        iam_models.mark_account_as_visited(
            account_id=account, access_key=access_key, service=response.service_name, region=region_name
        )
        response._get_action = _invoke  # what moto's router finds for this method and path
        return direct_calls.call_action(response, url)

    return call


def _invoke() -> str:
    return "Invoke"
