"""Sending recorded requests again: to a base URL, or to in-process mocks (a fresh one per file).

Each request carries what decides the answer: method, target, body, `anthropic-version`,
`anthropic-beta` and content-type, with a dummy key (an Admin key for /v1/organizations) in
place of the recorded one. A recording that lost its version header (or had it scrubbed) is sent
with 2023-06-01.

A recording was made while its model was served: the in-process mocks serve the models our
catalog lists as retired as active ones, so a replay compares answers rather than the calendar.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import AsyncIterator

import httpx
import yaml

from ..app import create_app
from ..catalog import builtin_catalog
from ..config import Config
from .checks import Answer, json_of
from .exchange import RecordedExchange
from .ids import IdMap

API_KEY = "sk-ant-api03-conformance-replay"
ADMIN_KEY = "sk-ant-admin01-conformance-replay"
DEFAULT_VERSION = "2023-06-01"
FORWARDED = ("anthropic-version", "anthropic-beta", "content-type")
TIMEOUT = httpx.Timeout(120.0, connect=10.0)
_VERSION = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True, slots=True)
class Sent:
    answer: Answer
    stateless: bool  # the request named an id this replay never created: the stateless mock answered


def request_headers(exchange: RecordedExchange, api_version: str | None) -> dict[str, str]:
    headers = {name: exchange.request_headers[name] for name in FORWARDED if name in exchange.request_headers}
    recorded = headers.get("anthropic-version", "")
    headers["anthropic-version"] = api_version or (recorded if _VERSION.fullmatch(recorded) else DEFAULT_VERSION)
    headers["x-api-key"] = ADMIN_KEY if exchange.path.startswith("/v1/organizations") else API_KEY
    return headers


class Replayer:
    """One replay run. With a base URL every request goes there; without one, each file gets a fresh
    stateful mock, and requests naming ids the replay never created go to one stateless mock."""

    def __init__(self, base_url: str | None, api_version: str | None) -> None:
        self.base_url, self.api_version = base_url, api_version
        self._stateless: _Mock | None = None
        self._remote = httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) if base_url else None
        self._folder = None if base_url else tempfile.TemporaryDirectory(prefix="mockserver-conformance-")
        self._models = None if self._folder is None else _revived_models(Path(self._folder.name))

    @property
    def target(self) -> str:
        return self.base_url or "the in-process mock"

    async def replay_file(self, exchanges: list[RecordedExchange]) -> AsyncIterator[tuple[RecordedExchange, Sent]]:
        """Yield (exchange, Sent) in order, one mock (or the base URL) for the whole file."""
        ids = IdMap()
        own = None if self._remote else _Mock(Config(batch_seconds=0.0, models_file=self._models))
        try:
            for exchange in exchanges:
                target, body = ids.translate(exchange.target.encode()).decode(), ids.translate(exchange.request_body)
                orphan = own is not None and bool(ids.unresolved(target.encode() + b" " + body))
                client = self._remote or (self._stateless_mock() if orphan else own).client
                response = await client.request(exchange.method, target, content=body,
                                                headers=request_headers(exchange, self.api_version))
                answer = Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                                response.content)
                ids.learn(json_of(exchange.response_body), json_of(answer.body))
                yield exchange, Sent(answer, orphan)
        finally:
            if own is not None:
                await own.close()

    def _stateless_mock(self) -> _Mock:
        if self._stateless is None:
            self._stateless = _Mock(Config(stateless=True, models_file=self._models))
        return self._stateless

    async def close(self) -> None:
        if self._remote is not None:
            await self._remote.aclose()
        if self._stateless is not None:
            await self._stateless.close()
        if self._folder is not None:
            self._folder.cleanup()


def _revived_models(folder: Path) -> Path:
    """A catalog extension that serves every retired model again (`serve --models FILE` format)."""
    revived = [{"id": entry.id, "lifecycle": "active"} for entry in builtin_catalog() if entry.retired]
    path = folder / "models.yaml"
    path.write_text(yaml.safe_dump({"models": revived}))
    return path


class _Mock:
    def __init__(self, config: Config) -> None:
        self.app = create_app(config)
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://mock",
                                        timeout=TIMEOUT)

    async def close(self) -> None:
        await self.client.aclose()
        self.app.close()

