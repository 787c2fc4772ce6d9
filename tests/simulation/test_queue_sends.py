"""Fast path 78 (``outreach.simulator.queue_sends``): a message sent to an SQS queue does not count the messages already
in it, and nothing changes for anyone: over random sends to standard and FIFO queues (content-based deduplication on and
off, duplicates, group and deduplication ids, delays, refused sends), direct and through an SNS topic, the answers,
errors, stored messages and every attribute ``GetQueueAttributes`` reports are those of moto without the fast path; and
moto's senders read ``Queue.attributes`` for nothing but ``ContentBasedDeduplication``."""

from __future__ import annotations

import inspect
import re
import textwrap
from typing import Any

import boto3
import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api._internal import mock_random
from moto.sqs.models import Queue, SQSBackend, sqs_backends

from outreach.simulator import queue_sends
from outreach.simulator.patching import installed
from tests.simulation.outcomes import outcome

REGION = "eu-central-1"
_QUEUES = {"std": {}, "dedupe.fifo": {"FifoQueue": "true", "ContentBasedDeduplication": "true"}}
_QUEUES["plain.fifo"] = {"FifoQueue": "true"}
_SEND = st.fixed_dictionaries(
    {"queue": st.sampled_from([*_QUEUES, "topic"]), "body": st.sampled_from(["a", "b", "x" * 300])},
    optional={
        "MessageGroupId": st.sampled_from(["g1", "g2"]),
        "MessageDeduplicationId": st.sampled_from(["d1", "d2"]),
        "DelaySeconds": st.sampled_from([0, 5, 901]),
    },
)


@pytest.fixture(autouse=True, scope="module")
def _moto() -> Any:
    """One mock and one frozen instant for the module; each example makes its own queues."""
    with mock_aws(), time_machine.travel("2026-11-02T09:00:00Z", tick=False):
        yield


def _conversation(prefix: str, sends: list[dict[str, Any]]) -> Any:
    mock_random.seed(7)  # the same message ids both ways
    sqs = boto3.client("sqs", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    urls = {
        name: sqs.create_queue(QueueName=f"{prefix}{name}", Attributes=attrs)["QueueUrl"]
        for name, attrs in _QUEUES.items()
    }
    topic = sns.create_topic(Name=f"{prefix}topic")["TopicArn"]
    arn = sqs.get_queue_attributes(QueueUrl=urls["std"], AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    answers = []
    for send in sends:
        params = {key: value for key, value in send.items() if key[0].isupper()}
        if send["queue"] == "topic":
            answers.append(outcome(_stable, sns.publish, TopicArn=topic, Message=send["body"]))
        else:
            answers.append(
                outcome(_stable, sqs.send_message, QueueUrl=urls[send["queue"]], MessageBody=send["body"], **params)
            )
    backend = sqs_backends[DEFAULT_ACCOUNT_ID][REGION]
    stored = {
        name: [
            (m.id, m.body, m.deduplication_id, m.group_id, m.sent_timestamp, m.delayed_until, m.message_attributes)
            for m in backend.queues[f"{prefix}{name}"]._messages
        ]
        for name in _QUEUES
    }
    attributes = {
        name: _stable_attributes(sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"])
        for name, url in urls.items()
    }
    for url in urls.values():
        sqs.delete_queue(QueueUrl=url)
    sns.delete_topic(TopicArn=topic)
    return answers, stored, attributes


def _stable(answer: Any) -> Any:
    answer.get("ResponseMetadata", {}).pop("HTTPHeaders", None)  # (date)
    answer.get("ResponseMetadata", {}).pop("RequestId", None)
    return answer


def _stable_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    return {key: value.split(":")[-1] if key == "QueueArn" else value for key, value in attributes.items()}


def _without_prefix(conversation: Any, prefix: str) -> Any:
    """The conversation with its queues' and topic's prefix left out (an SNS message's signature signs its topic's ARN:
    left out too)."""
    return re.sub(r'Signature\\*": \\*"[^"\\]*', "Signature", repr(conversation).replace(prefix, ""))


@settings(max_examples=8, deadline=None)
@given(sends=st.lists(_SEND, max_size=8))
def test_given_any_sends_when_queues_skip_counting_their_messages_then_everything_is_as_before(sends):
    plain = _conversation("Plain_", sends)
    with installed(queue_sends.PATCHES):
        fast = _conversation("Fast_", sends)

    assert _without_prefix(fast, "Fast_") == _without_prefix(plain, "Plain_")


@pytest.mark.parametrize("fast", [True, False])
def test_given_messages_queued_when_more_are_sent_then_no_send_builds_the_whole_attributes(fast):
    built: list[str] = []
    whole = queue_sends._original_attributes.fget

    def counting(self: Queue) -> Any:
        built.append(self.name)
        return whole(self)

    sqs = boto3.client("sqs", region_name=REGION)
    sns = boto3.client("sns", region_name=REGION)
    url = sqs.create_queue(QueueName=f"Count_{fast}")["QueueUrl"]
    fifo = sqs.create_queue(QueueName=f"Count_{fast}.fifo", Attributes=_QUEUES["dedupe.fifo"])["QueueUrl"]
    topic = sns.create_topic(Name=f"Count_{fast}")["TopicArn"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    counted_whole = property(counting)
    patches = [(queue_sends, "_original_attributes", counted_whole), *queue_sends.PATCHES] if fast else []
    with installed(patches or [(Queue, "attributes", counted_whole)]):
        for n in range(5):
            sns.publish(TopicArn=topic, Message=f"alert {n}")
            sqs.send_message(QueueUrl=fifo, MessageBody=f"m {n}", MessageGroupId="g")
        counted = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]

    assert counted["ApproximateNumberOfMessages"] == "5"
    assert (built == [f"Count_{fast}"]) is fast  # with the fast path, only GetQueueAttributes built them


@pytest.mark.parametrize("function", [SQSBackend.send_message, SQSBackend._validate_message, Queue.add_message])
def test_given_moto_senders_when_they_read_the_queue_attributes_then_only_for_content_based_deduplication(function):
    source = textwrap.dedent(inspect.getsource(function))
    reads = re.findall(r"\.attributes(.{0,33})", source)

    assert reads
    assert all(read == '.get("ContentBasedDeduplication")' for read in reads)
    assert function.__code__ in queue_sends.DEDUPLICATION_READERS
