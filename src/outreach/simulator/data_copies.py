"""Fast paths 41 and 42: ``copy.deepcopy`` of JSON-like data, without its per-object dispatch.

moto's Step Functions interpreter deep-copies the state data at every state it enters and every path it samples
(41), and boto3's DynamoDB resource layer deep-copies the parameters of every call before it serialises them (42).
``copy.deepcopy`` looks up a copier for every object, keeps every copied object alive in its memo and copies a set
through ``__reduce_ex__``; for the plain data these copies are made of, that bookkeeping is most of the cost.

:func:`deepcopy` gives what ``copy.deepcopy(x, memo)`` gives, object for object: a ``dict``, ``list`` or ``set``
(exactly those classes) is copied here, its members recursively, and recorded in ``memo`` as ``copy.deepcopy``
records it (so an object met twice is copied once, as there; boto3's ``_ForgetfulDict`` memo records nothing, and
every occurrence is copied afresh, as there); ``str``, ``int``, ``float``, ``bool``, ``None``, ``bytes`` and
``Decimal`` are returned as they are (``copy.deepcopy`` returns them too: ``Decimal.__deepcopy__`` returns the
value itself); an instance of a plain Python class (``is_plain``: boto3's conditions and ``Binary``, moto's
``ProgramRunning``, which ``Environment.program_state()`` copies at every state) is rebuilt as ``copy.deepcopy``'s
``_reconstruct`` rebuilds it: ``cls.__new__(cls)``, its ``__dict__`` updated with a copy of the original's; a tuple
is copied as ``copy.deepcopy`` copies it (the same tuple when every member copies to itself) with the forgetful
memo; anything else (a subclass of ``dict``, a ``datetime``, a tuple with a remembering memo) is handed to
``copy.deepcopy`` with the same memo. ``tests/simulation/test_data_copies.py`` compares the copies with
``copy.deepcopy``'s (values, which objects are shared within the copy, nothing shared with the original) over
random JSON-like values.

41. moto's Step Functions modules that deep-copy state data (``eval/states.py``, ``eval/environment.py``, the
    JSONPath and context-path samplers of ``string_expression.py``, ``result_path.py``, ``execute_state.py``,
    ``state_task_service.py``) see a ``copy`` module whose ``deepcopy`` is :func:`deepcopy`.
42. boto3's ``copy_dynamodb_params`` (``provide-client-params.dynamodb``, every call of a DynamoDB resource or
    table) sees the same ``copy`` module.
"""

from __future__ import annotations

import copy
import copyreg
import functools
import types
from decimal import Decimal
from typing import Any

from boto3.dynamodb import transform as dynamodb_transform
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service
from moto.stepfunctions.parser.asl.eval import environment, states

_ATOMIC = frozenset({str, int, float, bool, type(None), bytes, Decimal})
_HEAP_TYPE = 1 << 9  # Py_TPFLAGS_HEAPTYPE: a class defined in Python


@functools.cache
def is_plain(cls: type) -> bool:
    """Whether ``copy.deepcopy`` copies an instance of ``cls`` as a plain object: ``__reduce_ex__(4)`` is object's
    (``copyreg.__newobj__``, ``(cls,)``, the instance's ``__dict__`` as state) and nothing on the way is overridden
    (no ``__deepcopy__``, ``__reduce__``, ``__getstate__``, ``__setstate__``, non-empty ``__slots__`` or
    ``copyreg`` entry; every class of its MRO but ``object`` defined in Python). ``_reconstruct`` then makes
    ``cls.__new__(cls)``, records it in the memo, and updates its ``__dict__`` with a deep copy of the original's
    (when not empty)."""
    return (
        cls not in copy._deepcopy_dispatch  # type: ignore[attr-defined]
        and cls not in copyreg.dispatch_table
        and not issubclass(cls, type)
        and getattr(cls, "__deepcopy__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__  # type: ignore[comparison-overlap]
        and cls.__reduce__ is object.__reduce__  # type: ignore[comparison-overlap]
        and getattr(cls, "__getstate__", None) is object.__getstate__  # type: ignore[attr-defined]
        and not hasattr(cls, "__setstate__")
        and all(k is object or (k.__flags__ & _HEAP_TYPE and not vars(k).get("__slots__")) for k in cls.__mro__)
    )


_deepcopy = copy.deepcopy
_FORGETFUL: type = dynamodb_transform._ForgetfulDict  # type: ignore[attr-defined]


def deepcopy(x: Any, memo: dict[int, Any] | None = None) -> Any:
    """``copy.deepcopy(x, memo)``, faster for plain data (see the module docstring)."""
    cls = type(x)
    if cls in _ATOMIC:
        return x
    if memo is None:
        memo = {}
    elif type(memo) is _FORGETFUL:
        return _forgetful(x, memo)
    return _remembering(x, memo)


def _remembering(x: Any, memo: dict[int, Any]) -> Any:
    cls: Any = type(x)
    if cls in _ATOMIC:
        return x
    seen = memo.get(id(x), memo)
    if seen is not memo:
        return seen
    y: Any
    if cls is dict:
        y = {}
        memo[id(x)] = y
        for key, value in x.items():
            y[key if type(key) in _ATOMIC else _remembering(key, memo)] = _remembering(value, memo)
    elif cls is list:
        y = []
        memo[id(x)] = y
        for value in x:
            y.append(_remembering(value, memo))
    elif cls is set:
        y = set([_remembering(value, memo) for value in x])
        memo[id(x)] = y
    elif is_plain(cls) and hasattr(x, "__dict__"):
        y = cls.__new__(cls)
        memo[id(x)] = y
        if x.__dict__:
            y.__dict__.update(_remembering(x.__dict__, memo))
    else:
        return _deepcopy(x, memo)
    # copy._keep_alive: the original stays alive as long as the memo, so its id cannot be reused by another object
    # copied with the same memo (a caller that copies several values, temporaries among them, with one memo)
    alive = memo.get(id(memo))
    if alive is None:
        memo[id(memo)] = [x]
    else:
        alive.append(x)
    return y


def _forgetful(x: Any, memo: dict[int, Any]) -> Any:
    """The same with a memo that records nothing (boto3's ``_ForgetfulDict``): every occurrence is a new copy."""
    cls: Any = type(x)
    if cls in _ATOMIC:
        return x
    if cls is dict:
        return {
            key if type(key) in _ATOMIC else _forgetful(key, memo): _forgetful(value, memo) for key, value in x.items()
        }
    if cls is list:
        return [_forgetful(value, memo) for value in x]
    if cls is set:
        return set([_forgetful(value, memo) for value in x])
    if cls is tuple:  # copy._deepcopy_tuple: the tuple itself when every member copied to itself
        members = [_forgetful(value, memo) for value in x]
        for member, copied in zip(x, members, strict=True):
            if member is not copied:
                return tuple(members)
        return x
    if is_plain(cls) and hasattr(x, "__dict__"):
        obj = cls.__new__(cls)
        if x.__dict__:
            obj.__dict__.update(_forgetful(x.__dict__, memo))
        return obj
    return _deepcopy(x, memo)


# A stand-in for the ``copy`` module in the modules below: its ``deepcopy`` is this one, the rest is ``copy``'s.
COPY_MODULE = types.SimpleNamespace(**{**vars(copy), "deepcopy": deepcopy})

PATCHES: list[tuple[Any, str, Any]] = [
    *[
        (module, "copy", COPY_MODULE)
        for module in (states, environment, string_expression, result_path, execute_state, state_task_service)
    ],
    (dynamodb_transform, "copy", COPY_MODULE),
]
