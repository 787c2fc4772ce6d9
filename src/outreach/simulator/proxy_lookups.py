"""Fast path 123: botocore's look for proxy variables answers at once when the environment has none.

Every client botocore makes (about nine a run) asks for the proxies of its endpoint
(``EndpointCreator._get_proxies`` -> ``utils.get_environ_proxies``): ``proxy_bypass`` and then ``getproxies``, each
the standard library's ``urllib.request.getproxies_environment``, which walks the whole process environment twice
(``os.environ.items()``: every name and value decoded, every name lowered), about 40 variables while a run sets the
functions' environments. Its answer depends on the variables whose lowered name ends in ``_proxy`` alone
(``REQUEST_METHOD`` only takes the ``http`` entry out of what they give): with none of them it is ``{}``.

Here the environment's names as the process keeps them (``os.environ._data``: bytes on POSIX) are joined with NULs,
in C, and searched once for a name ending in ``_proxy`` in any case; when the names are all ASCII (``str.lower`` and
the search's ASCII case folding then agree) and none does, the answer is ``{}``; anything else (such a name, a non-ASCII
name, an environment mapping of another kind) is the standard library's walk. ``botocore.utils`` imported
``getproxies`` by name, so it is replaced there too; ``proxy_bypass_environment`` looks the function up in its module at
every call. ``tests/simulation/test_proxy_lookups.py`` compares the answers (and botocore's ``get_environ_proxies`` for
several URLs) with the standard library's over random environments, and shows the walk skipped only without a proxy
variable.
"""

from __future__ import annotations

import os
import re
import urllib.request
from typing import Any

from botocore import utils as botocore_utils

_original_getproxies_environment: Any = urllib.request.getproxies_environment
#: a variable name ending in ``_proxy`` in any case (ASCII), at the end of a name of the NUL-joined names
_PROXY_NAME = re.compile(rb"_proxy(?:\0|\Z)", re.IGNORECASE)


def getproxies_environment() -> dict[str, str]:
    environ: Any = os.environ
    data = getattr(environ, "_data", None)
    if type(environ) is os._Environ and type(data) is dict:
        try:
            joined = b"\0".join(data)
        except TypeError:
            joined = None
        if joined is not None and joined.isascii() and _PROXY_NAME.search(joined) is None:
            return {}
    return _original_getproxies_environment()  # type: ignore[no-any-return]


PATCHES: list[tuple[Any, str, Any]] = [
    (urllib.request, "getproxies_environment", getproxies_environment),
    (botocore_utils, "getproxies", getproxies_environment),
]
