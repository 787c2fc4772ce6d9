"""Fixtures for the pure domain tests: the default configuration and a hand-stepped order timeline."""

from __future__ import annotations

import pytest
from domain_builders import OrderRun
from outreach_lambda.domain.config import OutreachConfig


@pytest.fixture
def config() -> OutreachConfig:
    return OutreachConfig()


@pytest.fixture
def order(config: OutreachConfig) -> OrderRun:
    """A fresh order timeline driven with the default configuration."""
    return OrderRun(config)
