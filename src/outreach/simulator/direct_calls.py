"""Fast paths 23, 92 and 96: the DynamoDB calls the handlers make most, answered by moto without the HTTP round trip.

Fast path 11 (``moto_runtime._direct_api_call``) already hands botocore's request to moto's handler without a
socket, but the request still travels as HTTP would carry it: botocore serialises the parameters to a JSON body,
builds and prepares a request object, moto's ``setup_class`` parses the URL, the body (twice: as a query string,
then as JSON against the operation's input shape) and the headers; moto's answer is serialised to a JSON body and
botocore parses that body back. For the operations listed in ``COVERED`` (Query, UpdateItem, PutItem, GetItem,
DeleteItem: about 50 of the ~80 calls of a happy order) this module does the same call without the round trip:

- **Request**: botocore's own parameter events have run (``_emit_api_params``) and botocore's own validator checks
  the parameters (``ParamValidator``, the check ``serialize_to_request`` makes, raising the same
  ``ParamValidationError``). The validated parameters become what moto's JSON request parser would have produced
  from botocore's body: per the operation's input shape, structures keep their non-``None`` members in the shape's
  member order (botocore drops ``None`` members, moto lists members in shape order), blobs become the bytes that
  base64 carried (a ``str`` encoded as UTF-8, as botocore encodes it), integers ``int``; strings, booleans, lists and
  maps are what the JSON round trip gives back (the same values); a structure with one key set (every attribute
  value) converts that member alone, which is all the loop over the shape's members finds. An input shape with any
  other type (timestamps, floats, documents, streams) is not covered.
- **moto**: the service's own response class (``DynamoHandler``) is set up with what ``setup_class`` derives from
  such a request (URL, region, account, action, the ``X-Amz-Target`` and ``Content-Type`` headers, the server and
  date response headers; the IAM "account visited" mark), and moto's own ``call_action`` runs: the same
  validations, backend calls, errors, request id (the same draws from moto's random generator), CRC32 header.
- **Response**: moto's answer is serialised by fast path 12 (``_execute_result``), which keeps the JSON-ready
  structure it dumps; botocore's own parser reads that structure instead of ``json.loads`` of the text (the text is
  ``json.dumps`` of that very structure, and every value in it is a ``str``, ``int``, ``float``, ``bool``, ``None``,
  list or ``str``-keyed dict, which the JSON round trip gives back unchanged), and ``ResponseMetadata`` is filled as
  botocore fills it (request id, status, lower-cased headers, retry attempts). Any answer that is not a plain
  success (an error, a body moto changed after serialising it) is parsed from its text by botocore, with its retry
  rules, exactly as fast path 11 does.

Fast path 46 adds Step Functions' ``SendTaskSuccess`` and ``SendTaskFailure`` (a timeline step answers its task token:
six calls of a happy order) and clients that do not validate their parameters (the clients moto's Step Functions
interpreter calls AWS with, ``parameter_validation=False``: every wait's ``aws-sdk:dynamodb:updateItem``). Such a
client's call is answered here when botocore's validator finds nothing wrong with it (its serialisation is then the one
described above); otherwise botocore sends it unvalidated, fast path 11's way. moto's Step Functions responses parse no
parameters themselves: they read the JSON text (``_get_param`` decodes it), so they get the body botocore's own
serialiser writes, and the query string ``setup_class`` makes of that body (moto reads a JSON body as a query string
too, and a parameter there comes first: ``"a&output=b"`` in a value answers ``output`` with ``b``, the same quirk).

Fast path 92 builds botocore's response object of a direct answer (``aws_response``): ``AWSResponse`` keys its
``HeadersDict`` with a new ``_HeaderKey`` object per header (a Python ``__init__`` each, five per answer); here each
name's key object is made once and shared (nothing changes one), the same pairs in the same dict, the same attributes.

Fast path 96 reads the ``date`` response header every call answered in process carries (fast paths 23, 73, 74: about
70 calls of a happy order) from the clock's timestamp: ``http_date(utcnow())`` became ``http_date(time.time())``, the
same instant to the second, about 1 us under the virtual clock where ``datetime.now`` takes about 6, formatted once per
timestamp.

Fast path 103 keeps what ``prepare`` and ``parsed_success`` worked out per call although it only changes when botocore's
state does: the ``before-call`` event's name per operation model; the verdict on the handlers botocore's emitter keeps
for it (a registration empties the emitter's cache, and the new collection is judged afresh); and the response parser
(``create_parser`` made a parser, and the event-stream parser inside it, for every answer), one per factory and
protocol while the factory's defaults and the protocol's parser class stay the same (a parser keeps nothing between
parses).

Fast path 105 leaves botocore's response object out of a successful direct answer where nothing would see it:
``_direct_api_call`` hands its caller the parsed answer alone, and hands the response object only to the operation's
``after-call`` handlers and its own status check. Where those handlers (as botocore's emitter keeps them) are all
botocore's retry quota checker, which reads ``status_code`` alone, an object holding the status code stands in for it;
any other handler (a test's, a user's) gets botocore's response object as before.

Not covered, so fast path 11 answers: other operations; a client without parameter validation whose call is invalid;
any ``before-call`` handler other than botocore's two header-only ones (a fault a scenario injects; a stubber);
moto's request recorder or IAM authorisation switched on. One moto quirk is not reproduced: ``setup_class`` reads a
JSON body as a query string too, so a string value containing ``&Action=`` would make moto look for that action
instead.
"""

from __future__ import annotations

import base64
import functools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlparse

from botocore.awsrequest import AWSResponse, HeadersDict, _HeaderKey
from botocore.exceptions import ParamValidationError
from botocore.handlers import add_recursion_detection_header, inject_api_version_header_if_needed
from botocore.parsers import PROTOCOL_PARSERS, ResponseParser, ResponseParserFactory
from botocore.retries.standard import RetryQuotaChecker
from botocore.validate import ParamValidationDecorator, ParamValidator
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.core.botocore_stubber import MockRawResponse
from moto.core.exceptions import HTTPException
from moto.core.responses import BaseResponse, _decode_dict
from moto.core.utils import utcnow  # noqa: F401  (no longer read here; call_plumbing (fast path 44) still sets it)
from moto.iam.models import mark_account_as_visited
from moto.moto_api import recorder as moto_recorder
from moto.utilities.utils import get_partition
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.http import http_date

from outreach.simulator import call_events, dynamodb_calls, request_params, update_answers
from outreach.simulator.request_params import FAIL

#: (service, operation) answered here; everything else goes fast path 11's way
COVERED = frozenset(
    [("dynamodb", operation) for operation in ("Query", "UpdateItem", "PutItem", "GetItem", "DeleteItem")]
    + [("stepfunctions", operation) for operation in ("SendTaskSuccess", "SendTaskFailure")]  # fast path 46
)
#: what checks the parameters of a client that does not (fast path 46: such a call is answered here only when valid)
_VALIDATOR = ParamValidator()
#: botocore's ``before-call`` handlers that only add request headers moto's DynamoDB handler never reads
_HEADER_ONLY = (add_recursion_detection_header, inject_api_version_header_if_needed)
_SCALARS = frozenset(("string", "boolean", "integer", "long", "blob"))

_wire = threading.local()  # fast path 12 leaves (body, structure) here while a covered call is answered


def keep_wire(body: str, wire: dict[str, Any], blobs: list[tuple[Any, Any, str]] | None = None) -> None:
    """Called by fast path 12 with the JSON text it returns, the structure it dumped, and (fast path 55,
    ``json_answers``) where that structure holds the base64 text of a blob when, those decoded, it is botocore's
    parse of the text already (None: it is not)."""
    slot = getattr(_wire, "slot", None)
    if slot is not None:
        slot[:] = [body, wire, blobs]


class _NotCovered(Exception):
    """A parameter the request conversion leaves to fast path 11."""


def _plain_shape(shape: Any, scalars: frozenset[str] | None, seen: frozenset[str] = frozenset()) -> bool:
    """True when no shape reachable from ``shape`` is a document or an event stream, and every scalar is of a type
    in ``scalars`` (None: any type)."""
    if shape.name in seen:  # a recursive shape (DynamoDB's AttributeValue): checked where it started
        return True
    seen = seen | {shape.name}
    kind = shape.type_name
    if kind == "structure":
        if shape.is_document_type or shape.serialization.get("eventstream"):
            return False
        return all(_plain_shape(member, scalars, seen) for member in shape.members.values())
    if kind == "list":
        return _plain_shape(shape.member, scalars, seen)
    if kind == "map":
        return _plain_shape(shape.key, scalars, seen) and _plain_shape(shape.value, scalars, seen)
    return (scalars is None or kind in scalars) and not shape.serialization.get("jsonvalue")


@functools.lru_cache(maxsize=64)
def _operation_plan(operation_model: Any) -> tuple[str, str] | None:
    """(X-Amz-Target, Content-Type) of a covered operation whose shapes the conversion handles, else None."""
    service_model = operation_model.service_model
    if (service_model.service_name, operation_model.name) not in COVERED:
        return None
    if service_model.resolved_protocol != "json" or operation_model.has_streaming_input:
        return None
    if operation_model.http_checksum or operation_model.http_checksum_required:
        return None
    if operation_model.input_shape is None or not _plain_shape(operation_model.input_shape, _SCALARS):
        return None
    output = operation_model.output_shape  # its timestamps make fast path 12 leave the answer to moto: no structure
    if output is not None and not _plain_shape(output, None):
        return None
    target = f"{service_model.metadata['targetPrefix']}.{operation_model.name}"
    content_type = f"application/x-amz-json-{service_model.metadata.get('jsonVersion', '1.0')}"
    return target, content_type


def _as_moto_params(shape: Any, value: Any) -> Any:
    """What moto's JSON request parser makes of botocore's serialisation of ``value`` (validated against ``shape``)."""
    kind = shape.type_name
    if kind == "structure":
        if len(value) == 1:  # (every DynamoDB AttributeValue) the loop below finds this one member alone
            ((name, raw),) = value.items()
            member = shape.members.get(name)
            if member is not None:
                return {} if raw is None else {name: _as_moto_params(member, raw)}
        parsed = {}
        for name, member in shape.members.items():
            raw = value.get(name)
            if raw is not None:
                parsed[name] = _as_moto_params(member, raw)
        return parsed
    if kind == "list":
        member = shape.member
        return [_as_moto_params(member, item) for item in value]
    if kind == "map":
        key_shape, value_shape = shape.key, shape.value
        return {_as_moto_params(key_shape, k): _as_moto_params(value_shape, v) for k, v in value.items()}
    if kind == "blob":
        if isinstance(value, str):
            return value.encode("utf-8")
        if isinstance(value, bytes | bytearray):
            return bytes(value)
        raise _NotCovered("a file-like blob")  # botocore would read it: leave it to fast path 11
    if kind in ("integer", "long"):
        return int(value)
    return value  # string, boolean


def _before_call_is_header_only(client: Any, event_name: str) -> bool:
    emitter = getattr(client.meta.events, "_emitter", None)
    cache = getattr(emitter, "_lookup_cache", None)
    handlers = getattr(emitter, "_handlers", None)
    if cache is None or handlers is None:
        return False
    found = cache.get(event_name)
    if found is None:  # looked up and kept as botocore's ``_emit`` does (a covered call emits no before-call)
        found = cache[event_name] = handlers.prefix_search(event_name)
    return _kept_verdict(_verdicts, found, _header_only)  # fast path 103


def _header_only(handlers: Any) -> bool:
    return all(handler in _HEADER_ONLY for handler in handlers)


def _kept_verdict(verdicts: dict[int, tuple[Any, bool]], found: Any, judge: Callable[[Any], bool]) -> bool:
    """``judge(found)`` for a collection of handlers botocore's emitter keeps, judged once per collection: the emitter
    never changes a kept collection (registering or unregistering a handler empties its cache, so the event's handlers
    are then a new collection, judged afresh). ``verdicts``: id -> (the collection, kept alive with its id; the
    verdict), at most 256 entries."""
    known = verdicts.get(id(found))
    if known is not None and known[0] is found:
        return known[1]
    verdict = judge(found)
    if len(verdicts) >= 256:
        verdicts.clear()
    verdicts[id(found)] = (found, verdict)
    return verdict


#: fast path 103: id(handlers) -> (the handlers; whether they only add headers), ``_kept_verdict``'s
_verdicts: dict[int, tuple[Any, bool]] = {}


def parser_for(client: Any, operation_model: Any) -> Any:
    """``client._endpoint._response_parser_factory.create_parser(protocol)``: fast path 103 makes one per factory and
    protocol while the factory's defaults and the protocol's parser class stay what they were (a botocore response
    parser keeps nothing from one parse to the next: its attributes are set once, in ``__init__``)."""
    factory = client._endpoint._response_parser_factory
    protocol = operation_model.service_model.resolved_protocol
    known = _parsers.get((id(factory), protocol))
    parser_class = PROTOCOL_PARSERS.get(protocol)
    if (
        known is not None
        and known[0] is factory
        and known[2] is parser_class
        and known[1] == factory._defaults
        and type(factory).create_parser is _CREATE_PARSER
        and "create_parser" not in vars(factory)
    ):
        return known[3]
    parser = factory.create_parser(protocol)
    plain = type(factory) is ResponseParserFactory  # (not a narrowing check: the factory stays Any)
    if plain and type(factory._defaults) is dict and type(parser) is parser_class:
        if len(_parsers) >= 64:
            _parsers.clear()
        _parsers[(id(factory), protocol)] = (factory, dict(factory._defaults), parser_class, parser)
    return parser


#: fast path 103: (id(factory), protocol) -> (the factory, its defaults then, the parser class, the parser)
_parsers: dict[tuple[int, str], tuple[Any, dict[str, Any], Any, Any]] = {}
_CREATE_PARSER = ResponseParserFactory.create_parser


@functools.lru_cache(maxsize=64)
def _url_parts(url: str) -> tuple[Any, str]:
    parsed = urlparse(url)
    match = BaseResponse.region_regex.search(url)
    return parsed, match.group(1) if match else BaseResponse.default_region


def url_parts(url: str) -> tuple[Any, str]:
    """(the parse of ``url``, its region), as ``setup_class`` reads them."""
    return _url_parts(url)


def prepare(
    client: Any,
    operation_model: Any,
    api_params: dict[str, Any],
    url: str,
    handler: Callable[..., Any] | None,
) -> Callable[[], tuple[int, dict[str, Any], str, dict[str, Any] | None, Any]] | None:
    """The call of a covered operation, validated and converted, ready to run under the AWS lock; it answers
    (status, headers, body, the structure the body is the JSON text of, where it holds blobs if it is botocore's parse
    of that text once they are decoded, else None). None when the call is not covered
    (nothing has happened yet: fast path 11 takes it from the start)."""
    plan = _operation_plan(operation_model)
    input_shape = operation_model.input_shape
    responder = getattr(handler, "__self__", None)
    if (
        plan is None
        or not isinstance(responder, type)
        or not issubclass(responder, BaseResponse)
        or getattr(handler, "__func__", None) is not _DISPATCH
        or moto_recorder._user_enabled
        or ActionAuthenticatorMixin.request_count >= moto_settings.INITIAL_NO_AUTH_ACTION_COUNT  # IAM checks on
        or not _before_call_is_header_only(client, call_events.call_names(operation_model)[2])
    ):
        return None
    serializer: Any = client._serializer
    validator = (
        getattr(serializer, "_param_validator", None)
        if isinstance(serializer, ParamValidationDecorator)
        else _VALIDATOR
    )
    # fast path 60: botocore's validator would find nothing wrong, and this is moto's conversion (else FAIL)
    params = request_params.converted(input_shape, api_params) if type(validator) is ParamValidator else FAIL
    if isinstance(serializer, ParamValidationDecorator):
        checking: Any = serializer
        if params is FAIL:
            report = checking._param_validator.validate(api_params, input_shape)
            if report.has_errors():
                raise ParamValidationError(report=report.generate_report())
        serializer = checking._serializer
    elif params is FAIL and _VALIDATOR.validate(api_params, input_shape).has_errors():
        return None  # fast path 46: a client without validation sends it as it is, fast path 11's way
    if params is FAIL:
        try:
            params = _as_moto_params(input_shape, api_params)
        except _NotCovered:
            return None
    target, content_type = plan
    text = functools.partial(_body_text, serializer, api_params, operation_model)
    return functools.partial(_call, responder, params, url, target, content_type, text)


def _body_text(serializer: Any, api_params: dict[str, Any], operation_model: Any) -> str:
    """The JSON text botocore sends for the call (a response class that parses its parameters itself reads it)."""
    body: bytes = serializer.serialize_to_request(api_params, operation_model)["body"]
    return body.decode("utf-8")


def date_header() -> str:
    """Fast path 96: the ``date`` header moto's ``setup_class`` writes, ``http_date(utcnow())``, read from the clock's
    timestamp (``time.time_ns()``: the same instant, its whole seconds as ``utcnow`` has them, never rounded up; under
    the virtual clock about 1 us where ``datetime.now`` takes about 6) and formatted once per second."""
    return _http_date_at(time.time_ns() // 1_000_000_000)


_http_date_at = functools.lru_cache(maxsize=16)(http_date)
_DISPATCH = BaseResponse.dispatch.__func__  # type: ignore[attr-defined]
_DEFAULT_BLOB_PARSER = ResponseParser._default_blob_parser  # type: ignore[attr-defined]


def set_up(response: Any, url: str, parsed_url: Any, path: str, region: str, uri_match: dict[str, Any]) -> None:
    """What moto's ``setup_class`` sets on a response object for a POST to ``url`` in ``region``, with no request
    object: the part every call answered in process shares (fast paths 23, 73 and 74)."""
    response.is_werkzeug_request = False
    response.normalized_request = None
    response.parsed_url = parsed_url
    response.form_data = MultiDict()
    response.uri = url
    response.path = response.raw_path = path
    response.method = "POST"
    response.region = region
    response.partition = get_partition(region)
    response.uri_match = uri_match
    response.response_headers = {"server": "amazon.com", "date": date_header()}


def call_action(response: Any, url: str) -> AWSResponse:
    """The response object's ``call_action`` as botocore receives it, moto's ``HTTPException`` as moto's answer
    (fast paths 73 and 74)."""
    try:
        status, headers, body = response.call_action()
    except HTTPException as exc:
        status, headers, body = exc.code, exc.get_headers(), exc.get_body()
    return AWSResponse(url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]


def _call(
    responder: type[BaseResponse],
    params: dict[str, Any],
    url: str,
    target: str,
    content_type: str,
    text: Callable[[], str],
) -> tuple[int, dict[str, Any], str, dict[str, Any] | None, Any]:
    """``responder.dispatch`` of the request botocore would send, from ``setup_class`` on."""
    parsed_url, region = _url_parts(url)
    plan = (
        dynamodb_calls.template(url, target, content_type, set_up, _Headers)
        if dynamodb_calls.covers(responder)
        else None
    )
    response: Any
    if plan is not None:  # fast path 87: set up from the template of this URL and operation
        response = dynamodb_calls.response_for(plan, params, _Headers, date_header())
        mark_account_as_visited(
            account_id=response.current_account, access_key=response.access_key, service="dynamodb", region=region
        )
        return _answered(functools.partial(dynamodb_calls.call_action, response, plan))
    response = responder()
    set_up(response, url, parsed_url, parsed_url.path or "/", region, {})
    response.headers = _Headers([("X-Amz-Target", target), ("Content-Type", content_type), ("Host", parsed_url.netloc)])
    if response.automated_parameter_parsing:  # (DynamoDB) moto reads the parameters its parser made of the body
        response.querystring = {}
        response.params = params
        response.body = params
    else:  # fast path 46 (Step Functions): moto reads the JSON text, and the query string setup_class makes of it
        response.body = text()
        response.querystring = _querystring(parsed_url, response.body, response.headers)
    response.data = response.querystring
    response.access_key = response.get_access_key()
    response.current_account = response.get_current_account()
    mark_account_as_visited(
        account_id=response.current_account,
        access_key=response.access_key,
        service=response.service_name,
        region=region,
    )
    return _answered(response.call_action)


def _answered(
    action: Callable[[], Any],
) -> tuple[int, dict[str, Any], str, dict[str, Any] | None, Any]:
    """(status, headers, body) of moto's ``call_action`` (or fast path 87's), with the structure fast path 12 kept."""
    outer = getattr(_wire, "slot", None)
    slot: list[Any] = []
    _wire.slot = slot
    status: Any
    try:
        status, headers, body = action()
    except HTTPException as exc:
        status, headers, body = exc.code, exc.get_headers(), exc.get_body()
    finally:
        _wire.slot = outer
    if slot and slot[0] == body:
        return status, headers, body, slot[1], slot[2]
    return status, headers, body, None, None


class _Headers(Headers):
    """Fast path 63: werkzeug's ``Headers`` whose ``get`` and ``in`` of a name it does not hold answer without raising
    and catching werkzeug's ``BadRequestKeyError`` (moto asks a DynamoDB request for headers it does not have:
    ``Authorization``, ``x-moto-account-id``...). The same case-insensitive scan of the same list, the first match;
    anything else (a ``type`` to convert with, a key that is not a ``str``) werkzeug's own way."""

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # type: ignore[override]
        if type is None and isinstance(key, str):
            wanted = key.lower()
            for name, value in self._list:
                if name.lower() == wanted:
                    return value
            return default
        return super().get(key, default, type)

    def __contains__(self, key: Any) -> bool:
        if isinstance(key, str):
            wanted = key.lower()
            return any(name.lower() == wanted for name, _ in self._list)
        return super().__contains__(key)


def _querystring(parsed_url: Any, body: str, headers: Headers) -> dict[str, Any]:
    """What ``setup_class`` makes the query string of a JSON-protocol request with no form: the URL's query, else the
    body read as one (a JSON text seldom makes sense so, yet what it makes is kept), else the headers."""
    querystring: dict[str, Any] = OrderedDict()
    querystring.update(parse_qs(parsed_url.query, keep_blank_values=True))
    if not querystring and body:
        querystring.update(OrderedDict((key, [value]) for key, value in parse_qsl(body, keep_blank_values=True)))
    if not querystring:
        querystring.update(headers)
    try:
        return _decode_dict(querystring)  # type: ignore[no-any-return]
    except UnicodeDecodeError:
        return querystring


def parsed_success(
    client: Any,
    operation_model: Any,
    url: str,
    status: int,
    headers: Any,
    body: str,
    wire: dict[str, Any],
    blobs: list[tuple[Any, Any, str]] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """botocore's response object and parse of a successful answer, read from the structure its body is the JSON text
    of (fast path 55: that structure itself, its blobs decoded, where that is its parse and the parser decodes blobs
    botocore's way). Fast path 105: where only botocore's retry quota checker would see the response object, an object
    with its status code alone."""
    # fast path 105: a response object only botocore's retry quota reads the status of
    http = (
        _Status(status)
        if _after_call_reads_status_only(client, operation_model)
        else aws_response(url, status, headers, body)
    )
    parser = parser_for(client, operation_model)
    shape = operation_model.output_shape
    parsed: dict[str, Any]
    if shape is None:
        parsed = {}
    elif blobs is not None and getattr(parser._blob_parser, "__func__", None) is _DEFAULT_BLOB_PARSER:
        for container, key, text in blobs:  # what botocore's default blob parser makes of each
            container[key] = base64.b64decode(text)
        parsed = wire
    else:
        parsed = parser._parse_shape(shape, wire)
    # ``lowercase_dict(http.headers)``, read from moto's dict: a name's first place, its last value, as botocore's
    # case-insensitive ``HeadersDict`` keeps them
    lowered = {str(name).lower(): value for name, value in headers.items()}
    parser._inject_response_metadata(parsed, lowered)
    metadata = parsed.get("ResponseMetadata", {})
    metadata["HTTPStatusCode"] = status
    metadata["HTTPHeaders"] = lowered
    parsed["ResponseMetadata"] = metadata
    metadata["RetryAttempts"] = 0
    return http, parsed


# -- fast path 105: no response object where its only reader reads its status --------------------------------------
class _Status:
    """What a direct answer hands the ``after-call`` event and the status check of ``_direct_api_call`` instead of
    botocore's response object, where nothing else sees it: its status code."""

    __slots__ = ("status_code",)

    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


_RELEASE_RETRY_QUOTA = RetryQuotaChecker.release_retry_quota
_status_verdicts: dict[int, tuple[Any, bool]] = {}  # fast path 105: ``_kept_verdict``'s


def _after_call_reads_status_only(client: Any, operation_model: Any) -> bool:
    """True when the handlers botocore's emitter keeps for the operation's ``after-call`` event are all botocore's
    retry quota checker (``RetryQuotaChecker.release_retry_quota``, which reads ``http_response.status_code`` alone):
    then the response object of a successful direct answer is seen by nothing but that handler and the status check
    (``_direct_api_call`` hands the caller the parsed answer only). Judged once per collection of handlers the emitter
    keeps (a registration empties its cache); an event it keeps nothing for yet, or any other handler: False."""
    cache = getattr(getattr(client.meta.events, "_emitter", None), "_lookup_cache", None)
    if cache is None:
        return False
    found = cache.get(call_events.call_names(operation_model)[3])
    if found is None:
        return False
    return _kept_verdict(_status_verdicts, found, _quota_checker_only)


def _quota_checker_only(handlers: Any) -> bool:
    return all(getattr(handler, "__func__", None) is _RELEASE_RETRY_QUOTA for handler in handlers)


# -- fast path 92: botocore's response object, its headers keyed without a new key object per header ----------------
_AWS_RESPONSE_INIT = AWSResponse.__init__
_HEADERS_INIT = HeadersDict.__init__
_HEADERS_SET = HeadersDict.__setitem__
_header_keys: dict[str, _HeaderKey] = {}


def aws_response(url: str, status: int, headers: Any, body: str) -> AWSResponse:
    """``AWSResponse(url, status, headers, MockRawResponse(body))``: the same attributes in the same order, its
    ``HeadersDict`` holding the same ``_HeaderKey`` -> value pairs as ``__setitem__`` per header puts them (the first
    key of a name that differs only in case, the last value), each name's key object made once per name and shared
    (nothing changes a ``_HeaderKey``). Anything unusual (headers not a ``dict`` of ``str``, a changed class) is built
    botocore's way."""
    if (
        type(headers) is not dict
        or AWSResponse.__init__ is not _AWS_RESPONSE_INIT
        or HeadersDict.__init__ is not _HEADERS_INIT
        or HeadersDict.__setitem__ is not _HEADERS_SET
    ):
        return AWSResponse(url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]
    keyed: dict[_HeaderKey, Any] = {}
    for name, value in headers.items():
        key = _header_keys.get(name) if type(name) is str else None
        if key is None:
            if type(name) is not str:
                return AWSResponse(url, status, headers, MockRawResponse(body))  # type: ignore[arg-type]
            key = _header_keys[name] = _HeaderKey(name)
        keyed[key] = value
    http: Any = AWSResponse.__new__(AWSResponse)
    http.url = url
    http.status_code = status
    built: Any = HeadersDict.__new__(HeadersDict)
    built._dict = keyed
    http.headers = built
    http.raw = MockRawResponse(body)
    http._content = None
    return http  # type: ignore[no-any-return]


def clear() -> None:
    request_params.clear()
    _operation_plan.cache_clear()
    forget_run()


def forget_run() -> None:
    """What a run's end forgets: everything but what is a function of an operation model or shape alone (fast path
    120: the request converters, bounded, and ``_operation_plan``, at most 64 models), which fast path 118 hands every
    run again."""
    request_params.bound()
    _http_date_at.cache_clear()
    _url_parts.cache_clear()
    _header_keys.clear()
    _verdicts.clear()
    _parsers.clear()
    _status_verdicts.clear()
    dynamodb_calls.template.cache_clear()
    update_answers.clear()
