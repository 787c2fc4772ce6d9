"""Fast path 107: botocore's per-call events reach their handlers without the emitter's indirections.

Every botocore call the simulator answers in process (fast path 11, ``moto_runtime._direct_api_call``) emits three
events (``provide-client-params``, ``before-parameter-build``, ``after-call``; ``before-call`` too when the request is
serialised): about 240 emits of a happy order. Each went through ``EventAliaser.emit`` (keyword arguments packed),
``_alias_event_name``, ``HierarchicalEmitter.emit`` (packed again) and ``_emit`` (the handler list looked up, a
``logger.debug`` call per handler), then called every handler, three or four of which provably do nothing for the
operations the handlers call:

- ``botocore.handlers.generate_idempotent_uuid`` adds a token for each of the operation's ``idempotent_members``:
  none, nothing (Scheduler's ``CreateSchedule`` has one, ``ClientToken``: there the handler is called);
- ``botocore.handlers._handle_request_validation_mode_member`` sets the operation's ``requestValidationModeMember``
  (of its ``httpChecksum`` trait): none, nothing;
- ``botocore.discovery.block_endpoint_discovery_required_operations`` raises for an operation whose
  ``endpointdiscovery`` trait is ``required``: not so, nothing;
- ``botocore.handlers.inject_api_version_header_if_needed`` sets a header for an endpoint discovery operation: not
  one, nothing.

Here ``emit`` takes the alias botocore's ``EventAliaser`` remembered for the name and the handler list botocore's
``HierarchicalEmitter`` keeps for it (its ``_lookup_cache``: botocore replaces that dict whenever a handler is
registered or unregistered, so a list found there is the list botocore would call), and calls the handlers in their
order with the same keyword arguments (``event_name`` the aliased name), leaving out the ones above when the
operation model proves them idle (decided once per handler list and model). The answer is the
``(handler, response)`` pairs of the handlers called: the handlers left out answer None, so the first response that
is not None, all ``_direct_api_call`` reads of them, is botocore's. Anything else takes botocore's own emit: an
emitter of another class, a name botocore has not aliased or looked up yet (that call fills its caches), and
botocore's hooks logger enabled for debug (``_emit`` logs each handler call then).
``tests/simulation/test_call_events.py`` compares the handlers called, their arguments, what they change and the
answer with botocore's emit, with handlers registered between calls, for every operation the simulator calls.

Thread safety: the plans are a dict of immutable tuples keyed by the handler list's identity (the list itself is held,
so the identity cannot be reused), filled under the GIL; a race fills an entry twice with the same value. Bounded: at
most ``_MAX_PLANS`` entries, cleared when full and at the end of every run (``clear``).
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from botocore import discovery as botocore_discovery
from botocore import handlers as botocore_handlers
from botocore import hooks as botocore_hooks
from botocore.hooks import EventAliaser, HierarchicalEmitter

_MAX_PLANS = 4096
_DEBUG = logging.DEBUG
_hooks_log = botocore_hooks.logger
_VALIDATION_MODE_MEMBER: Any = getattr(botocore_handlers, "_handle_request_validation_mode_member")  # noqa: B009

#: (handler list, operation model) -> the handlers of that list worth calling for that model
_plans: dict[tuple[int, int], tuple[Any, Any, tuple[Any, ...]]] = {}


def _idle(handler: Any, model: Any) -> bool:
    """Whether ``handler``, one of botocore's own, provably does nothing (and answers None) for ``model``."""
    if handler is botocore_handlers.generate_idempotent_uuid:
        return not model.idempotent_members
    if handler is _VALIDATION_MODE_MEMBER:
        return model.http_checksum.get("requestValidationModeMember") is None
    if handler is botocore_discovery.block_endpoint_discovery_required_operations:
        endpoint_discovery = model.endpoint_discovery
        return not (endpoint_discovery and endpoint_discovery.get("required"))
    if handler is botocore_handlers.inject_api_version_header_if_needed:
        return not model.is_endpoint_discovery_operation
    return False


def _plan(handlers: Any, model: Any) -> tuple[Any, ...]:
    key = (id(handlers), id(model))
    found = _plans.get(key)
    if found is not None and found[0] is handlers and found[1] is model:
        return found[2]
    calls = tuple(handler for handler in handlers if not _idle(handler, model))
    if len(_plans) >= _MAX_PLANS:
        _plans.clear()
    _plans[key] = (handlers, model, calls)
    return calls


def emit(events: Any, event_name: str, kwargs: dict[str, Any], until_response: bool = False) -> list[tuple[Any, Any]]:
    """``events.emit(event_name, **kwargs)`` (``emit_until_response`` when ``until_response``: the calls stop at the
    first response that is not None) as botocore runs it, the idle handlers of ``kwargs["model"]`` left out: the
    ``(handler, response)`` pairs of the handlers called. ``kwargs`` is not changed."""
    if type(events) is EventAliaser and not _hooks_log.isEnabledFor(_DEBUG):
        aliaser: Any = events
        emitter: Any = aliaser._emitter
        aliased = aliaser._alias_name_cache.get(event_name)
        if aliased is not None and type(emitter) is HierarchicalEmitter:
            handlers = emitter._lookup_cache.get(aliased)  # type: ignore[attr-defined]
            if handlers is not None:
                if not handlers:
                    return []
                model = kwargs["model"]
                found = _plans.get((id(handlers), id(model)))  # (``_plan`` inlined: fast path 116)
                calls = found[2] if found is not None and found[0] is handlers and found[1] is model else None
                if calls is None:
                    calls = _plan(handlers, model)
                if not calls:
                    return []
                arguments = {**kwargs, "event_name": aliased}
                responses = []
                for handler in calls:
                    response = handler(**arguments)
                    responses.append((handler, response))
                    if until_response and response is not None:
                        break
                return responses
    if until_response:
        return [events.emit_until_response(event_name, **kwargs)]
    return events.emit(event_name, **kwargs)  # type: ignore[no-any-return]


@functools.lru_cache(maxsize=1024)
def call_names(operation_model: Any) -> tuple[str, str, str, str]:
    """The four events botocore emits for a call of ``operation_model``, in the order it emits them
    (``provide-client-params``, ``before-parameter-build``, ``before-call``, ``after-call``, each
    ``.<service id>.<operation>``): made once per model (a model is held, so its identity, the key, is not reused;
    forgotten with the plans at a run's end)."""
    where = f"{operation_model.service_model.service_id.hyphenize()}.{operation_model.name}"
    return (
        f"provide-client-params.{where}",
        f"before-parameter-build.{where}",
        f"before-call.{where}",
        f"after-call.{where}",
    )


def first_response(responses: list[tuple[Any, Any]], default: Any = None) -> Any:
    """botocore's ``first_non_none_response``."""
    for _, response in responses:
        if response is not None:
            return response
    return default


def clear() -> None:
    forget_run()
    call_names.cache_clear()


def forget_run() -> None:
    """What a run's end forgets: the plans (keyed by the handler lists of the run's clients), not the event names of
    an operation model (fast path 120: a function of the model alone, which fast path 118 hands every run again; at
    most 1,024 models)."""
    _plans.clear()
