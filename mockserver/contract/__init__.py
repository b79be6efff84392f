"""The contract suite: check any server (this mock, or the real API) against openapi/anthropic.yaml.

Checks are schemathesis check functions `(ctx, response, case)`, each verifying one property
(checks.py, reading streams with sse.py). The runner (runner.py) feeds them the spec's examples,
known-good requests (samples.py), positive and negative generated requests for every operation, then
link walks (walks.py): create an object, then call every operation the spec links to it. Results
(results.py) become a progress line, summary tables and JUnit XML (report.py). The in-process suite in
contracts/ composes the same checks; `mockserver contract` (command.py) runs them against a base URL
(target.py), and compares specs (specdiff.py).
"""

from .checks import (Budget, Check, check_name, contract_checks, error_envelope, first_difference, pair_checks,
                     request_id_header, response_schema_conformance, sse_grammar, without_nulls)
from .command import add_parser, main, mock_health, options_from_args, run
from .report import junit_xml, progress_line, summary
from .results import Failure, OperationReport, RunReport
from .runner import DEFAULT_VERSION, Options, Runner, run_contract
from .walks import LinkWalks
from .samples import DEFAULT_MODEL, request_samples, samples
from .spec import cost_of, is_admin, load_document, operation_id, schema_errors
from .specdiff import SpecDiff, compare_specs, format_spec_diff, spec_operations
from .sse import (SseEvent, accumulate_message, chat_stream_problems, completion_stream_problems,
                  message_stream_problems, parse_sse)
from .target import DEFAULT_ADMIN_KEY, DEFAULT_API_KEY, Keys, load_schema

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
