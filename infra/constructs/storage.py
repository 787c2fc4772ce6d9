"""DynamoDB tables: orders (order state, promise ledger, event inbox) and contacts (contact ledger)."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct
from outreach_lambda.adapters.contacts import CLAIMED_AT, IN_FLIGHT, SENDING_INDEX


class Storage(Construct):
    """Two single-table-design tables keyed by string ``pk``/``sk``, on demand, with point-in-time recovery.

    In ``prod`` both are retained when the stack is deleted: they hold the promises made to customers and the
    record of every contact sent. A ``dev`` stack removes them with itself.
    """

    def __init__(self, scope: Construct, construct_id: str, *, removal_policy: RemovalPolicy) -> None:
        super().__init__(scope, construct_id)
        self._removal_policy = removal_policy
        self.orders_table = self._table("OrdersTable")
        self.contacts_table = self._table("ContactsTable")
        # Sparse: only claims in flight (SENDING) carry these attributes, so the reconciler's Query reads just
        # them, however long the ledger grows (adapters/contacts.py).
        self.contacts_table.add_global_secondary_index(
            index_name=SENDING_INDEX,
            partition_key=dynamodb.Attribute(name=IN_FLIGHT, type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name=CLAIMED_AT, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )

    def _table(self, construct_id: str) -> dynamodb.Table:
        return dynamodb.Table(
            self,
            construct_id,
            partition_key=dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING),
            sort_key=dynamodb.Attribute(name="sk", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=self._removal_policy,
        )
