"""Fast path 78: a message sent to an SQS queue does not count the messages already in it.

Every ops alert the handlers publish to the ops topic reaches the simulator's tap queue (``sns:Publish`` ->
``SQSBackend.send_message``), and every rejected event the dead-letter queue, and nobody receives from either during a
run (the runner reads them in place). moto's ``send_message`` reads ``queue.attributes`` to learn whether the queue
deduplicates by content, and that property builds every attribute of the queue: the approximate numbers of visible,
delayed and in-flight messages among them, each a walk over every message in the queue asking the clock twice per
message. So each send cost more than the one before (about 15 us per message already queued): at 200 happy orders a
publish to the ops topic took 1.1 ms of CPU, at 1,000 orders several, growing with the square of the orders.

``SQSBackend.send_message``, ``SQSBackend._validate_message`` and ``Queue.add_message`` read that property only for
``.get("ContentBasedDeduplication")`` (``tests/simulation/test_queue_sends.py`` reads their source to hold moto to
that). When one of those three is the caller (its frame's code object), the property answers with that attribute
alone, computed as moto computes it (a FIFO queue's ``content_based_deduplication``, a ``bool`` written ``"true"`` or
``"false"``; a standard queue has no such key); every other reader (``GetQueueAttributes``, a handler, CloudFormation)
gets moto's whole dictionary as before. Building it reads nothing but the queue's fields and the clock: leaving it out
changes no state and draws nothing from moto's random generator. ``tests/simulation/test_queue_sends.py`` sends to
standard and FIFO queues (content-based deduplication on and off, duplicates, group ids, delays, refused sends), direct
and through an SNS topic, with and without the fast path: the same answers, errors, stored messages and attributes.
"""

from __future__ import annotations

import sys
from typing import Any

from moto.sqs.models import Queue, SQSBackend

_original_attributes: Any = Queue.attributes

#: the code of moto's functions that read ``queue.attributes`` only for ``.get("ContentBasedDeduplication")``
DEDUPLICATION_READERS = frozenset(
    function.__code__ for function in (SQSBackend.send_message, SQSBackend._validate_message, Queue.add_message)
)


def _deduplication_only(queue: Queue) -> dict[str, Any]:
    """The part of ``Queue.attributes`` its senders read: ``ContentBasedDeduplication`` as moto's property writes it."""
    if not queue.fifo_queue:
        return {}
    value = queue.content_based_deduplication  # type: ignore[attr-defined]
    return {"ContentBasedDeduplication": str(value).lower() if isinstance(value, bool) else value}


def _attributes(self: Queue) -> dict[str, Any]:
    """``Queue.attributes``; for moto's senders (fast path 78), the one attribute they read."""
    if sys._getframe(1).f_code in DEDUPLICATION_READERS:
        return _deduplication_only(self)
    return _original_attributes.fget(self)  # type: ignore[no-any-return]


PATCHES: list[tuple[Any, str, Any]] = [(Queue, "attributes", property(_attributes))]
