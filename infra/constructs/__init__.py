"""One construct per concern; `infra.stack.OutreachStack` only wires them together."""

from infra.constructs.actions import CustomerActions
from infra.constructs.contract import EventContract
from infra.constructs.events import OrderEvents
from infra.constructs.messaging import Messaging
from infra.constructs.monitoring import Monitoring
from infra.constructs.storage import Storage
from infra.constructs.workflow import Workflow

__all__ = ["CustomerActions", "EventContract", "Messaging", "Monitoring", "OrderEvents", "Storage", "Workflow"]
