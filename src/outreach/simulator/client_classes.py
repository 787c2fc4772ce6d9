"""Fast paths 117 and 118: a botocore client's class and service model are made once per service description.

Every run is a fresh deployment: ``cold_start.reset`` drops the handlers' clients, and moto's Step Functions
interpreter gets new ones (fast path 3 caches them for a run), so a run makes about nine clients, each through
``ClientCreator.create_client``. For each botocore's ``_create_client_class`` made a new class: a function per
operation of the service (``xform_name``, a closure, a ``ClientMethodDocstring`` reading the operation's model: 50 to
100 operations a service), the ``_PY_TO_OP_NAME`` mapping, the ``creating-client-class.<service id>`` event (where
botocore adds ``generate_presigned_url`` and boto3 its DynamoDB base class), then ``type(...)``. About 2.4 million
instructions a run under callgrind.

Those methods depend on the operation names alone (each calls ``self._make_api_call(operation_name, kwargs)``): they
are made once per (service name, service description, the creator's emitter), the description being the dict
botocore's loader keeps (held, so its identity is not reused). Every client still emits
``creating-client-class.<service id>`` with a new attribute dict (the kept methods) and a new list of bases, so its
handlers run as botocore runs them; when they leave the attributes (each value the very object) and the bases as they
left them the first time, the class made then is the answer, since ``type(...)`` of the same name, bases and
attributes is a class of the same behaviour. When a handler changed anything else (another object, a new attribute,
another base), a class is made from what the handlers left, as botocore does. What differs from botocore: clients of
one service share their class object (``type(a) is type(b)``), and a method's docstring (read by ``help`` only) is
the one made from the first client's operation model, an equal one. ``tests/simulation/test_client_classes.py``
compares the classes (methods, names, bases, attributes) and calls through them with botocore's, with handlers of
the event that add, replace or keep attributes and bases.

Fast path 118: ``ClientCreator._load_service_model`` wrapped the description its loader keeps (the same dict every
time) in a new ``ServiceModel`` for every client, and a new model starts with empty caches: every operation model and
shape botocore resolves from it (``operation_model``, its input and output shapes and their members, cached on the
objects), and everything the simulator's fast paths compile once per shape or operation model (parameter checks and
converters, JSON member lists, serialisers, event names), was made again by every run's first client of each
service. A ``ServiceModel`` holds nothing but that description, the service name and what it derives from them (its
one setter, ``signature_version``, is called by no one: botocore resolves the signature version of a client from its
configuration, not on the model); the model made for a (service name, description) is now handed to every client of
that description. Clients of one service share their model (``a.meta.service_model is b.meta.service_model``), as
clients already share the loader's description. ``tests/simulation/test_client_classes.py`` compares the models
(metadata, every operation's model, shapes and members as botocore's documentation writer lists them) and calls with
botocore's.
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.client import BaseClient, ClientCreator
from botocore.model import ServiceModel
from botocore.utils import get_service_module_name

_LOCK = threading.Lock()
_MISSING = object()
_MAX_CLASSES = 256

#: (service name, id of the service description, id of the emitter) -> (the description, the emitter, the methods
#: made once, the class attributes the event's handlers left the first time, the bases they left, the class made)
_classes: dict[tuple[str, int, int], tuple[Any, Any, dict[str, Any], dict[str, Any], tuple[type, ...], type]] = {}


def _create_client_class(self: ClientCreator, service_name: str, service_model: Any) -> type:
    """``ClientCreator._create_client_class`` with the methods made once and the class kept (fast path 117)."""
    description = service_model._service_description
    emitter: Any = self._event_emitter  # type: ignore[attr-defined]
    key = (service_name, id(description), id(emitter))
    found = _classes.get(key)
    if found is not None and found[0] is description and found[1] is emitter:
        methods = found[2]
    else:
        found = None
        methods = self._create_methods(service_model)  # type: ignore[attr-defined]
        methods["_PY_TO_OP_NAME"] = self._create_name_mapping(service_model)  # type: ignore[attr-defined]
    class_attributes = dict(methods)
    bases: list[type] = [BaseClient]
    service_id = service_model.service_id.hyphenize()
    emitter.emit(f"creating-client-class.{service_id}", class_attributes=class_attributes, base_classes=bases)
    if found is not None:
        kept_attributes, kept_bases, kept_class = found[3], found[4], found[5]
        if (
            len(bases) == len(kept_bases)
            and all(base is kept for base, kept in zip(bases, kept_bases, strict=True))
            and len(class_attributes) == len(kept_attributes)
            and all(kept_attributes.get(name, _MISSING) is value for name, value in class_attributes.items())
        ):
            return kept_class
    class_name = get_service_module_name(service_model)
    cls = type(str(class_name), tuple(bases), class_attributes)
    if found is None:
        with _LOCK:
            if len(_classes) >= _MAX_CLASSES:
                _classes.clear()
            _classes[key] = (description, emitter, methods, dict(class_attributes), tuple(bases), cls)
    return cls


#: (service name, id of the service description) -> (the description, its model)
_models: dict[tuple[str, int], tuple[Any, ServiceModel]] = {}


def _load_service_model(self: ClientCreator, service_name: str, api_version: str | None = None) -> ServiceModel:
    """``ClientCreator._load_service_model`` with one model per (service name, description) (fast path 118)."""
    loader: Any = self._loader  # type: ignore[attr-defined]
    json_model = loader.load_service_model(service_name, "service-2", api_version=api_version)
    key = (service_name, id(json_model))
    found = _models.get(key)
    if found is not None and found[0] is json_model:
        return found[1]
    model = ServiceModel(json_model, service_name=service_name)
    with _LOCK:
        if len(_models) >= _MAX_CLASSES:
            _models.clear()
        _models[key] = (json_model, model)
    return model


def clear() -> None:
    """Forget every kept class and model (tests)."""
    with _LOCK:
        _classes.clear()
        _models.clear()


PATCHES: list[tuple[Any, str, Any]] = [
    (ClientCreator, "_create_client_class", _create_client_class),  # fast path 117
    (ClientCreator, "_load_service_model", _load_service_model),  # fast path 118
]
