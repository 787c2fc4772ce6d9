"""Fixtures for the unit tests: the default configuration, a hand-stepped order timeline, and a table shaped like
the orders table on moto for the adapters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from domain_builders import OrderRun
from outreach_lambda.domain.config import OutreachConfig

from tests.dynamo import keyed_table_on_moto


@pytest.fixture
def orders_table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The name of an empty table keyed like the orders table, on moto (eu-central-1)."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    with keyed_table_on_moto("orders") as name:
        yield name


@pytest.fixture
def config() -> OutreachConfig:
    return OutreachConfig()


@pytest.fixture
def order(config: OutreachConfig) -> OrderRun:
    """A fresh order timeline driven with the default configuration."""
    return OrderRun(config)
