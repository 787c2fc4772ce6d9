"""Keep EC2 out of the simulator's start-up (imported by moto_runtime before any moto Step Functions module).

moto's ASL preprocessor imports every service integration, among them ``state_task_service_batch``, which
needs one enum from ``moto.batch.utils``. Importing that module the ordinary way runs ``moto/batch/__init__``,
which imports the Batch backend and with it all of moto's EC2 models: about 1.4 s of a 2 s start-up, for a
service the simulator never touches. Here ``moto.batch.exceptions`` and ``moto.batch.utils`` (two small
modules without heavy imports) are loaded from their files and registered under their own names, so the
preprocessor finds them in ``sys.modules``. Should anything import ``moto.batch`` later, its ``__init__``
runs then and reuses these same module objects.
"""

from __future__ import annotations

import importlib.util
import sys


def _preload(name: str) -> None:
    if name in sys.modules or "moto.batch" in sys.modules:
        return
    import moto

    path = f"{moto.__path__[0]}/{name.removeprefix('moto.').replace('.', '/')}.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # pragma: no cover - moto's layout changed: import normally
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:  # pragma: no cover
        del sys.modules[name]
        raise


for _name in ("moto.batch.exceptions", "moto.batch.utils"):
    _preload(_name)
