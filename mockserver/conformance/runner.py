"""A conformance run: read the sources, replay each file in order, compare, and collect a Report."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Callable, Iterable

from .checks import Comparison, compare, json_of
from .exchange import RecordedExchange
from .replay import Replayer, Sent, request_headers
from .results import Difference, ExchangeResult, Report
from .sources import ExchangeFile, read_sources
from .token_scope import unreproducible
from .versions import VersionRule

Progress = Callable[[ExchangeResult, int, int], None]


def run_conformance(paths: Iterable[Path | str], base_url: str | None = None, api_version: str | None = None,
                    progress: Progress | None = None) -> Report:
    """Replay every Anthropic API exchange under `paths` against `base_url` (default: in-process mocks).
    Raises sources.UnreadableSource for a missing or unreadable path."""
    files = read_sources(paths)
    return asyncio.run(_run(files, base_url, api_version, progress))


async def _run(files: list[ExchangeFile], base_url: str | None, api_version: str | None,
               progress: Progress | None) -> Report:
    replayer = Replayer(base_url, api_version)
    report = Report(replayer.target, api_version)
    total, started = sum(len(f.exchanges) for f in files), time.monotonic()
    send = _valid_under(api_version) if api_version else (lambda exchange: True)
    try:
        for file in files:
            async for exchange, sent in replayer.replay_file(file.exchanges, send):
                if sent is None:
                    result = ExchangeResult(exchange, skipped=f"not valid under {api_version}", off_version=True)
                else:
                    result = _judge(exchange, sent, report)
                if file.superseded is not None and file.superseded.covers(_index(exchange)):
                    result.superseded = file.superseded
                report.results.append(result)
                if progress is not None:
                    progress(result, len(report.results), total)
    finally:
        await replayer.close()
    report.seconds = time.monotonic() - started
    return report


def _valid_under(version: str) -> Callable[[RecordedExchange], bool]:
    rule = VersionRule()
    return lambda exchange: rule.valid_under(exchange, version, request_headers(exchange, None)["anthropic-version"])


def _judge(exchange: RecordedExchange, sent: Sent, report: Report) -> ExchangeResult:
    try:
        comparison = compare(exchange, sent.answer)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as error:  # an answer no check foresaw
        comparison = Comparison([Difference("check", f"the comparison failed: {type(error).__name__}", repr(error))])
    if not sent.stateless and unreproducible(json_of(exchange.request_body)) is None:
        report.tokens.add(comparison.real, comparison.ours)  # a stateless answer is an example: no usage
    return ExchangeResult(exchange, sent.answer.status, comparison.differences, comparison.skipped, sent.stateless)


def _index(exchange: RecordedExchange) -> int:
    """The exchange's position in its file, from its source "<file>#<index>"."""
    return int(exchange.source.rsplit("#", 1)[-1])
