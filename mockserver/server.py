"""Run the mock in-process on a free loopback port: for tests, fixtures and embedding."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace
from typing import Any

import uvicorn

from .app import MockApp, create_app
from .config import Config
from .http.connection import uvicorn_options


class MockServer:
    """A real uvicorn server on a real socket, in a background thread.

    >>> with MockServer(Config(seed=1)) as server:
    ...     client = anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-test")
    """

    def __init__(self, config: Config | None = None, **overrides: Any) -> None:
        self.config = replace(config or Config(), **overrides)
        self.app: MockApp = create_app(self.config)
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((self.config.host, 0))
        self.port = self._socket.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="on", loop="asyncio",
            timeout_keep_alive=30, server_header=False, **uvicorn_options(self.config),
        ))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"mockserver:{self.port}", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    def start(self) -> MockServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
        self.app.close()

    def __enter__(self) -> MockServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
