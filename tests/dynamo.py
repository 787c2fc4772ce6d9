"""A DynamoDB table shaped like the project's tables (``pk``/``sk`` strings, on demand), for tests on moto."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from moto import mock_aws
from outreach_lambda import cold_start


def create_keyed_table(name: str, region: str | None = None, index_key: str | None = None) -> None:
    """Create table ``name`` with the project's key schema in moto (inside ``mock_aws``); with ``index_key``, also
    a global secondary index ``by<IndexKey>`` on that string attribute (all attributes projected)."""
    attributes = [{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk", index_key) if key is not None]
    indexes: dict[str, Any] = {}
    if index_key is not None:
        indexes["GlobalSecondaryIndexes"] = [
            {
                "IndexName": f"by{index_key[0].upper()}{index_key[1:]}",
                "KeySchema": [{"AttributeName": index_key, "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=attributes,
        BillingMode="PAY_PER_REQUEST",
        **indexes,
    )


@contextmanager
def keyed_table_on_moto(name: str) -> Iterator[str]:
    """Inside ``mock_aws``: table ``name`` (``create_keyed_table``), for an adapter the test builds itself; the
    handlers' cached clients (``cold_start``) are dropped before and after, so none outlives the mock."""
    with mock_aws():
        cold_start.reset()
        create_keyed_table(name)
        yield name
        cold_start.reset()
