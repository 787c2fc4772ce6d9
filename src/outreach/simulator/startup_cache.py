"""What a simulator process would otherwise work out again on every start, kept on disk (fast path 15).

One ``outreach simulate`` is a process of its own, and most of a short run is one-time work whose result
depends only on installed files: the botocore models its clients and moto read (gzipped JSON, each parsed
into ``OrderedDict``s, several of them twice: botocore's loader and moto's), the list of services in
botocore's data directory (a directory walk of every service, once per model type and loader), and the
Python code jinja2 generates and compiles for every message template and copy phrase. Each is kept in the
simulator's cache directory (``OUTREACH_SIMULATOR_CACHE``, default ``~/.cache/outreach-simulator``; ``off``
keeps nothing) and read back by later processes:

- a botocore data file as a pickle of exactly what ``JSONFileLoader.load_file`` returns (the same
  ``OrderedDict``s), named by a hash of the file's path, size and modification time and of the botocore and
  Python versions;
- ``Loader.list_available_services`` per loader search path and model type, and the regions moto gives each
  service's backends (``AccountSpecificBackend._generate_regions``, worked out again for every service in every
  run), only when every directory searched is part of an installed package (botocore, boto3, moto: their
  versions name the file);
- a compiled template as its marshalled code object, named by a hash of the source, its name and file name,
  the environment's settings that shape the generated code (delimiters, whitespace handling, autoescaping,
  extensions, filters and tests) and the jinja2 and Python versions.

Whatever is wrong with a cached file (missing, truncated, from another version) means computing afresh and
writing it again, to a temporary name first, then renamed: concurrent runs never read half a file. The
results are the same objects the libraries compute, so a run's output never depends on the cache
(``tests/simulation/test_fast_path_parity.py``).
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import pickle
import stat
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from types import CodeType
from typing import Any, TypeVar

import boto3
import botocore
import jinja2
import moto
from botocore import loaders as botocore_loaders
from moto.core.base_backend import AccountSpecificBackend

#: Where the simulator keeps what it computed once: a directory, or ``off``. Default:
#: ``$XDG_CACHE_HOME/outreach-simulator`` (``~/.cache/outreach-simulator``).
CACHE_ENV = "OUTREACH_SIMULATOR_CACHE"

T = TypeVar("T")


def directory() -> Path | None:
    """The cache directory now (``CACHE_ENV``), or None when caching is off."""
    configured = os.environ.get(CACHE_ENV, "")
    if configured == "off":
        return None
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "outreach-simulator"


def key(*parts: object) -> str:
    """A file name part for what ``parts`` determine (always with Python's version: pickles and code objects
    are version-specific)."""
    return hashlib.sha256("\n".join(map(str, (sys.version, *parts))).encode()).hexdigest()[:32]


def read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (a temporary name, then a rename); a cache that cannot be written
    is no error."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_bytes(data)
        partial.replace(path)
    except OSError:
        with suppress(OSError):
            partial.unlink(missing_ok=True)


def remembered(
    path: Path,
    compute: Callable[[], T],
    loads: Callable[[bytes], Any],
    dumps: Callable[[T], bytes],
    kind: type[T],
) -> T:
    """What an earlier process kept at ``path`` when it loads as a ``kind``; else ``compute()``, kept there."""
    data = read(path)
    if data is not None:
        with suppress(Exception):  # a cache: whatever is wrong with the file, compute again
            found = loads(data)
            if isinstance(found, kind):
                return found
    computed = compute()
    write(path, dumps(computed))
    return computed


def _pickled(value: Any) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


# -- botocore's model files ------------------------------------------------------------------------------
_original_load_file = botocore_loaders.JSONFileLoader.load_file
_original_list_services = botocore_loaders.Loader.list_available_services
_JSON_OPEN_METHODS: dict[str, Any] = botocore_loaders._JSON_OPEN_METHODS  # type: ignore[attr-defined]


def _load_file(self: botocore_loaders.JSONFileLoader, file_path: str) -> Any:
    """``JSONFileLoader.load_file``: the first of ``file_path`` + ``.json`` / ``.json.gz`` that is a file,
    parsed, or None; read from its pickle when one was kept for this very file."""
    cache = directory()
    if cache is None:
        return _original_load_file(self, file_path)
    for extension, open_method in _JSON_OPEN_METHODS.items():
        full_path = file_path + extension
        try:
            status = Path(full_path).stat()
        except OSError:
            continue
        if not stat.S_ISREG(status.st_mode):
            continue
        kept = cache / "botocore" / f"{key(botocore.__version__, full_path, status.st_size, status.st_mtime_ns)}.pickle"
        data = read(kept)
        if data is not None:
            with suppress(Exception):  # a cache: whatever is wrong with the file, parse again
                return pickle.loads(data)
        loaded = self._load_file(full_path, open_method)  # type: ignore[attr-defined]
        if loaded is not None:
            write(kept, _pickled(loaded))
            return loaded
    return None


_PACKAGE_DIRECTORIES = tuple(
    f"{Path(module.__file__ or '').absolute().parent}{os.sep}" for module in (botocore, boto3, moto)
)


def _packaged(loader: botocore_loaders.Loader) -> list[str] | None:
    """The directories ``loader`` searches, when each belongs to an installed package (else None)."""
    locations = list(loader._potential_locations())  # type: ignore[attr-defined]
    if all((location + os.sep).startswith(_PACKAGE_DIRECTORIES) for location in locations):
        return locations
    return None


def _kept_list(name: str, compute: Callable[[], list[str]]) -> list[str]:
    """``compute()``, or the list kept under ``name`` (in the botocore cache) by an earlier process."""
    cache = directory()
    if cache is None:
        return compute()
    return remembered(cache / "botocore" / f"{name}.pickle", compute, pickle.loads, _pickled, list)


_VERSIONS = (botocore.__version__, boto3.__version__, moto.__version__)


@botocore_loaders.instance_cache
def list_available_services(self: botocore_loaders.Loader, type_name: str) -> list[str]:
    """``Loader.list_available_services`` (cached per loader as botocore does), kept on disk when every
    directory it searches belongs to an installed package whose version names the file."""
    locations = _packaged(self)
    if locations is None:
        return _original_list_services(self, type_name)  # type: ignore[no-any-return]
    return _kept_list(
        f"services-{key(*_VERSIONS, type_name, *locations)}", lambda: _original_list_services(self, type_name)
    )


_original_generate_regions = AccountSpecificBackend._generate_regions
_regions: dict[str, list[str]] = {}


def _generate_regions(self: AccountSpecificBackend[Any], service_name: str) -> list[str]:
    """moto's ``AccountSpecificBackend._generate_regions``: every region of every partition botocore's endpoint
    data lists for the service. moto works it out again for each account backend, i.e. for every service in
    every run (and loads the service's whole model for its endpoint prefix); it depends only on botocore's
    data, so it is worked out once per process and kept on disk (installed data directories only)."""
    if service_name not in _regions:
        session = AccountSpecificBackend.get_session()
        locations = _packaged(session._session.get_component("data_loader"))
        compute = functools.partial(_original_generate_regions, self, service_name)
        if locations is None:
            return compute()  # type: ignore[no-any-return]
        _regions[service_name] = _kept_list(f"regions-{key(*_VERSIONS, service_name, *locations)}", compute)
    return _regions[service_name]


# -- jinja2's compiled templates -------------------------------------------------------------------------
_original_compile = jinja2.Environment.compile
#: Environment attributes the generated code depends on (besides extensions, filters and tests).
_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "autoescape",
    "optimized",
    "is_async",
)


def _settings(environment: jinja2.Environment) -> str | None:
    """What of ``environment`` shapes the code it generates, or None when that cannot be written down
    (a callable ``autoescape`` or ``finalize``, another code generator): then nothing is cached."""
    values = [getattr(environment, name) for name in _SETTINGS]
    if not all(value is None or isinstance(value, str | bool | int) for value in values):
        return None
    if (
        environment.finalize is not None
        or environment.code_generator_class is not jinja2.compiler.CodeGenerator
        or environment.context_class is not jinja2.runtime.Context
    ):
        return None
    return repr((values, sorted(environment.extensions), sorted(environment.filters), sorted(environment.tests)))


def _compile(
    self: jinja2.Environment,
    source: Any,
    name: str | None = None,
    filename: str | None = None,
    raw: bool = False,
    defer_init: bool = False,
) -> Any:
    """``Environment.compile``: a template's source compiled to a code object, read from its marshalled
    copy when one was kept for the same source, names and environment settings."""
    cache = directory()
    settings = _settings(self) if cache is not None and isinstance(source, str) and not raw else None
    if cache is None or settings is None:
        return _original_compile(self, source, name, filename, raw, defer_init)  # type: ignore[call-overload]
    kept = cache / "jinja2" / f"{key(jinja2.__version__, settings, name, filename, defer_init, source)}.code"
    return remembered(
        kept,
        lambda: _original_compile(self, source, name, filename, False, defer_init),
        marshal.loads,
        marshal.dumps,
        CodeType,
    )


jinja2.utils.internal_code.add(_compile.__code__)  # like the method it replaces: left out of template tracebacks

#: (owner, attribute, replacement) for ``moto_runtime``'s fast paths.
PATCHES: list[tuple[Any, str, Callable[..., Any]]] = [
    (botocore_loaders.JSONFileLoader, "load_file", _load_file),
    (botocore_loaders.Loader, "list_available_services", list_available_services),
    (AccountSpecificBackend, "_generate_regions", _generate_regions),
    (jinja2.Environment, "compile", _compile),
]
