"""What a call came to, as a comparable value: the answer, or the error it raised (fast path vs plain moto)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError, ParamValidationError


def outcome(stable: Callable[[Any], Any], fn: Any, *, crash_message: bool = True, **kwargs: Any) -> Any:
    """``fn(**kwargs)``'s answer through ``stable`` (which drops what differs between any two runs), or its error:
    a ClientError with its code and response, botocore's refusal of the parameters, or a raw exception (moto, or
    botocore's parse of moto's answer, fails some input so), without its message when ``crash_message`` is False
    (it may hold a value botocore drew at random, such as an idempotency token)."""
    try:
        return ("ok", stable(fn(**kwargs)))
    except ClientError as exc:
        return ("error", type(exc).__name__, exc.response["Error"], stable(exc.response), str(exc))
    except ParamValidationError as exc:
        return ("invalid", str(exc))
    except Exception as exc:
        return ("crash", type(exc).__name__, str(exc) if crash_message else None)
