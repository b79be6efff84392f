"""Link walks: create an object with a known-good body, then call every operation the spec links to it
(reads first, then writes, deletes last), following links from each answer; after a delete, the object
must be gone."""

from __future__ import annotations

import re
from typing import Any, Callable, Protocol

from .results import Failure, OperationReport, curl, json_or_none
from .samples import Sample, samples
from .spec import operation_id


class Runner(Protocol):
    """What a walk needs from the runner (runner.py's Runner; a protocol, so walks need not import it)."""

    options: Any
    by_id: dict[str, Any]
    progress: Callable[[OperationReport, int, int], None]

    def wanted(self, op: Any) -> bool: ...
    def skip_report(self, op: Any) -> OperationReport: ...
    def headers(self, op: Any) -> dict[str, str]: ...
    def send(self, case: Any, report: OperationReport) -> Any | None: ...

_DESTRUCTIVE = re.compile(r"(delete|archive|cancel)$")


def _link_order(operation: Any) -> tuple[int, str]:
    name = operation_id(operation)
    rank = 2 if _DESTRUCTIVE.search(name) else (1 if operation.method.upper() != "GET" else 0)
    return rank, name


def resolve_expression(expression: Any, request: dict[str, Any], body: Any) -> Any:
    """An OpenAPI runtime expression: $response.body#/pointer or $request.path.name."""
    if not isinstance(expression, str) or not expression.startswith("$"):
        return expression
    if expression.startswith("$response.body#"):
        value = body
        for part in expression.split("#", 1)[1].strip("/").split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if key:
                value = value[int(key)] if isinstance(value, list) else value[key]
        return value
    if expression.startswith("$request.path."):
        return request[expression.removeprefix("$request.path.")]
    raise ValueError(f"unsupported link expression {expression}")


class LinkWalks:
    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def run(self) -> list[OperationReport]:
        reports = []
        bodies = samples(self.runner.options.model)
        for name, op in self.runner.by_id.items():
            if name not in bodies or not self.links(op) or "{" in op.path or not self.runner.wanted(op):
                continue  # walks start where objects are created from nothing
            report = self.runner.skip_report(op)
            report.label = f"walk from {op.label}"
            if report.skipped is None:
                self._walk(op, {}, bodies, report, depth=0)
                self.runner.progress(report, len(reports) + 1, 0)
            reports.append(report)
        return reports

    def links(self, op: Any) -> dict[str, Any]:
        return (op.definition.raw.get("responses", {}).get("200") or {}).get("links") or {}

    def _walk(self, op: Any, params: dict[str, Any], bodies: dict[str, Sample], report: OperationReport,
              depth: int) -> None:
        sample = bodies.get(operation_id(op), Sample())
        kwargs = sample.case_kwargs() if (sample.json is not None or sample.parts) else {}
        headers = {**self.runner.headers(op), **kwargs.pop("headers", {})}
        response = self.runner.send(op.Case(path_parameters=params, headers=headers, **kwargs), report)
        if response is None or response.status_code != 200 or depth > 3:
            return
        if op.method.upper() == "DELETE":
            self._check_gone(op, params, report)
        body = json_or_none(response)
        targets = [(self.runner.by_id[link["operationId"]], link) for link in self.links(op).values()
                   if link.get("operationId") in self.runner.by_id]
        for target, link in sorted(targets, key=lambda pair: _link_order(pair[0])):
            linked = {k: resolve_expression(v, params, body) for k, v in link.get("parameters", {}).items()}
            self._walk(target, {**params, **linked}, bodies, report, depth + 1)

    def _check_gone(self, op: Any, params: dict[str, Any], report: OperationReport) -> None:
        """After a successful delete, reading the object answers 404."""
        getter = next((o for o in self.runner.by_id.values() if o.path == op.path and o.method.upper() == "GET"), None)
        if getter is None or not self.runner.options.stateful:
            return
        report.runs["deleted_object_is_gone"] += 1
        case = getter.Case(path_parameters=params, headers=self.runner.headers(getter))
        response = self.runner.send(case, report)
        if response is not None and response.status_code != 404:
            report.record(Failure("deleted_object_is_gone", report.label, "A deleted object is still there",
                                  f"{getter.label} answers {response.status_code} after {op.label}", curl(case)))

