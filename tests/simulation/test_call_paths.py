"""Fast paths 108 and 116 (``moto_runtime``): a call answered in process finds its URL and moto's handler per endpoint,
is answered under the AWS lock without a generator's context manager, and reads its event names and request context
entries from a plan per operation, which is what botocore reads for a call.

Given JSON-protocol clients (default and explicit endpoints, several regions), when they call moto through the fast
paths, then the URL and handler remembered per endpoint are the ones ``_json_url``, ``_aws_url`` and ``_moto_handler``
find; and while moto answers, the AWS lock is held (re-entrant, released on an error) and the call counts as progress
and as answered in process.
"""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws

from outreach.simulator import moto_runtime

ENDPOINTS = [
    ("dynamodb", "us-east-1", None),
    ("dynamodb", "eu-central-1", None),
    ("dynamodb", "us-east-1", "https://dynamodb.us-west-2.amazonaws.com"),
    ("stepfunctions", "us-east-1", None),
]


def test_given_json_clients_when_they_call_then_each_endpoint_s_url_and_handler_are_the_lookups_answers() -> None:
    with mock_aws(), moto_runtime.patched({}, fast=True):
        for service, region, endpoint in ENDPOINTS:
            client = boto3.client(service, region_name=region, endpoint_url=endpoint)
            if service == "dynamodb":
                client.list_tables()
                with pytest.raises(client.exceptions.ResourceNotFoundException):  # a covered call, refused
                    client.get_item(TableName="nope", Key={"k": {"S": "v"}})
            else:
                client.list_state_machines()
            endpoint_url = client.meta.endpoint_url
            url = moto_runtime._json_url(endpoint_url)
            parsed_url, _ = moto_runtime._aws_url(url)
            handler = moto_runtime._moto_handler(f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}")
            if service == "dynamodb":  # (a covered call looked its endpoint up)
                assert moto_runtime._json_handlers[endpoint_url] == (url, handler)
            else:
                assert moto_runtime._json_handlers.get(endpoint_url, (url, handler)) == (url, handler)
    assert moto_runtime._json_handlers == {}  # a run's end forgets them (moto's settings may change)


def test_given_clients_of_two_regions_then_each_region_s_calls_reach_its_own_tables() -> None:
    with mock_aws(), moto_runtime.patched({}, fast=True):
        berlin = boto3.client("dynamodb", region_name="eu-central-1")
        virginia = boto3.client("dynamodb", region_name="us-east-1")
        virginia.list_tables()  # the first endpoint looked up
        berlin.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        berlin.put_item(TableName="orders", Item={"pk": {"S": "SO-1"}})
        assert berlin.get_item(TableName="orders", Key={"pk": {"S": "SO-1"}})["Item"] == {"pk": {"S": "SO-1"}}
        with pytest.raises(virginia.exceptions.ResourceNotFoundException):
            virginia.get_item(TableName="orders", Key={"pk": {"S": "SO-1"}})
        assert virginia.list_tables()["TableNames"] == []


def test_given_a_call_being_answered_then_the_aws_lock_is_held_reentrantly_progress_counted_and_released_on_error() -> (
    None
):
    with moto_runtime.patched({}, fast=True) as runtime:
        progress, answered = runtime.quiescence.progress, runtime.direct_calls
        taken: list[bool] = []

        def other_thread() -> None:
            got = moto_runtime._aws_lock.acquire(blocking=False)
            taken.append(got)
            if got:
                moto_runtime._aws_lock.release()

        # re-entrant: a handler's call inside a Lambda invoke is answered inside the invoke's
        with pytest.raises(ZeroDivisionError), moto_runtime._ANSWERING, moto_runtime._ANSWERING:
            worker = threading.Thread(target=other_thread)
            worker.start()
            worker.join()
            _ = 1 / 0
        assert taken == [False]
        assert runtime.quiescence.progress == progress + 2 and runtime.direct_calls == answered + 2
        worker = threading.Thread(target=other_thread)  # released: another thread takes it at once
        worker.start()
        worker.join()
        assert taken == [False, True]


@pytest.mark.parametrize("service", ["dynamodb", "lambda", "stepfunctions", "sesv2", "scheduler", "sns", "sqs"])
def test_given_every_operation_then_its_call_plan_is_what_botocore_reads_for_a_call(service: str) -> None:
    """Fast path 116: the event names and the request context's entries read once per operation model."""
    client = boto3.client(service, region_name="us-east-1")
    service_model = client._service_model
    for name in service_model.operation_names:
        operation_model = service_model.operation_model(name)
        names, context = moto_runtime._call_plan(operation_model)
        service_id = service_model.service_id.hyphenize()
        assert names == tuple(
            f"{event}.{service_id}.{name}"
            for event in ("provide-client-params", "before-parameter-build", "before-call", "after-call")
        )
        request_context = {"client_region": client.meta.region_name, "client_config": client.meta.config, **context}
        expected = {  # as botocore's ``BaseClient._make_api_call`` builds it
            "client_region": client.meta.region_name,
            "client_config": client.meta.config,
            "has_streaming_input": operation_model.has_streaming_input,
            "auth_type": operation_model.resolved_auth_type,
            "unsigned_payload": operation_model.unsigned_payload,
            "auth_options": service_model.metadata.get("auth"),
        }
        assert list(request_context.items()) == list(expected.items())
