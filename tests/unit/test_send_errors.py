"""Every way SES v2 SendEmail and SNS Publish can fail is classified, checked against botocore's own models."""

from __future__ import annotations

import botocore.session
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from outreach_lambda.adapters.send_errors import CODES, SendFault, classify


def declared_errors() -> list[tuple[str, str, int]]:
    """(operation, error code, HTTP status) of every error shape SendEmail and Publish declare."""
    session = botocore.session.get_session()
    out = []
    for service, operation in (("sesv2", "SendEmail"), ("sns", "Publish")):
        for shape in session.get_service_model(service).operation_model(operation).error_shapes:
            meta = shape.metadata.get("error", {})
            out.append((f"{service}:{operation}", meta.get("code", shape.name), int(meta.get("httpStatusCode", 400))))
    return out


def client_error(code: str, status: int = 400, message: str = "") -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "SendEmail")  # type: ignore[arg-type]


@pytest.mark.parametrize(("operation", "code", "status"), declared_errors())
def test_given_any_declared_error_of_the_send_calls_then_it_has_a_deliberate_class(
    operation: str, code: str, status: int
) -> None:
    assert code in CODES, f"{operation} may answer {code}: classify it in adapters/send_errors.py"
    assert classify(client_error(code, status)).fault is CODES[code]


@pytest.mark.parametrize(
    ("code", "status", "message", "fault"),
    [
        ("TooManyRequestsException", 429, "Maximum sending rate exceeded.", SendFault.TRANSIENT),
        ("Throttling", 400, "Rate exceeded", SendFault.TRANSIENT),
        ("InternalFailure", 500, "", SendFault.TRANSIENT),
        ("SomethingNew", 503, "", SendFault.TRANSIENT),
        ("MessageRejected", 400, "Email address is not verified. The following identities failed", SendFault.ACCOUNT),
        ("MessageRejected", 400, "Illegal address", SendFault.RECIPIENT),
        ("SendingPausedException", 400, "", SendFault.ACCOUNT),
        ("InvalidParameter", 400, "Invalid parameter: PhoneNumber", SendFault.RECIPIENT),
        ("SomethingNew", 400, "", SendFault.ACCOUNT),
    ],
)
def test_given_a_provider_answer_then_the_contact_is_retried_failed_or_parked(
    code: str, status: int, message: str, fault: SendFault
) -> None:
    classified = classify(client_error(code, status, message))

    assert classified.fault is fault
    assert classified.code == code


def test_given_the_request_never_left_then_it_is_safe_to_retry() -> None:
    assert classify(EndpointConnectionError(endpoint_url="https://email")).fault is SendFault.TRANSIENT
    assert classify(ConnectTimeoutError(endpoint_url="https://email")).fault is SendFault.TRANSIENT


def test_given_the_answer_never_came_back_then_the_outcome_is_unknown_and_never_blindly_repeated() -> None:
    assert classify(ReadTimeoutError(endpoint_url="https://email")).fault is SendFault.UNKNOWN_OUTCOME
    assert classify(ConnectionClosedError(endpoint_url="https://email")).fault is SendFault.UNKNOWN_OUTCOME
