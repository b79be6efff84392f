"""The input-token figures over a corpus, per group: the Messages and count_tokens requests
replayed straight against the engine (no HTTP: the same counting code, a few seconds for the
whole corpus), each file with its own prompt cache, as `mockserver conformance` replays them.

`docs/tokens.md` carries the table `render` makes of them; tests/test_token_calibration.py
recomputes it and fails when it is not current or the figures miss their goal.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..catalog import Catalog, load_catalog
from ..contract.sse import accumulate_message, message_stream_problems, parse_sse
from ..engine import EngineContext, MemoryPromptCache, count_tokens, create_message
from ..http.errors import ApiError
from .checks import json_of
from .exchange import RecordedExchange
from .replay import _revived_models
from .sources import read_sources
from .token_scope import GROUPS, group_of, unreproducible
from .tokens import TokenError

ENDPOINTS = ("/v1/messages", "/v1/messages/count_tokens")
NOW = 1_767_225_600.0  # a fixed clock: the replay is the same on every run


@dataclass(slots=True)
class Figures:
    overall: TokenError = field(default_factory=TokenError)
    groups: dict[str, TokenError] = field(default_factory=lambda: {g: TokenError() for g in GROUPS})
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> exchanges left out


def figures(paths: Iterable[Path | str]) -> Figures:
    out, catalog = Figures(), revived_catalog()
    for file in read_sources(paths):
        cache = MemoryPromptCache()
        for exchange in file.exchanges:
            if exchange.method == "POST" and exchange.path in ENDPOINTS and exchange.status == 200:
                _replay(exchange, cache, catalog, out)
    return out


def revived_catalog() -> Catalog:
    """The built-in catalog with retired models served again, as the conformance replay serves them."""
    with tempfile.TemporaryDirectory() as folder:
        return load_catalog(_revived_models(Path(folder)))


def _replay(exchange: RecordedExchange, cache: MemoryPromptCache, catalog: Catalog, out: Figures) -> None:
    request, real = json_of(exchange.request_body), real_answer(exchange)
    if not isinstance(request, dict) or real is None:
        return
    reason = unreproducible(request)
    if reason is not None:
        out.excluded[reason.split(":")[0]] = out.excluded.get(reason.split(":")[0], 0) + 1
        return
    betas = frozenset(b.strip() for b in exchange.request_headers.get("anthropic-beta", "").split(",") if b.strip())
    ctx = EngineContext(rng=random.Random(0), now=NOW, betas=betas, cache=cache, catalog=catalog,
                        beta_path=bool(betas) or "beta=true" in exchange.target)
    try:
        ours = (create_message if exchange.path == "/v1/messages" else count_tokens)(request, ctx)
    except (ApiError, ValueError):
        return  # the mock refused it: `mockserver conformance` reports that difference
    before = out.overall.n
    out.overall.add(real, ours)
    if out.overall.n > before:
        out.groups[group_of(request)].pairs.append(out.overall.pairs[-1])


def real_answer(exchange: RecordedExchange) -> Any:
    """The real reply as JSON (a stream: the message it accumulates to; None if it is cut short)."""
    if not exchange.is_stream:
        return json_of(exchange.response_body)
    events = parse_sse(exchange.response_body).events
    return None if message_stream_problems(events) else accumulate_message(events)


def render(result: Figures) -> str:
    """The Markdown table of the figures (overall first, then each group)."""
    lines = ["| group | n | median \\|err\\| | p90 \\|err\\| | within 10 % |", "|---|---:|---:|---:|---:|"]
    for name, error in [("all", result.overall), *result.groups.items()]:
        if error.n:
            lines.append(f"| {name} | {error.n} | {error.median:.1%} | {error.p90:.1%} | {error.within_10_percent:.0%} |")
        else:
            lines.append(f"| {name} | 0 | – | – | – |")
    excluded = ", ".join(f"{reason}: {n}" for reason, n in sorted(result.excluded.items())) or "none"
    lines += ["", f"Left out by the rule (`mockserver/conformance/token_scope.py`): {excluded}."]
    return "\n".join(lines) + "\n"
