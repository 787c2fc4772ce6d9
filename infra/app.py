"""Entry point: ``python -m infra.app`` writes ``cdk.out/Outreach.template.json`` offline, no CLI needed.

The ``cdk`` CLI runs the same module (cdk.json ``app``) and passes its context and output directory through
the environment; run directly, the context of cdk.json is read here.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.stack import ContextError, OutreachStack

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_NAME = "Outreach"


def cdk_json_context() -> dict[str, Any]:
    context = json.loads((REPO_ROOT / "cdk.json").read_text(encoding="utf-8")).get("context", {})
    return dict(context)


def build_app(*, outdir: str | None = None, context: Mapping[str, Any] | None = None) -> tuple[cdk.App, OutreachStack]:
    """The app with its one env-agnostic stack, checked by cdk-nag's AWS Solutions pack at synth.

    ``context`` overrides cdk.json's context; context given to the CLI (``-c``) overrides both.
    """
    app = cdk.App(outdir=outdir, context={**cdk_json_context(), **(context or {})})
    stack = OutreachStack(
        app,
        STACK_NAME,
        description="Outreach: proactive, honest contact with every made-to-order customer",
    )
    cdk.Tags.of(stack).add("project", "outreach")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    outdir = None if os.environ.get("CDK_OUTDIR") else str(REPO_ROOT / "cdk.out")
    try:
        app, _ = build_app(outdir=outdir)
    except ContextError as exc:
        raise SystemExit(f"error: {exc}") from None
    app.synth()


if __name__ == "__main__":
    main()
