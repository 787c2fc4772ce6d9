"""Fast path 119: a client's copy of the session's event handlers is made without ``copy.copy``'s dispatch.

Every client botocore makes (about nine a run: each run is a fresh deployment) starts with a copy of its session's
event emitter (``copy.copy`` in ``ClientArgsCreator.get_client_args``): the handler trie, about 200 nodes and 120
handler lists for the simulator's session, copied by ``_PrefixTrie._recursive_copy``, which for each value of each dict
asks ``isinstance`` twice and copies a ``NodeList`` through ``copy.copy`` (its ``__copy__``, then ``copy.copy`` of each
of its three lists, each a look-up of the copier for its class). About 180 us a copy.

Here a value of exactly the classes botocore puts there is copied straight away: a ``dict`` by the same recursion, a
``NodeList`` of three plain lists as a new ``NodeList`` of the lists' copies (what ``NodeList.__copy__`` makes), a
``str`` (a node's chunk) and ``None`` (a node without handlers) as themselves, as botocore keeps them; any other value
takes botocore's ``isinstance`` tests in botocore's order, and a trie of a subclass (which may copy its own way) is
copied by botocore's method. The same structure, the same handler objects, no list or dict shared with the original;
about 120 us a copy. ``tests/simulation/test_emitter_copies.py`` compares the copies (containers' classes included),
what they share with the original, and what registrations and emits on a copy and the original do afterwards, with
botocore's, over random registrations (wildcards, first and last handlers, unique ids, unregistrations) and the
session's own emitter.
"""

from __future__ import annotations

import copy
from typing import Any

from botocore.hooks import NodeList, _PrefixTrie  # type: ignore[attr-defined]

_copy = copy.copy
_new_tuple = tuple.__new__


def _recursive_copy(self: _PrefixTrie, node: dict[str, Any]) -> dict[str, Any]:
    if type(self) is not _PrefixTrie:
        return _original_recursive_copy(self, node)  # type: ignore[no-any-return]
    return _copy_dict(node)


def _copy_dict(node: dict[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = {}
    for key, value in node.items():
        kind = type(value)
        if kind is dict:
            copied[key] = _copy_dict(value)
        elif kind is NodeList:
            first, middle, last = value
            if type(first) is list and type(middle) is list and type(last) is list:
                copied[key] = _new_tuple(NodeList, (first.copy(), middle.copy(), last.copy()))
            else:
                copied[key] = _copy(value)
        elif kind is str or value is None:  # a node's chunk, or its values when it has none
            copied[key] = value
        else:
            copied[key] = _copy_value(value)
    return copied


def _copy_value(value: Any) -> Any:
    if isinstance(value, NodeList):
        return _copy(value)
    if isinstance(value, dict):
        return _copy_dict(value)
    return value


_original_recursive_copy: Any = _PrefixTrie._recursive_copy

PATCHES: list[tuple[Any, str, Any]] = [(_PrefixTrie, "_recursive_copy", _recursive_copy)]
