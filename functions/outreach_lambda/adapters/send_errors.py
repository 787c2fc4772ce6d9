"""What a failed SES v2 or SNS send means, and so what becomes of the contact: one classification.

| fault | meaning | what happens to the contact |
|---|---|---|
| ``transient`` | provably not accepted (throttled, 5xx, could not connect) | claim released, retried with backoff |
| ``recipient`` | this address or number will not take it (invalid, rejected) | FAILED, ops told; other channels go on |
| ``account`` | nothing can be sent until someone fixes the account | PARKED, ops told once; redriven when fixed |
| ``unknown_outcome`` | the request left, the answer did not come back | never repeated blindly: UNCONFIRMED, ops told |

Every error code SES v2 ``SendEmail`` and SNS ``Publish`` declare is in a table below (a test checks them
against botocore's service models); an undeclared 5xx is transient, anything else undeclared is parked
(``account``): delayed until a person looks, never lost and never sent twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)


class MessageRefused(ValueError):
    """``mime`` cannot write the e-mail (an address that is not ASCII, a line break in a header value): nothing was
    sent. ``header`` names the field."""

    def __init__(self, header: str, reason: str) -> None:
        super().__init__(f"{header}: {reason}")
        self.header = header


class SendFault(StrEnum):
    TRANSIENT = "transient"
    RECIPIENT = "recipient"
    ACCOUNT = "account"
    UNKNOWN_OUTCOME = "unknown_outcome"


T, R, A = SendFault.TRANSIENT, SendFault.RECIPIENT, SendFault.ACCOUNT

#: Error codes of SES v2 SendEmail and SNS Publish (and the generic AWS ones they may answer with).
CODES: Final[dict[str, SendFault]] = {
    # SES v2 SendEmail
    "TooManyRequestsException": T,  # the send rate
    "LimitExceededException": T,  # the daily quota or send rate: goes through later
    "AccountSuspendedException": A,
    "SendingPausedException": A,
    "MailFromDomainNotVerifiedException": A,
    "NotFoundException": A,  # the configuration set or identity is missing
    "MessageRejected": R,  # unless it says an identity is not verified: see classify()
    "BadRequestException": R,  # e.g. an address SES cannot parse
    # SNS Publish (SMS to a phone number)
    "InvalidParameter": R,  # e.g. not a valid phone number, or opted out
    "ParameterValueInvalid": R,
    "ValidationException": R,
    "EndpointDisabled": R,
    "InternalError": T,
    "NotFound": A,
    "PlatformApplicationDisabled": A,
    "AuthorizationError": A,
    "KMSDisabled": A,
    "KMSInvalidState": A,
    "KMSNotFound": A,
    "KMSOptInRequired": A,
    "KMSAccessDenied": A,
    "InvalidSecurity": A,
    "KMSThrottling": T,
    # generic AWS answers
    "Throttling": T,
    "ThrottlingException": T,
    "ThrottledException": T,
    "RequestLimitExceeded": T,
    "ServiceUnavailable": T,
    "ServiceUnavailableException": T,
    "InternalFailure": T,
    "InternalServerError": T,
    "AccessDenied": A,
    "AccessDeniedException": A,
    "UnrecognizedClientException": A,
    "ExpiredToken": A,
    "ExpiredTokenException": A,
}

#: Said by MessageRejected when the sender (or, in the SES sandbox, the recipient) is not verified.
_NOT_VERIFIED = "not verified"


@dataclass(frozen=True)
class Classified:
    fault: SendFault
    code: str  # the AWS error code, or the botocore exception's name
    reason: str


def classify(exc: BaseException) -> Classified:
    """The fault of a failed send (``ClientError``, a botocore transport error, or a message ``mime`` refused:
    the customer's address is the recipient's fault, anything else the deployment's, parked until fixed)."""
    if isinstance(exc, MessageRefused):
        return Classified(R if exc.header == "To" else A, "MessageRefused", str(exc))
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code") or "Unknown")
        message = str(error.get("Message") or "")
        status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        fault = CODES.get(code)
        if code == "MessageRejected" and _NOT_VERIFIED in message.lower():
            fault = A  # a new account's sandbox, or a sender identity not verified yet
        if fault is None:
            fault = T if status >= 500 else A
        return Classified(fault, code, message or code)
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return Classified(T, type(exc).__name__, str(exc))  # the request never reached the service
    if isinstance(exc, ReadTimeoutError | ConnectionClosedError):
        return Classified(SendFault.UNKNOWN_OUTCOME, type(exc).__name__, str(exc))
    if isinstance(exc, BotoCoreError):
        return Classified(SendFault.UNKNOWN_OUTCOME, type(exc).__name__, str(exc))
    raise TypeError(f"not a send error: {type(exc).__name__}") from exc
