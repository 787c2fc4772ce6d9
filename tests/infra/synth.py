"""One synthesized stage, shared by the infra tests (one synth per stage per session: ~10 s each).

The CDK is imported when a stage is synthesized, not when the module is collected: every xdist worker
collects every test, and only the one that runs the infra tests needs the CDK (about a second to import)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from infra.deploy_config import DeploymentConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The filled-in prod configuration CI synthesizes prod with (config/prod.json is a template that refuses).
CI_PROD_CONFIG = REPO_ROOT / "tests" / "fixtures" / "deploy" / "prod.json"


class Synth:
    def __init__(self, outdir: Path, config: DeploymentConfig) -> None:
        from aws_cdk import assertions

        from infra.app import build_app

        self.outdir = outdir
        _, stack = build_app(outdir=str(outdir), config=config)
        self.template = assertions.Template.from_stack(stack)
        self.resources: dict[str, Any] = self.template.to_json()["Resources"]

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.template.find_resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def function_id(self, module: str) -> str:
        handler = f"outreach_lambda.handlers.{module}.handler"
        found = self.template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": handler}})
        assert len(found) == 1, f"expected one function with handler {handler}"
        return next(iter(found))

    def statements_of(self, module: str) -> list[dict[str, Any]]:
        """Every statement of every IAM policy attached to the role of the function of ``module``."""
        role_id = self.resources[self.function_id(module)]["Properties"]["Role"]["Fn::GetAtt"][0]
        role = self.resources[role_id]["Properties"]
        assert not role.get("ManagedPolicyArns"), "function roles carry no managed policies"
        statements = [s for p in role.get("Policies", []) for s in p["PolicyDocument"]["Statement"]]
        for policy in self.template.find_resources("AWS::IAM::Policy").values():
            if {"Ref": role_id} in policy["Properties"]["Roles"]:
                statements += policy["Properties"]["PolicyDocument"]["Statement"]
        return statements


def flatten(value: Any) -> str:
    """A CloudFormation string expression as text, with every reference shown as ``<ref>``."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(flatten(part) for part in parts)
    return "<ref>"
