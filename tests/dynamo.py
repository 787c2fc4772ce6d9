"""A DynamoDB table shaped like the project's tables (``pk``/``sk`` strings, on demand), for tests on moto."""

from __future__ import annotations

import boto3


def create_keyed_table(name: str, region: str | None = None) -> None:
    """Create table ``name`` with the project's key schema in moto (inside ``mock_aws``)."""
    boto3.client("dynamodb", region_name=region).create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
