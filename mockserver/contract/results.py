"""What a run found: per operation (or link walk) the requests, statuses, checks run and failures."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Failure:
    check: str
    operation: str
    title: str
    message: str
    reproduce: str
    count: int = 1


@dataclass(slots=True)
class OperationReport:
    label: str
    operation_id: str
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    runs: Counter = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    skipped: str | None = None
    unsent: int = 0

    @property
    def failed_checks(self) -> list[str]:
        return sorted({f.check for f in self.failures})

    def record(self, failure: Failure) -> None:
        for known in self.failures:
            if _same_failure(known, failure):
                known.count += 1
                return
        self.failures.append(failure)


_VOLATILE = re.compile(r"req_\w+|msg_\w+|\d+")


def _same_failure(a: Failure, b: Failure) -> bool:
    """Failures that differ only in ids and numbers are one failure seen several times."""
    return (a.check, a.title) == (b.check, b.title) and _VOLATILE.sub("#", a.message) == _VOLATILE.sub("#", b.message)


@dataclass(slots=True)
class RunReport:
    operations: list[OperationReport]
    walks: list[OperationReport]
    requests: int
    seconds: float
    target: str

    @property
    def all(self) -> list[OperationReport]:
        return [*self.operations, *self.walks]

    @property
    def failures(self) -> list[Failure]:
        return [f for report in self.all for f in report.failures]

    @property
    def ok(self) -> bool:
        return not self.failures


def curl(case: Any) -> str:
    """How to reproduce a request (keys filtered out)."""
    try:
        return case.as_curl_command()
    except Exception:
        return f"{case.operation.method.upper()} {case.formatted_path}"


def json_or_none(response: Any) -> Any:
    """A response's JSON body, or None when it has none."""
    try:
        return response.json()
    except ValueError:
        return None
