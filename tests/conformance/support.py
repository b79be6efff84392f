"""Shared pieces of the conformance tests: a vcrpy cassette recorded for real from a mock on loopback,
a doctored server that answers what a test plants, and the command run as a user runs it."""

from __future__ import annotations

import contextlib
import http.server
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import anthropic
import vcr
import yaml

from mockserver.config import Config
from mockserver.server import MockServer

MODEL = "claude-sonnet-4-6"
HELLO = [{"role": "user", "content": "Hello"}]
WEATHER = {"name": "get_weather", "description": "Weather of a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


def record_with_vcrpy(path: Path, calls: Callable[[anthropic.Anthropic], None], seed: int = 5) -> list[dict]:
    """Run `calls` through the official SDK against a mock on loopback while vcrpy records the cassette."""
    with MockServer(Config(seed=seed, batch_seconds=0.0)) as server:
        recorder = vcr.VCR(record_mode="all", filter_headers=["x-api-key", "authorization"])
        with recorder.use_cassette(str(path)):
            calls(anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-api03-recorded", max_retries=0))
    return yaml.safe_load(path.read_text())["interactions"]


def everyday_calls(client: anthropic.Anthropic) -> None:
    """JSON, a forced tool, a stream, count_tokens, a file uploaded then read, a recorded 400."""
    client.messages.create(model=MODEL, max_tokens=200, messages=HELLO)
    client.messages.create(model=MODEL, max_tokens=200, messages=HELLO, tools=[WEATHER],
                           tool_choice={"type": "tool", "name": "get_weather"})
    with client.messages.stream(model=MODEL, max_tokens=2000, messages=HELLO,
                                thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
        stream.get_final_message()
    client.messages.count_tokens(model=MODEL, messages=HELLO)
    uploaded = client.beta.files.upload(file=("notes.txt", b"hello", "text/plain"))
    client.beta.files.retrieve_metadata(uploaded.id)
    with contextlib.suppress(anthropic.BadRequestError):
        client.messages.create(model=MODEL, max_tokens=10, messages=[])


def write_cassette(path: Path, interactions: list[dict]) -> Path:
    path.write_text(yaml.safe_dump({"interactions": interactions, "version": 1}, sort_keys=False))
    return path


def conformance(*args: str) -> subprocess.CompletedProcess:
    """`mockserver conformance ...` as a separate process: its exit code, stdout and stderr."""
    return subprocess.run([sys.executable, "-m", "mockserver", "conformance", *args], capture_output=True,
                          text=True, timeout=300, stdin=subprocess.DEVNULL)


Reply = tuple[int, dict[str, str], bytes]


@contextlib.contextmanager
def doctored_server(answer: Callable[[str, str, dict[str, str], bytes], Reply]) -> Iterator[Any]:
    """A server on 127.0.0.1 that answers whatever `answer(method, path, headers, body)` plants;
    `.received` keeps each request (method, path, headers)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.answer, server.received = answer, []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


class _Handler(http.server.BaseHTTPRequestHandler):
    def _reply(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.received.append((self.command, self.path, headers))  # type: ignore[attr-defined]
        status, reply_headers, content = self.server.answer(self.command, self.path, headers, body)  # type: ignore[attr-defined]
        self.send_response(status)
        for name, value in {"content-length": str(len(content)), **reply_headers}.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_DELETE = _reply

    def log_message(self, *args: Any) -> None:
        pass


def json_reply(status: int, document: Any) -> Reply:
    return status, {"content-type": "application/json"}, json.dumps(document).encode()
