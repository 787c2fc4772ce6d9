"""Fast path 109 (``outreach.simulator.url_routes``): a new URL's service is searched among the patterns that can match.

Given any text moto's service URL patterns match (drawn from the patterns themselves), then it begins with one of the
beginnings read from the pattern; given URLs of every service's hosts with random paths (and the simulator's own), when
moto's handler is looked up with the candidates of the URL's host, then the services tried are the ones a try of every
pattern tries, in the same order (and for the simulator's URLs, the handler is the one every pattern finds).
"""

from __future__ import annotations

import re
from typing import Any

import moto.backend_index as backend_index
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.simulator import moto_runtime, url_routes

PATTERNS = backend_index.backend_url_patterns
SIMULATOR_URLS = [
    "https://scheduler.us-east-1.amazonaws.com/schedules/SO-1-abcdef123456-1789000000",
    "https://scheduler.us-east-1.amazonaws.com/schedule-groups/outreach-timers",
    "https://email.us-east-1.amazonaws.com/v2/email/suppression/addresses/ada%40example.com",
    "https://email.us-east-1.amazonaws.com/v2/email/outbound-emails",
    "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/outreach-timeline/invocations",
    "https://dynamodb.us-east-1.amazonaws.com/",
    "https://states.us-east-1.amazonaws.com/",
    "https://sns.us-east-1.amazonaws.com/",
    "https://sqs.us-east-1.amazonaws.com/",
    "https://events.us-east-1.amazonaws.com/",
    "https://iam.amazonaws.com/",
    "https://secretsmanager.us-east-1.amazonaws.com/",
]


def _every_pattern(clean_url: str) -> Any:
    """moto's search (``BotocoreStubber.process_request``) as ``_moto_handler`` made it, trying every pattern."""
    for service, pattern in PATTERNS:
        if pattern.match(clean_url):
            for url, handler in moto_runtime._service_urls(service):
                if url.match(clean_url):
                    return handler
    return None


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.data())
@pytest.mark.parametrize("number", range(0, len(PATTERNS), 4))
def test_given_text_a_pattern_matches_then_it_begins_with_one_of_the_pattern_s_beginnings(
    number: int, data: st.DataObject
) -> None:
    for _, pattern in PATTERNS[number : number + 4]:
        text = data.draw(st.from_regex(pattern, fullmatch=True))
        assert pattern.match(text)
        texts = url_routes.beginnings(pattern)
        assert texts is None or text.startswith(texts), (pattern.pattern, text)


def test_given_the_patterns_then_beginnings_are_read_and_text_that_starts_otherwise_is_refused() -> None:
    scheduler = next(p for s, p in PATTERNS if s == "scheduler")
    assert url_routes.beginnings(scheduler) == ("http://scheduler.", "https://scheduler.")
    for _, pattern in PATTERNS:
        texts = url_routes.beginnings(pattern)
        assert texts is not None
        for text in texts:
            assert not pattern.match("x" + text)
    assert url_routes.beginnings(re.compile("https?://Sns", re.IGNORECASE)) is None
    assert url_routes.beginnings(re.compile("s?x")) == ("x", "sx")
    assert url_routes.beginnings(re.compile("s?(a|b)")) is None  # (a match may begin with anything but "s" too)
    assert url_routes.beginnings(re.compile("a(b|c)")) == ("a",)


hosts = st.sampled_from(PATTERNS).flatmap(lambda entry: st.from_regex(entry[1], fullmatch=True)).map(url_routes.host_of)
paths = st.lists(st.text(alphabet="abcXYZ019-_.%@:", max_size=12), max_size=4).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(hosts, st.sampled_from([url_routes.host_of(u) for u in SIMULATOR_URLS])), paths)
def test_given_urls_of_every_service_when_searched_among_the_host_s_candidates_then_the_same_services_are_tried(
    host: str, path: str
) -> None:
    url = host + path
    assert url_routes.host_of(url) == host or not url.startswith(host + "/")
    candidates = url_routes.candidates(PATTERNS, url_routes.host_of(url))
    # the search tries the services whose patterns match, in order: the same ones (whatever their URLs: some services'
    # backends need packages the simulator does not install, so their handlers are not looked up here)
    assert [s for s, p in candidates if p.match(url)] == [s for s, p in PATTERNS if p.match(url)]


def test_given_the_simulator_s_urls_then_their_handlers_are_the_ones_every_pattern_finds() -> None:
    for url in SIMULATOR_URLS:
        found = moto_runtime._moto_handler.__wrapped__(url)
        assert found is not None and found == _every_pattern(url), url
    assert len(url_routes.candidates(PATTERNS, "https://scheduler.us-east-1.amazonaws.com")) < len(PATTERNS) // 4
