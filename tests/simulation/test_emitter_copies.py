"""Fast path 119 (``outreach.simulator.emitter_copies``): a client's copy of the session's event handlers.

Given emitters with random registrations (names with wildcards, first, middle and last handlers, unique ids,
unregistrations) and the session's own, when each is copied with and without the fast path, then the copies have
the same structure (types included) and handlers, share no list or dict with the original, and registrations made
afterwards on a copy or on the original leave the other as botocore's copies leave it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.hooks import EventAliaser, HierarchicalEmitter, NodeList, _PrefixTrie
from hypothesis import given, settings
from hypothesis import strategies as st

from outreach.simulator import emitter_copies
from outreach.simulator.patching import installed


@contextmanager
def _fast(on: bool) -> Iterator[None]:
    if on:
        with installed(emitter_copies.PATCHES):
            yield
    else:
        yield


def _structure(value: Any) -> Any:
    """A value of the trie with every container's type written down (a NodeList equals a plain tuple otherwise)."""
    if isinstance(value, dict):
        return (type(value).__name__, [(key, _structure(item)) for key, item in value.items()])
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [_structure(item) for item in value])
    return value


def _containers(value: Any, found: dict[int, Any]) -> dict[int, Any]:
    if isinstance(value, (dict, list)):
        found[id(value)] = value
    if isinstance(value, dict):
        for item in value.values():
            _containers(item, found)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _containers(item, found)
    return found


def _handler(number: int) -> Any:
    def handle(**kwargs: Any) -> int:
        return number

    handle.__name__ = f"handler_{number}"
    return handle


HANDLERS = [_handler(number) for number in range(6)]
NAMES = st.lists(st.sampled_from(["a", "b", "c", "*", "before-call", "dynamodb"]), min_size=1, max_size=4).map(".".join)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["register", "register_first", "register_last", "unregister"]),
        NAMES,
        st.integers(0, len(HANDLERS) - 1),
        st.sampled_from([None, "u1", "u2"]),
    ),
    max_size=25,
)


def _apply(emitter: Any, steps: list[tuple[str, str, int, str | None]]) -> list[str]:
    """Each step's outcome: botocore refuses some (an unregistration from a node without handlers)."""
    outcomes = []
    for how, name, number, unique_id in steps:
        try:
            getattr(emitter, how)(name, HANDLERS[number], unique_id=unique_id)
            outcomes.append("done")
        except (AttributeError, ValueError) as error:
            outcomes.append(type(error).__name__)
    return outcomes


def _copies(steps: list[Any], after: list[Any], probes: list[str], fast: bool) -> Any:
    emitter = EventAliaser(HierarchicalEmitter())
    _apply(emitter, steps)
    with _fast(fast):
        copied = copy.copy(emitter)
    original = emitter._emitter._handlers
    duplicate = copied._emitter._handlers
    shared = set(_containers(original.__dict__, {})) & set(_containers(duplicate.__dict__, {}))
    structure = _structure(duplicate.__dict__)
    outcomes = _apply(copied, after)
    answers = [(copied.emit(name), emitter.emit(name)) for name in probes]
    return (
        outcomes,
        structure,
        type(duplicate) is _PrefixTrie,
        bool(shared),
        _structure(original.__dict__),
        _structure(duplicate.__dict__),
        [[(handler.__name__, answer) for handler, answer in mine + theirs] for mine, theirs in answers],
    )


@settings(max_examples=200, deadline=None)
@given(STEPS, STEPS, st.lists(NAMES, max_size=5))
def test_given_random_registrations_then_the_copy_is_botocores(
    steps: list[Any], after: list[Any], probes: list[str]
) -> None:
    assert _copies(steps, after, probes, fast=True) == _copies(steps, after, probes, fast=False)


def test_given_the_sessions_emitter_then_the_copy_is_botocores_and_shares_no_container() -> None:
    events = boto3.Session(region_name="us-east-1")._session.get_component("event_emitter")
    plain = copy.copy(events)
    with _fast(True):
        fast = copy.copy(events)
    assert _structure(fast._emitter._handlers.__dict__) == _structure(plain._emitter._handlers.__dict__)
    original = _containers(events._emitter._handlers.__dict__, {})
    assert not set(original) & set(_containers(fast._emitter._handlers.__dict__, {}))
    assert any(type(node) is NodeList for node in _containers_and_tuples(fast._emitter._handlers.__dict__))


def _containers_and_tuples(value: Any) -> list[Any]:
    out = [value]
    if isinstance(value, dict):
        for item in value.values():
            out += _containers_and_tuples(item)
    elif isinstance(value, tuple):
        for item in value:
            out += _containers_and_tuples(item)
    return out


def test_given_a_trie_of_another_class_or_odd_values_then_botocores_copy_runs() -> None:
    class Trie(_PrefixTrie):
        pass

    trie = Trie()
    trie.append_item("a.b", HANDLERS[0])
    trie._root["extra"] = [1, 2]  # a value of neither kind botocore's copy looks for
    with _fast(True):
        copied = copy.copy(trie)
    assert _structure(copied.__dict__) == _structure(copy.copy(trie).__dict__)
    plain = _PrefixTrie()
    plain.append_item("a", HANDLERS[1])
    plain._root["extra"] = [1, 2]
    with _fast(True):
        fast = copy.copy(plain)
    assert fast._root["extra"] is plain._root["extra"]  # botocore shares what is not a dict or a NodeList
    assert _structure(fast.__dict__) == _structure(copy.copy(plain).__dict__)
