"""Fast paths 26, 27 and 51: REST-protocol calls (Lambda ``Invoke``, SES v2, EventBridge Scheduler) reach moto's handler
without werkzeug's request normalisation and without botocore's request object, and moto routes each route once.

Fast path 11 hands botocore's serialised request to moto's handler as ``BotocoreStubber`` would: botocore builds an
``AWSRequest`` and prepares it (``create_request_object(...).prepare()``), and moto's ``normalize_request`` turns that
into a werkzeug ``Request`` through werkzeug's test ``EnvironBuilder`` (``Request.from_values``): header objects, a
body stream, URL quoting, then the WSGI environ. For a ``rest-json`` operation (every field is a path label, a query
argument, a header or a JSON/blob body; never a form) this module builds that very environ directly from the request
dict botocore serialised, key by key as ``AWSRequest.prepare`` and ``EnvironBuilder.get_environ`` produce it (same
keys, same order, same values, the same body bytes in ``wsgi.input``), and moto's own ``Request`` class is made from
it. Everything moto reads of the request (``path`` decoded, ``raw_path``/``raw_url`` as sent, ``args``, ``headers``,
``data``, ``host``, ``content_type``) is then computed by werkzeug's and moto's own code, as before; routing, the
response class, the backend, request ids and errors are untouched. ``tests/simulation/test_rest_calls.py`` compares
the environ with ``normalize_request``'s for every operation the simulator calls and for awkward URLs (encoded e-mail
addresses and ARNs, non-ASCII, ports, empty and text bodies), and the answers, errors and moto's stored state with
plain moto.

moto's own werkzeug ``Request`` computes its host and root URL from the scheme, ``Host`` header, server name and port
and script name; those are computed by werkzeug once per such combination and handed to later requests as werkzeug's
own cached values.

Fast path 27: for a REST request moto finds the operation with its router on every call (werkzeug's URL map matched
against the raw path, then each candidate operation's ``RequiredArg``/``RequiredHeader`` constraints). The result (the
operation and its path labels) is kept by everything the router reads: the service, the content type (the protocol),
the host, the method, the raw path, the query string (when any of the service's rules constrains a query argument)
and the presence and value of each header any of its rules constrains. Only plain ``RestRouter`` routes are kept
(not S3's); a request the router matches to nothing, or that makes it raise, goes the router's way every time.

Fast path 51: moto's ``setup_class`` reads the body of every request (``request.data``: werkzeug sets up a form parser
or decides it needs none, wraps ``wsgi.input`` in a limited stream and reads it) and its form and files (empty for
anything but a form). A request built here gets them as werkzeug leaves them after that read: the body bytes cached,
an empty form and no files (werkzeug's ``parameter_storage_class``), a stream with nothing more to read. A body with
a ``Content-Encoding`` (moto decompresses a gzip body from the stream) is left to werkzeug. The same test compares
what moto reads (the body twice, the stream after it, form, files, values) with ``normalize_request``'s request.

Not covered by fast path 26 (fast path 11's way as before): other protocols (the JSON protocol has its own light
request, query and XML protocols carry forms), file-like bodies (a blob payload such as Lambda's ``Payload`` given as
bytes or text is covered), ``Transfer-Encoding``, form content types, non-HTTP(S) URLs, and moto's request recorder.
"""

from __future__ import annotations

import functools
import sys
from contextlib import suppress
from io import BytesIO
from typing import Any
from urllib.parse import unquote, urlparse, urlsplit

from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    Request,
    determine_request_protocol,
    should_preserve_original_header_name,
)
from moto.core.responses import BaseResponse
from moto.core.routing import RequiredArg, RequiredHeader, RestRouter, get_service_router
from moto.moto_api import recorder as moto_recorder
from werkzeug.exceptions import NotFound
from werkzeug.urls import iri_to_uri

#: botocore protocols whose requests this module builds (the JSON protocol has ``moto_runtime._JsonRequest``)
PROTOCOLS = frozenset(("rest-json",))
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class LightRequest:
    """What ``moto_runtime._moto_response`` reads of a prepared ``AWSPreparedRequest`` (its URL, method and headers),
    plus the moto ``Request`` that ``normalize_request`` would have made of it."""

    __slots__ = ("headers", "method", "moto_request", "url")

    def __init__(self, url: str, method: str, headers: dict[str, Any], moto_request: Request) -> None:
        self.url = url
        self.method = method
        self.headers = headers
        self.moto_request = moto_request


def light_request(prepared: dict[str, Any], operation_model: Any) -> LightRequest | None:
    """The request for botocore's serialised request dict ``prepared`` (``_convert_to_request_dict``), or None when it
    is not covered (nothing has happened: the caller builds botocore's request object as before)."""
    if operation_model.service_model.resolved_protocol not in PROTOCOLS or moto_recorder._user_enabled:
        return None
    body = prepared["body"]
    if isinstance(body, str):
        data = body.encode("utf-8")  # werkzeug encodes a text body as UTF-8
    elif isinstance(body, bytes):  # a bytearray goes moto's way: its request builder reads one as form data
        data = body
    elif body is None:
        data = b""
    else:
        return None  # a dict (a form) or a file-like body
    url: str = prepared["url"]
    method: str = prepared["method"]
    raw_headers: dict[str, Any] = prepared["headers"]
    if len({key.lower() for key in raw_headers}) != len(raw_headers):
        return None  # botocore's HeadersDict would merge them
    headers: list[tuple[str, str]] = []
    content_type = None
    for key, value in raw_headers.items():
        text = value.decode("utf-8") if isinstance(value, bytes) else value
        if not isinstance(text, str) or "\n" in text or "\r" in text:
            return None  # werkzeug's Headers would convert or refuse it
        lowered = key.lower()
        if lowered == "transfer-encoding":
            return None
        if lowered == "content-type":
            if content_type is None:
                content_type = text
            continue
        if lowered == "content-length":
            continue  # werkzeug derives it from the body
        headers.append((key, text))
    if content_type is not None and content_type.partition(";")[0].strip().lower() in _FORM_TYPES:
        return None
    parsed = urlparse(url)  # as moto's ``Request.from_primitives`` splits it (``;params`` leave the path)
    if parsed.scheme not in ("http", "https") or parsed.fragment or not parsed.netloc:
        return None
    if parsed.path.startswith("//") or "?" in parsed.path or "#" in parsed.path:
        return None  # werkzeug would split such a path again
    environ = _environ(parsed, method, data, content_type, headers)
    if environ is None:
        return None
    return LightRequest(url, method, raw_headers, _request(environ, data))


#: werkzeug's cached ``host``, ``root_url`` and ``url_root`` of a request, by everything they are computed from
_roots: dict[tuple[Any, ...], tuple[str, str, str]] = {}


def _request(environ: dict[str, Any], data: bytes) -> Request:
    """moto's ``Request`` of ``environ``; its host and root URL (werkzeug's ``get_host`` and ``get_current_url`` of
    the scheme, ``Host`` header, server name and port, script name and trusted hosts) computed once per such key by
    werkzeug itself, then given to each request with the same key as werkzeug's own cached values; and (fast path 51)
    its body as werkzeug reads it for moto, given at once."""
    request = Request(environ)
    if "HTTP_CONTENT_ENCODING" not in environ:  # (a gzip body is decompressed by moto from the stream)
        # What werkzeug leaves once moto has read ``data`` (``get_data(parse_form_data=True)``): a request that is not
        # a form (forms are not built here) has an empty form and no files, the body bytes cached, and a stream with
        # nothing more to read. ``Request.form``, ``files`` and ``stream`` are cached properties: set, they are read.
        values = request.__dict__
        values["form"] = request.parameter_storage_class()
        values["files"] = request.parameter_storage_class()
        values["stream"] = BytesIO()
        request._cached_data = data  # type: ignore[attr-defined]
    key = (
        environ["wsgi.url_scheme"],
        environ.get("HTTP_HOST"),
        environ["SERVER_NAME"],
        environ["SERVER_PORT"],
        environ["SCRIPT_NAME"],
        None if request.trusted_hosts is None else tuple(request.trusted_hosts),
    )
    known = _roots.get(key)
    if known is None:
        _roots[key] = (request.host, request.root_url, request.url_root)
    else:
        request.host, request.root_url, request.url_root = known  # type: ignore[misc]
    return request


def _environ(
    parsed: Any, method: str, data: bytes, content_type: str | None, headers: list[tuple[str, str]]
) -> dict[str, Any] | None:
    """``EnvironBuilder(path, base_url, query_string, method, data, headers).get_environ()`` as moto's
    ``Request.from_primitives`` calls it, then moto's two additions."""
    server = _server(parsed.scheme, parsed.netloc)
    if server is None:
        return None
    host, name, port = server
    path = parsed.path
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": _wsgi_encoding_dance(unquote(iri_to_uri(path))),  # werkzeug decodes the path it is given
        "QUERY_STRING": _wsgi_encoding_dance(parsed.query),
        "REQUEST_URI": _wsgi_encoding_dance(path),
        "RAW_URI": _wsgi_encoding_dance(path),
        "SERVER_NAME": name,
        "SERVER_PORT": str(port),
        "HTTP_HOST": host,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parsed.scheme,
        "wsgi.input": BytesIO(data) if data else BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if data:
        environ["CONTENT_LENGTH"] = str(len(data))
    combined: dict[str, list[str]] = {}
    for key, value in headers:
        combined.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(value)
    for key, values in combined.items():
        environ[key] = ", ".join(values)
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
        _environ_key(key): key for key, _ in headers if should_preserve_original_header_name(key)
    }
    environ.setdefault("CONTENT_LENGTH", "0")
    return environ


@functools.lru_cache(maxsize=256)
def _server(scheme: str, netloc: str) -> tuple[str, str, int] | None:
    """(host, server name, port) of ``EnvironBuilder(base_url=scheme://netloc)``; None where werkzeug would refuse the
    URL or see a script root in it."""
    try:
        base = urlsplit(iri_to_uri(f"{scheme}://{netloc}"))
    except ValueError:
        return None
    if base.path or base.query or base.fragment:
        return None
    name, sep, port_text = base.netloc.partition(":")
    port = 443 if base.scheme == "https" else 80
    if sep:
        with suppress(ValueError):  # werkzeug keeps the default port for a port that is not a number
            port = int(port_text)
    return base.netloc, name, port


def _environ_key(header_name: str) -> str:
    key = header_name.upper().replace("-", "_")
    return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"


def _wsgi_encoding_dance(text: str) -> str:
    return text.encode().decode("latin1")


def clear() -> None:
    _roots.clear()
    _server.cache_clear()
    _routes.clear()
    _constraint_names.clear()


# -- fast path 27: a REST request's operation found once per route -------------------------------------------------
_routes: dict[tuple[Any, ...], tuple[str, dict[str, Any]]] = {}
_constraint_names: dict[int, tuple[RestRouter, tuple[str, ...], tuple[str, ...]]] = {}


def _names_constrained(router: RestRouter) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The query arguments and headers any rule of ``router`` looks at to pick an operation (``SmithyRule``'s
    ``RequiredArg`` and ``RequiredHeader`` constraints), in a fixed order."""
    known = _constraint_names.get(id(router))
    if known is not None and known[0] is router:
        return known[1], known[2]
    args: set[str] = set()
    headers: set[str] = set()
    for rule in router._map.iter_rules():
        for candidate in rule._action_selector.candidates:  # type: ignore[attr-defined]
            for constraint in candidate.constraints:
                if type(constraint) is RequiredArg:
                    args.add(constraint.name)
                elif type(constraint) is RequiredHeader:
                    headers.add(constraint.name)
                else:
                    raise _Unroutable  # a constraint of another kind: moto's way
    names = (tuple(sorted(args)), tuple(sorted(headers)))
    _constraint_names[id(router)] = (router, *names)
    return names


class _Unroutable(Exception):
    pass


def _route_key(response: BaseResponse, request: Any) -> tuple[Any, ...] | None:
    """Everything ``RestRouter.match`` reads of ``request``: the protocol (from the content type), the host (the
    map's binding and host labels), the method, the raw path, the query string (whose parse, ``args``, the rules'
    argument constraints test; not needed when no rule has one) and the headers the rules' constraints test. None
    when the router is not a plain ``RestRouter`` (S3's, RPC protocols) or unknown."""
    service = response.boto3_service_name
    content_type = request.content_type
    try:
        service_router = get_service_router(service)
        router = service_router._get_router(determine_request_protocol(service_router._service_model, content_type))
        if type(router) is not RestRouter:
            return None
        arg_names, header_names = _names_constrained(router)
    except (NotFound, _Unroutable):  # no router for the protocol, a constraint of another kind: moto's way
        return None
    environ = getattr(request, "environ", None)
    if not isinstance(environ, dict):
        return None
    if arg_names:  # the query string itself: ``args`` is werkzeug's parse of it
        query = environ.get("QUERY_STRING", "")
    headers = request.headers
    return (
        service,
        content_type,
        request.host,
        request.method,
        request.raw_path,
        query if arg_names else None,
        tuple((name in headers, headers.get(name)) for name in header_names),
    )


def _route_once(self: BaseResponse, request: Any) -> str:
    """``BaseResponse._get_action_from_method_and_request_uri`` (moto's router: werkzeug's URL map, then the rules'
    constraints) answered from the result for the same route inputs (``_route_key``). Only found operations are
    kept; a request that matches none, or raises, goes moto's way every time."""
    key = _route_key(self, request)
    if key is None:
        return _original_route(self, request)
    known = _routes.get(key)
    if known is not None:
        self.uri_match = dict(known[1])
        return known[0]
    operation = _original_route(self, request)
    if operation is not None:
        _routes[key] = (operation, dict(self.uri_match))
    return operation


_original_route = BaseResponse._get_action_from_method_and_request_uri
PATCHES: list[tuple[Any, str, Any]] = [(BaseResponse, "_get_action_from_method_and_request_uri", _route_once)]
