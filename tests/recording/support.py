"""Shared pieces of the record-and-replay tests: an upstream mock, a recorder in front of it, and
a replayer with the upstream gone."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Iterator

import anthropic
import httpx

from mockserver.config import Config
from mockserver.server import MockServer

SECRET = "sk-ant-api03-SECRET-never-in-a-cassette"
MODEL = "claude-sonnet-4-6"
VERSION_HEADERS = {"anthropic-version": "2023-06-01"}
BODY: dict[str, Any] = {"model": MODEL, "max_tokens": 24, "messages": [{"role": "user", "content": "Hello"}]}


@contextlib.contextmanager
def upstream(**overrides: Any) -> Iterator[MockServer]:
    """The 'real API' on loopback: a second mock instance."""
    settings: dict[str, Any] = {"seed": 11, "batch_seconds": 0.2, **overrides}
    with MockServer(Config(**settings)) as server:
        yield server


@contextlib.contextmanager
def recorder(folder: Path, proxy: str | None, mode: str | None = "once", **overrides: Any) -> Iterator[MockServer]:
    with MockServer(Config(seed=99, proxy=proxy, cassettes=folder, record_mode=mode, **overrides)) as server:
        yield server


def dead_url() -> str:
    """A loopback URL nothing listens on: replays prove they never forward."""
    server = MockServer(Config())
    url = server.base_url
    server.app.close()
    server._socket.close()
    return url


def sdk(server: MockServer, key: str = SECRET) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, max_retries=0)


def post(server: MockServer, body: dict[str, Any] | None = None, path: str = "/v1/messages",
         **headers: str) -> httpx.Response:
    sent = {"x-api-key": SECRET, **VERSION_HEADERS, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return httpx.post(server.base_url + path, json=body if body is not None else BODY, headers=sent, timeout=30)


def cassette_text(folder: Path, name: str = "default") -> str:
    return (folder / f"{name}.yaml").read_text()
