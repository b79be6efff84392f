"""The contract suite: check any server (this mock, or the real API) against openapi/anthropic.yaml.

Checks are schemathesis check functions `(ctx, response, case)`, each verifying one property
(checks.py, reading streams with sse.py). The runner (runner.py) feeds them the spec's examples,
known-good requests (samples.py), positive and negative generated requests for every operation, then
link walks (walks.py): create an object, then call every operation the spec links to it. Results
(results.py) become a progress line, summary tables and JUnit XML (report.py). The in-process suite in
contracts/ composes the same checks; `mockserver contract` (command.py) runs them against a base URL
(target.py), and compares specs (specdiff.py).

Names are imported on first use (PEP 562): `mockserver serve` builds its command line from this
package without loading the suite.
"""

from __future__ import annotations

import importlib
from typing import Any

# eager: `samples` names both a submodule and its function, and the function must win
from .samples import DEFAULT_MODEL, request_samples, samples

_MODULE_OF = {
    "Budget": "checks",
    "Check": "checks",
    "check_name": "checks",
    "contract_checks": "checks",
    "error_envelope": "checks",
    "first_difference": "checks",
    "pair_checks": "checks",
    "request_id_header": "checks",
    "response_schema_conformance": "checks",
    "sse_grammar": "checks",
    "without_nulls": "checks",
    "add_parser": "command",
    "main": "command",
    "mock_health": "command",
    "options_from_args": "command",
    "run": "command",
    "junit_xml": "report",
    "progress_line": "report",
    "summary": "report",
    "Failure": "results",
    "OperationReport": "results",
    "RunReport": "results",
    "DEFAULT_VERSION": "runner",
    "Options": "runner",
    "Runner": "runner",
    "run_contract": "runner",
    "LinkWalks": "walks",
    "cost_of": "spec",
    "is_admin": "spec",
    "load_document": "spec",
    "operation_id": "spec",
    "schema_errors": "spec",
    "SpecDiff": "specdiff",
    "compare_specs": "specdiff",
    "format_spec_diff": "specdiff",
    "spec_operations": "specdiff",
    "SseEvent": "sse",
    "accumulate_message": "sse",
    "chat_stream_problems": "sse",
    "completion_stream_problems": "sse",
    "message_stream_problems": "sse",
    "parse_sse": "sse",
    "DEFAULT_ADMIN_KEY": "target",
    "DEFAULT_API_KEY": "target",
    "Keys": "target",
    "load_schema": "target",
}

__all__ = [
    "Budget", "Check", "DEFAULT_ADMIN_KEY", "DEFAULT_API_KEY", "DEFAULT_MODEL", "DEFAULT_VERSION", "Failure", "Keys",
    "LinkWalks",
    "OperationReport", "Options", "RunReport", "Runner", "SpecDiff", "SseEvent", "accumulate_message", "add_parser",
    "chat_stream_problems", "check_name", "compare_specs", "completion_stream_problems", "contract_checks",
    "cost_of", "error_envelope", "first_difference", "format_spec_diff", "is_admin", "junit_xml", "load_document",
    "load_schema", "main", "message_stream_problems", "mock_health", "operation_id", "options_from_args",
    "pair_checks", "parse_sse", "progress_line", "request_id_header", "request_samples", "response_schema_conformance",
    "run", "run_contract", "samples", "schema_errors", "spec_operations", "sse_grammar", "summary", "without_nulls",
]


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
