"""Cold-start import time of each handler in a Lambda-like layout.

A clean, isolated interpreter (``python -I -S``) whose path holds only what a deployed function has: the asset
(``functions/``), the layers' contents (Powertools with pydantic and the X-Ray SDK; the dependencies layer:
tzdata, email_validator, dnspython, idna, jinja2, markupsafe without its C speedup, babel) and the runtime's
boto3. Each handler is imported fresh N times; the median wall time of ``import`` is reported in milliseconds.
Also the first message a fresh process renders (jinja2 and Babel are imported then, not at handler import):
``firstRenderMs``.

    .venv/bin/python benchmarks/cold_start.py [--runs 7] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HANDLERS = ("intake", "timeline", "sender", "actions")
TARGET_MS = 300
# What the Lambda has besides the asset: the Powertools layer (with its pydantic and X-Ray SDK), our
# dependencies layer, and the runtime's boto3.
PACKAGES = (
    "aws_lambda_powertools",
    "pydantic",
    "pydantic_core",
    "typing_extensions",
    "annotated_types",
    "typing_inspection",
    "jmespath",
    "aws_xray_sdk",
    "wrapt",
    "tzdata",
    "email_validator",
    "dns",
    "idna",
    "jinja2",
    "markupsafe",
    "babel",
    "boto3",
    "botocore",
    "s3transfer",
    "dateutil",
    "six",
    "urllib3",
)

PROBE = """
import sys, time
sys.path[:0] = {paths!r}
start, cpu = time.perf_counter(), time.process_time()
import outreach_lambda.handlers.{handler}
print((time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000)
"""


RENDER_PROBE = """
import sys, time
sys.path[:0] = {paths!r}
from datetime import UTC, datetime
from outreach_lambda.domain.config import OutreachConfig
from outreach_lambda.domain.model import ContactOrder, InboundEvent
from outreach_lambda.domain.timeline import advance
detail = {{"orderId": "SO-1", "placedAt": "2026-11-02T09:00:00Z", "productionDays": 14,
    "customer": {{"name": "Ada", "email": "ada@example.com", "locale": "de-DE"}},
    "items": [{{"sku": "S", "description": "Sofa", "quantity": 1}}],
    "shippingAddress": {{"line1": "A 1", "city": "B", "postalCode": "1", "country": "DE"}}}}
now = datetime(2026, 11, 2, 9, tzinfo=UTC)
event = InboundEvent.model_validate({{"eventId": "e", "detailType": "Order Placed", "detail": detail,
    "time": now.isoformat(), "receivedAt": now.isoformat()}})
state = advance(None, [event], now, OutreachConfig()).state
contact = ContactOrder.model_validate({{"key": "k", "kind": "order_confirmation", "channel": "email", "dueAt": now}})
start = time.perf_counter()
from outreach_lambda.domain.rendering import render
render(state, contact, OutreachConfig())
print((time.perf_counter() - start) * 1000)
"""


def stage(root: Path) -> list[str]:
    asset = root / "asset"
    shutil.copytree(REPO / "functions", asset, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    layer = root / "layer"
    layer.mkdir()
    for name in PACKAGES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise SystemExit(f"{name} is not installed: make install")
        origin = Path(spec.origin)
        if origin.name == "__init__.py":
            # As the dependencies layer has it: MarkupSafe without its optional C speedup.
            shutil.copytree(origin.parent, layer / name, ignore=shutil.ignore_patterns("__pycache__", "_speedups*"))
        else:
            shutil.copy2(origin, layer / origin.name)
    return [str(asset), str(layer)]


def measure(paths: list[str], handler: str, runs: int, probe: str = PROBE) -> float:
    """Median wall milliseconds of the import."""
    return measure_both(paths, handler, runs, probe)[0]


def measure_both(paths: list[str], handler: str, runs: int, probe: str = PROBE) -> tuple[float, float]:
    """Median wall and CPU milliseconds (CPU time is what a loaded machine inflates least; a probe that prints
    only wall time gets it twice)."""
    samples, cpu_samples = [], []
    for run in range(runs + 1):
        out = subprocess.run(
            [sys.executable, "-I", "-S", "-c", probe.format(paths=paths, handler=handler)],
            capture_output=True,
            text=True,
            check=True,
            env={"AWS_DEFAULT_REGION": "eu-central-1", "POWERTOOLS_SERVICE_NAME": "outreach"},
        )
        if run:  # the first run writes the .pyc files, as the Lambda's image has them
            values = out.stdout.split()
            samples.append(float(values[0]))
            cpu_samples.append(float(values[-1]))
    return statistics.median(samples), statistics.median(cpu_samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        paths = stage(Path(tmp))
        both = {handler: measure_both(paths, handler, args.runs) for handler in HANDLERS}
        first_render = round(measure(paths, "", args.runs, RENDER_PROBE), 1)
    results = {handler: round(wall, 1) for handler, (wall, _) in both.items()}
    cpu = {handler: round(c, 1) for handler, (_, c) in both.items()}
    if args.json:
        print(
            json.dumps({"importMs": results, "importCpuMs": cpu, "targetMs": TARGET_MS, "firstRenderMs": first_render})
        )
        return
    for handler, ms in results.items():
        print(f"{handler:<10} {ms:7.1f} ms  (CPU {cpu[handler]:.1f} ms)   (target <= {TARGET_MS} ms)")
    print(f"first message rendered in a fresh process (jinja2, Babel, templates): {first_render:.1f} ms")


if __name__ == "__main__":
    main()
