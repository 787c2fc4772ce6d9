"""Fast path 45: the simulator's own deliveries reach moto's backends without a botocore call.

The runner plays the parts of AWS around the deployed code: the EventBridge rule that invokes intake with each event
(and the schedule rule that invokes the reconciler), and EventBridge Scheduler deleting a one-time schedule that fired
(``ActionAfterCompletion=DELETE``). On plain moto (``runner.run(fast=False)``) it does so as a test would, through
boto3: Lambda ``Invoke`` and Scheduler ``DeleteSchedule``, about a third of a happy order's Lambda invocations. Those
calls are the simulator's own (``metering`` leaves them out), nothing but the runner sees their answers, and the runner
reads none. Here they call what moto's response classes call for them, with the same arguments:

- ``invoke``: ``LambdaBackend.invoke(function name, the qualifier moto reads for ``plain_invoke``'s request (none for
  an event: ``_qualifier``), the JSON payload as text, no headers, ...)``, as ``LambdaResponse.invoke`` calls it for
  botocore's request (an ``Invoke`` with no ``InvocationType`` sends no
  ``X-Amz-Invocation-Type`` header: a ``RequestResponse`` invocation). moto decodes the payload and hands it to the
  function (``moto_runtime._invoke_in_process``: the real handler, the same event, the same request id counter).
- ``delete_schedule``: ``EventBridgeSchedulerBackend.delete_schedule(group, name)``, as ``delete_schedule`` of moto's
  Scheduler responses calls it.

Both hold the lock every mocked AWS call holds (``moto_runtime``, patch 5) and count as progress for the watchdog, as
the call did. Left out: botocore's serialisation, validation and parsing, the request moto would route, its response
headers and request id. A failure still raises (moto's own exception instead of botocore's ``ClientError``); the runner
handles neither. ``tests/simulation/test_own_calls.py`` compares what the handlers receive and what moto keeps with the
boto3 calls.
"""

from __future__ import annotations

import json
from typing import Any

from moto.awslambda.models import lambda_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.scheduler.models import scheduler_backends

from outreach.simulator import call_plumbing, moto_runtime

#: What the runner's boto3 ``Invoke`` sends besides the function and payload on plain moto. The qualifier in the URL
#: is what a real rule's invocation has ($LATEST), and it keeps moto from reading the JSON body as a query string:
#: with no URL query, moto's ``_get_param("qualifier")`` finds ``qualifier=...`` anywhere in the payload's text (a
#: customer's ``&qualifier=7`` in an order's description made plain moto invoke a version that does not exist).
#: moto reads the parameter lower-case, so the URL's ``Qualifier`` itself selects nothing.
INVOKE_ARGS = {"Qualifier": "$LATEST"}


def plain_invoke(lam: Any, function_name: str, payload: str) -> Any:
    """The runner's delivery on plain moto: boto3's ``Invoke``."""
    return lam.invoke(FunctionName=function_name, Payload=payload.encode(), **INVOKE_ARGS)


def invoke(region: str, function_name: str, payload: str, response_headers: dict[str, Any] | None = None) -> Any:
    """What ``Invoke`` of ``function_name`` with the JSON text ``payload`` makes moto do; the function's answer.
    moto sets ``x-amz-function-error`` in ``response_headers`` when the function failed."""
    headers = {} if response_headers is None else response_headers
    with moto_runtime.aws_call():
        return lambda_backends[DEFAULT_ACCOUNT_ID][region].invoke(
            function_name, _qualifier(payload), payload, {}, headers
        )


def _qualifier(payload: str) -> Any:
    """The qualifier moto's ``LambdaResponse.invoke`` reads for ``plain_invoke``: the URL has a query (not
    ``qualifier``), so ``_get_param`` tries the JSON body's top-level ``qualifier``; None when there is none.

    Fast path 113: a text with neither ``qualifier`` nor an escape (``\\u``) in it has no such key (a key is written as
    its characters or their escapes), and is not parsed for it."""
    if "qualifier" not in payload and "\\u" not in payload and call_plumbing.shallow(payload):
        return None
    try:
        return json.loads(payload)["qualifier"]
    except (ValueError, KeyError, TypeError):
        return None


def delete_schedule(region: str, group: str, name: str) -> None:
    """What ``DeleteSchedule`` of the one-time schedule ``name`` in ``group`` makes moto do."""
    with moto_runtime.aws_call():
        scheduler_backends[DEFAULT_ACCOUNT_ID][region].delete_schedule(group, name)
