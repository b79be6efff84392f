"""`mockserver contract` against a deliberately broken server on a real socket: it exits non-zero and
names the failing check, in its summary and in the JUnit XML."""

from __future__ import annotations

import argparse
import socket
import threading
import time
from contextlib import contextmanager
from typing import Any, Iterator
from xml.etree import ElementTree

import uvicorn

from mockserver import contract
from mockserver.app import create_app
from mockserver.config import Config

from .breakers import Exchange, breaking


@contextmanager
def serving(app: Any) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def no_request_id_on_models(exchange: Exchange) -> None:
    if exchange.path.startswith("/v1/models"):
        exchange.drop_header("request-id")


def run_command(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    contract.add_parser(parser.add_subparsers(dest="command"))
    return contract.run(parser.parse_args(["contract", *argv]))


def test_a_broken_server_fails_the_command_and_the_check_is_named(tmp_path, capsys):
    junit = tmp_path / "contract.xml"
    with serving(breaking(create_app(Config(seed=3)), no_request_id_on_models)) as base_url:
        code = run_command(["--base-url", base_url, "--operation", "models", "--examples", "3",
                            "--junit-xml", str(junit)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED: error_envelope, request_id_header" in out  # the progress line / summary row
    assert "FAILED request_id_header in GET /v1/models" in out and "no request-id header" in out
    assert "failure(s) in checks: error_envelope, request_id_header" in out
    failures = [f for f in ElementTree.parse(junit).getroot().iter("failure")]
    assert failures and all(f.get("message").split(":")[0] in ("request_id_header", "error_envelope")
                            for f in failures)


def test_an_unreachable_server_fails_the_command(capsys):
    assert run_command(["--base-url", "http://127.0.0.1:9", "--operation", "models_list", "--examples", "1"]) == 1
    assert "server_reachable" in capsys.readouterr().out
