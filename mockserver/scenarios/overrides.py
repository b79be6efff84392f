"""Ad-hoc faults from request headers, for reproducing without rules files:

    x-mock-error: overloaded_error        (+ x-mock-error-status, x-mock-error-message,
                                            x-mock-retry-after, x-mock-retry-after-ms,
                                            x-mock-should-retry, x-mock-error-count)
    x-mock-delay: 250ms | uniform:10-100ms
    x-mock-fault: error_after_events=3,error=api_error | cut_after_bytes=100,should_retry=false | drip=16/50ms ...

`x-mock-error-count: N` fails only attempts whose `x-stainless-retry-count` is below N, so an
SDK's own retries see N failures and then a success.
"""

from __future__ import annotations

from typing import Any, Mapping

from ..http.errors import invalid_request
from .rules import RETRY_FIELDS, Response, RuleError, check_schema, parse_response

TRIGGERS = frozenset({"x-mock-error", "x-mock-delay", "x-mock-fault"})
_FAULT_INTS = ("error_after_events", "cut_after_events", "cut_after_bytes", "stall_after_events")


def override(headers: Mapping[str, str]) -> Response | None:
    """The response the headers ask for, or None when they ask for nothing."""
    spec: dict[str, Any] = {}
    try:
        if "x-mock-error" in headers and _attempt_fails(headers):
            spec["error"] = _error(headers)
        if "x-mock-delay" in headers:
            spec["delay"] = headers["x-mock-delay"]
        if "x-mock-fault" in headers:
            spec["fault"] = _fault(headers["x-mock-fault"])
        if not spec:
            return None
        check_schema(spec, "Response", where="x-mock")  # the same bounds a rule's response has
        return parse_response(spec)
    except RuleError as error:
        raise invalid_request(f"x-mock headers: {str(error).removeprefix('rule x-mock: ')}") from None
    except (ValueError, KeyError) as error:
        raise invalid_request(f"x-mock headers: {error}") from None


def _attempt_fails(headers: Mapping[str, str]) -> bool:
    limit = headers.get("x-mock-error-count")
    if limit is None:
        return True
    return int(headers.get("x-stainless-retry-count", "0") or 0) < int(limit)


def _error(headers: Mapping[str, str]) -> dict[str, Any]:
    error: dict[str, Any] = {"type": headers["x-mock-error"].strip()}
    if "x-mock-error-status" in headers:
        error["status"] = status = int(headers["x-mock-error-status"])
        if not 400 <= status <= 599:  # an error status; anything else would break the connection
            raise ValueError(f"x-mock-error-status must be within 400..599, not {status}")
    if "x-mock-error-message" in headers:
        error["message"] = headers["x-mock-error-message"]
    for field in RETRY_FIELDS:
        value = headers.get("x-mock-" + field.replace("_", "-"))
        if value is not None:
            error[field] = value.strip().lower() == "true" if field == "should_retry" else float(value)
    return error


def _fault(text: str) -> dict[str, Any]:
    """`name=value` pairs separated by commas; `drip=BYTES/EVERY`."""
    fault: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, found, value = item.partition("=")
        name = name.strip()
        if not found:
            raise ValueError(f"x-mock-fault wants name=value, not {item!r}")
        if name in _FAULT_INTS:
            fault[name] = int(value)
        elif name == "drip":
            size, _, every = value.partition("/")
            fault["drip"] = {"bytes": int(size), "every": every or "10ms"}
        elif name in ("error", "stall"):
            fault[name] = value.strip()
        elif name == "should_retry":
            fault[name] = value.strip().lower() == "true"
        else:
            raise ValueError(f"unknown x-mock-fault setting {name!r}")
    return fault
