"""The Anthropic error catalogue: every error path renders through this table."""

from __future__ import annotations

from typing import Any, Mapping, Protocol

import orjson

from .replies import JsonReply, Reply

ERROR_STATUS: dict[str, int] = {
    "invalid_request_error": 400,
    "authentication_error": 401,
    "billing_error": 402,
    "permission_error": 403,
    "not_found_error": 404,
    "conflict_error": 409,
    "request_too_large": 413,
    "rate_limit_error": 429,
    "api_error": 500,
    "timeout_error": 504,
    "overloaded_error": 529,
}

# Statuses the API answers with besides each type's own: a 503 is an `api_error` too (a service that
# is briefly unavailable; clients retry it after `retry-after` seconds).
UNAVAILABLE_STATUS = 503
STATUS_ERROR_TYPE: dict[int, str] = {**{status: error_type for error_type, status in ERROR_STATUS.items()},
                                     UNAVAILABLE_STATUS: "api_error"}

DEFAULT_MESSAGE: dict[str, str] = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "Authentication error",
    "billing_error": "Billing error",
    "permission_error": "Permission denied",
    "not_found_error": "Not found",
    "conflict_error": "Conflict",
    "request_too_large": "Request exceeds the maximum size",
    "rate_limit_error": "Rate limited",
    "api_error": "Internal server error",
    "timeout_error": "Request timeout",
    "overloaded_error": "Overloaded",
}


class ApiError(Exception):
    """An error the API answers with: `{"type":"error","error":{...},"request_id":...}`."""

    def __init__(
        self,
        error_type: str,
        message: str | None = None,
        *,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        details: Any = None,
    ) -> None:
        self.error_type = error_type
        self.message = message if message is not None else DEFAULT_MESSAGE.get(error_type, error_type)
        self.status = status if status is not None else ERROR_STATUS.get(error_type, 400)
        self.headers = dict(headers or {})
        self.details = details
        super().__init__(f"{self.status} {error_type}: {self.message}")

    def body(self, request_id: str | None) -> dict[str, Any]:
        if self.error_type == "request_too_large":
            # Produced by the edge in front of the API: no envelope type, no request id.
            return {"error": self._error()}
        return self.envelope(request_id)

    def envelope(self, request_id: str | None) -> dict[str, Any]:
        """The full envelope, whatever the type (the mock's own control API always answers so)."""
        return {"type": "error", "error": self._error(), "request_id": request_id}

    def sse_event(self) -> bytes:
        """The error as an SSE `error` event, as the API sends it when a stream fails midway."""
        data = orjson.dumps({"type": "error", "error": self._error()})
        return b"event: error\ndata: " + data + b"\n\n"

    def _error(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.details is not None:
            error["details"] = self.details
        return error


def invalid_request(message: str) -> ApiError:
    return ApiError("invalid_request_error", message)


def not_found(message: str = "Not found") -> ApiError:
    return ApiError("not_found_error", message)


def unavailable(message: str, retry_after: int = 1) -> ApiError:
    """503 `api_error`: the service cannot answer this now; the SDKs retry after `retry-after`."""
    return ApiError("api_error", message, status=UNAVAILABLE_STATUS,
                    headers={"retry-after": str(retry_after), "x-should-retry": "true"})


class Styled(Protocol):
    """An operation as far as errors care (spec/operations.py Operation)."""

    error_style: str


def error_reply(error: ApiError, request_id: str, operation: Styled | None = None) -> Reply:
    """The reply for `error`: the Anthropic envelope, or OpenAI's for the OpenAI-compatible operations."""
    if operation is not None and operation.error_style == "openai":
        body: Any = {"error": {"type": error.error_type, "message": error.message, "param": None,
                               "code": None}}
    else:
        body = error.body(request_id)
    return JsonReply(body, status=error.status, headers=error.headers)
