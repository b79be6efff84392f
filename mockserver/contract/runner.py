"""The runner behind `mockserver contract`: generated requests per operation, then link walks, each
response through every check, failures attributed to check names, all within a request budget."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from .checks import Budget, Check, check_name, contract_checks
from .results import Failure, OperationReport, RunReport, curl
from .samples import DEFAULT_MODEL, request_samples
from .spec import cost_of, is_admin, operation_id
from .target import Keys
from .walks import LinkWalks

DEFAULT_VERSION = "2026-10-21"


@dataclass(slots=True)
class Options:
    examples: int = 10  # generated requests per operation and generation mode
    max_requests: int | None = None
    include_costly: bool = False
    pairs: bool = True  # deterministic server: the stream and count_tokens pair checks hold
    stateful: bool = True  # objects really go away: deleted ones answer 404
    walks: bool = True
    only: tuple[str, ...] = ()  # operationIds (substrings) to run; empty: all
    seed: int = 0
    version: str = DEFAULT_VERSION
    model: str = DEFAULT_MODEL
    keys: Keys = Keys()
    has_admin_key: bool = True


Progress = Callable[[OperationReport, int, int], None]


class Runner:
    """Sends cases and runs every check on every response, attributing failures to check names."""

    def __init__(self, schema: Any, options: Options, progress: Progress | None = None) -> None:
        self.schema = schema
        self.options = options
        self.budget = Budget(options.max_requests)
        self.checks = contract_checks(pairs=options.pairs, budget=self.budget)
        self.progress = progress or (lambda report, done, total: None)
        self.by_id = {operation_id(op): op for op in self.operations()}

    def operations(self) -> list[Any]:
        return [result.ok() for result in self.schema.get_all_operations()]

    def run(self) -> RunReport:
        started = time.perf_counter()
        selected = [op for op in self.operations() if self.wanted(op)]
        reports = [self.skip_report(op) for op in selected]
        runnable = [(op, r) for op, r in zip(selected, reports) if r.skipped is None]
        per_operation = self._examples_per_operation(len(runnable))
        for done, (op, report) in enumerate(runnable, 1):
            self.run_operation(op, report, per_operation)
            self.progress(report, done, len(runnable))
        walks = LinkWalks(self).run() if self.options.walks else []
        return RunReport(reports, walks, self.budget.used, time.perf_counter() - started,
                         str(self.schema.config.base_url or "in-process app"))

    def wanted(self, op: Any) -> bool:
        only = self.options.only
        return not only or any(name in operation_id(op) for name in only)

    def skip_report(self, op: Any) -> OperationReport:
        report = OperationReport(op.label, operation_id(op))
        cost = cost_of(op)
        if cost and not self.options.include_costly:
            report.skipped = f"{cost}; pass --include-costly"
        elif is_admin(op) and not self.options.has_admin_key:
            report.skipped = "needs an admin key; pass --admin-key"
        return report

    def _examples_per_operation(self, count: int) -> int:
        if self.budget.limit is None or not count:
            return self.options.examples
        share = self.budget.limit * 2 // 3 // (count * 2)  # a third stays for examples and link walks
        return max(1, min(self.options.examples, share))

    def run_operation(self, op: Any, report: OperationReport, per_mode: int) -> None:
        from schemathesis import GenerationMode

        for strategy in self.schema.get_strategies_from_examples(op)[:2]:
            self._generate(strategy, 1, report)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            self._generate(op.as_strategy(generation_mode=mode), per_mode, report)
        for body in request_samples(self.options.model).get(operation_id(op), ()):
            self.send(op.Case(headers=self.headers(op), body=body, media_type="application/json"), report)

    def _generate(self, strategy: Any, count: int, report: OperationReport) -> None:
        from hypothesis import HealthCheck, Phase, given, seed, settings

        @seed(self.options.seed)
        @settings(max_examples=count, database=None, deadline=None, phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(strategy)
        def run(case: Any) -> None:
            self.send(case, report)

        try:
            run()
        except Exception as exc:  # generation problems are the schema's, never the server's
            report.unsent += 1
            report.record(Failure("generation", report.label, "Could not generate a request", str(exc)[:500], ""))

    def headers(self, op: Any) -> dict[str, str]:
        headers = {"x-api-key": self.options.keys.for_operation(op), "anthropic-version": self.options.version}
        beta = op.definition.raw.get("x-mock-beta")
        if beta and self.options.version < DEFAULT_VERSION:  # older API versions need the beta header
            headers["anthropic-beta"] = beta
        return headers

    def send(self, case: Any, report: OperationReport) -> Any | None:
        import requests

        if not self.budget.allows():
            return None
        self.budget.spend()
        try:
            response = case.call()
        except (requests.ConnectionError, requests.Timeout) as exc:
            report.record(Failure("server_reachable", report.label, "The server did not answer", str(exc)[:300],
                                  curl(case)))
            return None
        except Exception:  # e.g. a generated header value no HTTP library can send
            report.unsent += 1
            return None
        report.requests += 1
        report.statuses[response.status_code] += 1
        self.verify(case, response, report)
        return response

    def verify(self, case: Any, response: Any, report: OperationReport) -> None:
        from schemathesis.core.failures import FailureGroup

        for check in self.checks:
            name = check_name(check)
            report.runs[name] += 1
            try:
                case.validate_response(response, checks=[check])
            except FailureGroup as group:
                for failure in group.exceptions:
                    report.record(Failure(name, report.label, _title(check, failure.title), failure.message,
                                          curl(case)))


def _title(check: Check, title: str) -> str:
    """Our checks' failures are titled by what the check verifies (its docstring's first line)."""
    if title.startswith("Custom check failed") and check.__doc__:
        return check.__doc__.strip().splitlines()[0].rstrip(".")
    return title


def run_contract(schema: Any, options: Options, progress: Progress | None = None) -> RunReport:
    return Runner(schema, options, progress).run()
