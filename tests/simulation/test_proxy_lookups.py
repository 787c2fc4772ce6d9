"""Fast path 123 (``outreach.simulator.proxy_lookups``): the proxy variables read as the standard library reads them.

Given random environments (proxy variables in every case, empty values, ``no_proxy``, ``REQUEST_METHOD``, names that
end in ``_proxy`` only in part, non-ASCII names), then ``getproxies_environment`` answers what the standard library's
answers, and so does botocore's ``get_environ_proxies`` for AWS endpoints and others.
"""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore import utils as botocore_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import proxy_lookups
from outreach.simulator.patching import installed

NAMES = st.one_of(
    st.sampled_from(
        [
            "http_proxy",
            "HTTP_PROXY",
            "Https_Proxy",
            "https_proxy",
            "no_proxy",
            "NO_PROXY",
            "all_proxy",
            "ftp_proxy",
            "REQUEST_METHOD",
            "proxy",
            "_proxy",
            "X_PROXYY",
            "SIM_PROXY_X",
            "PRÖXY_PROXY",
            "ÜBER",
            "SIM_VAR",
        ]
    ),
    st.text(alphabet="abcxyzABPRXOY_ü", min_size=1, max_size=8),
)
VALUES = st.sampled_from(["", "http://proxy:3128", "localhost,.amazonaws.com", "*", "GET", "x"])
URLS = st.sampled_from(
    ["https://dynamodb.us-east-1.amazonaws.com", "http://localhost:5000", "https://example.com/x", "https://[::1]:8"]
)


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    try:
        for name in list(os.environ):
            if name.lower().endswith("_proxy") or name == "REQUEST_METHOD":
                del os.environ[name]
        os.environ.update(variables)
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _answers(urls: list[str]) -> Any:
    out: list[Any] = [urllib.request.getproxies_environment()]
    for url in urls:
        try:
            out.append(botocore_utils.get_environ_proxies(url))
        except Exception as error:  # an address the standard library cannot read: the same error both ways
            out.append(type(error).__name__)
    return out


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, VALUES, max_size=6), st.lists(URLS, max_size=3))
def test_given_any_environment_then_the_proxies_are_the_standard_librarys(
    variables: dict[str, str], urls: list[str]
) -> None:
    with _environment(variables):
        expected = _answers(urls)
        with installed(proxy_lookups.PATCHES):
            got = _answers(urls)
    assert got == expected


def test_given_no_proxy_variable_then_the_answer_is_empty_without_the_standard_librarys_walk() -> None:
    walked: list[int] = []
    original = proxy_lookups._original_getproxies_environment

    def spy() -> Any:
        walked.append(1)
        return original()

    proxy_lookups._original_getproxies_environment = spy
    try:
        with _environment({"SIM_VAR": "1"}), installed(proxy_lookups.PATCHES):
            assert botocore_utils.get_environ_proxies("https://dynamodb.us-east-1.amazonaws.com") == {}
        with _environment({"HTTPS_PROXY": "http://p:1"}), installed(proxy_lookups.PATCHES):
            assert botocore_utils.get_environ_proxies("https://x.amazonaws.com") == {"https": "http://p:1"}
    finally:
        proxy_lookups._original_getproxies_environment = original
    assert len(walked) == 2  # (proxy_bypass, then getproxies) for the environment that has one, none for the other
