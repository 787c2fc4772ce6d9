"""Session-wide synths of the dev and prod stacks (prod with the filled-in CI configuration)."""

from __future__ import annotations

import pytest

from infra import deploy_config
from tests.infra.synth import CI_PROD_CONFIG, Synth


@pytest.fixture(scope="session")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth(tmp_path_factory.mktemp("cdk.out"), deploy_config.load(deploy_config.config_path("dev"), "dev"))


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return Synth(tmp_path_factory.mktemp("cdk.out.prod"), deploy_config.load(CI_PROD_CONFIG, "prod"))
