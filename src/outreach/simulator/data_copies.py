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
value itself); anything else (a tuple, a boto3 condition, a ``Binary``, a subclass of ``dict``) is handed to
``copy.deepcopy`` with the same memo. moto's ``ProgramRunning`` (``Environment.program_state()`` copies it at
every state) is rebuilt as ``copy.deepcopy`` rebuilds a plain object: a new instance of the class, its attributes
copied. ``tests/simulation/test_data_copies.py`` compares the copies with ``copy.deepcopy``'s (values, which
objects are shared within the copy, and nothing shared with the original) over random JSON-like values.

41. moto's Step Functions modules that deep-copy state data (``eval/states.py``, ``eval/environment.py``, the
    JSONPath and context-path samplers of ``string_expression.py``, ``result_path.py``, ``execute_state.py``,
    ``state_task_service.py``) see a ``copy`` module whose ``deepcopy`` is :func:`deepcopy`.
42. boto3's ``copy_dynamodb_params`` (``provide-client-params.dynamodb``, every call of a DynamoDB resource or
    table) sees the same ``copy`` module.
"""

from __future__ import annotations

import copy
import types
from decimal import Decimal
from typing import Any

from boto3.dynamodb import transform as dynamodb_transform
from moto.stepfunctions.parser.asl.component.common.path import result_path
from moto.stepfunctions.parser.asl.component.common.string import string_expression
from moto.stepfunctions.parser.asl.component.state.exec import execute_state
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service import state_task_service
from moto.stepfunctions.parser.asl.eval import environment, states
from moto.stepfunctions.parser.asl.eval.program_state import ProgramEnded, ProgramRunning, ProgramTimedOut

_ATOMIC = frozenset({str, int, float, bool, type(None), bytes, Decimal})
# Plain classes (no __deepcopy__, __reduce__, __setstate__ or __slots__ of their own) whose attributes are atomic.
_PLAIN = frozenset({ProgramRunning, ProgramEnded, ProgramTimedOut})
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
    if cls is dict:
        d: dict[Any, Any] = {}
        memo[id(x)] = d
        for key, value in x.items():
            d[key if type(key) in _ATOMIC else _remembering(key, memo)] = _remembering(value, memo)
        return d
    if cls is list:
        lst: list[Any] = []
        memo[id(x)] = lst
        for value in x:
            lst.append(_remembering(value, memo))
        return lst
    if cls is set:
        s = set([_remembering(value, memo) for value in x])
        memo[id(x)] = s
        return s
    if cls in _PLAIN and all(type(value) in _ATOMIC for value in x.__dict__.values()):
        obj = cls.__new__(cls)
        memo[id(x)] = obj
        if x.__dict__:
            obj.__dict__.update(x.__dict__)
        return obj
    return _deepcopy(x, memo)


def _forgetful(x: Any, memo: dict[int, Any]) -> Any:
    """The same with a memo that records nothing (boto3's ``_ForgetfulDict``): every occurrence is a new copy."""
    cls = type(x)
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
