"""Entry point: ``python -m infra.app`` writes ``cdk.out/Outreach-<stage>.template.json`` offline, no CLI needed.

The stage comes from ``STAGE`` (or ``-c outreach:stage=...``; default ``dev``) and its deployment configuration
from ``config/<stage>.json`` (or ``OUTREACH_DEPLOY_CONFIG`` / ``-c outreach:configFile=...``, e.g. the filled-in
test configuration CI synthesizes ``prod`` with). The ``cdk`` CLI runs the same module (cdk.json ``app``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra import deploy_config
from infra.deploy_config import DeployConfigError, DeploymentConfig
from infra.stack import OutreachStack

REPO_ROOT = Path(__file__).resolve().parents[1]
STACK_PREFIX = "Outreach"
STAGE_CONTEXT_KEY = "outreach:stage"
CONFIG_FILE_CONTEXT_KEY = "outreach:configFile"


def stack_name(stage: str) -> str:
    """``Outreach-dev``, ``Outreach-prod``: the deployed stack (the ``outreach`` commands' ``--stack``)."""
    return f"{STACK_PREFIX}-{stage}"


def cdk_json_context() -> dict[str, Any]:
    context = json.loads((REPO_ROOT / "cdk.json").read_text(encoding="utf-8")).get("context", {})
    return dict(context)


def resolve_config(context: Mapping[str, Any]) -> DeploymentConfig:
    """The stage's validated deployment configuration (DeployConfigError names the file and the field)."""
    stage = str(context.get(STAGE_CONTEXT_KEY) or os.environ.get("STAGE") or "dev")
    if stage not in {s.value for s in deploy_config.Stage}:
        raise DeployConfigError(f"STAGE: must be one of dev, prod, got {stage!r}")
    chosen = context.get(CONFIG_FILE_CONTEXT_KEY) or os.environ.get("OUTREACH_DEPLOY_CONFIG")
    path = Path(chosen) if chosen else deploy_config.config_path(stage)
    return deploy_config.load(path if path.is_absolute() else REPO_ROOT / path, stage)


def build_app(
    *,
    outdir: str | None = None,
    context: Mapping[str, Any] | None = None,
    config: DeploymentConfig | None = None,
) -> tuple[cdk.App, OutreachStack]:
    """The app with its one env-agnostic stack for one stage, checked by cdk-nag's AWS Solutions pack at synth.

    ``context`` overrides cdk.json's context; context given to the CLI (``-c``) overrides both. ``config`` (tests)
    replaces the stage's configuration file.
    """
    app = cdk.App(outdir=outdir, context={**cdk_json_context(), **(context or {})})
    if config is None:
        config = resolve_config({k: app.node.try_get_context(k) for k in (STAGE_CONTEXT_KEY, CONFIG_FILE_CONTEXT_KEY)})
    stack = OutreachStack(
        app,
        stack_name(config.stage.value),
        deployment=config,
        description=f"Outreach ({config.stage.value}): proactive, honest contact with every made-to-order customer",
    )
    cdk.Tags.of(stack).add("project", "outreach")
    cdk.Tags.of(stack).add("stage", config.stage.value)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    return app, stack


def main() -> None:
    outdir = None if os.environ.get("CDK_OUTDIR") else str(REPO_ROOT / "cdk.out")
    try:
        app, _ = build_app(outdir=outdir)
    except DeployConfigError as exc:
        raise SystemExit(f"error: {exc}") from None
    app.synth()


if __name__ == "__main__":
    main()
