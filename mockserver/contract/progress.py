"""Progress of a run: a bar redrawn in place on a terminal, one plain line per operation elsewhere."""

from __future__ import annotations

from typing import TextIO

from .report import progress_line
from .results import OperationReport

_CLEAR = "\r\x1b[K"


class PlainProgress:
    """One line per operation: what logs and CI keep."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def __call__(self, report: OperationReport, done: int, total: int) -> None:
        print(progress_line(report, done, total), file=self.stream, flush=True)

    def close(self) -> None:
        pass


class ProgressBar(PlainProgress):
    """A bar with the count and the operation just checked; a failing operation keeps its own line."""

    width = 30

    def __call__(self, report: OperationReport, done: int, total: int) -> None:
        if report.failures:
            self.stream.write(_CLEAR + progress_line(report, done, total) + "\n")
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"{_CLEAR}  [{bar}] {done}/{total} {report.label:.60}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write(_CLEAR)
        self.stream.flush()


def progress_for(stream: TextIO) -> PlainProgress:
    return ProgressBar(stream) if stream.isatty() else PlainProgress(stream)
