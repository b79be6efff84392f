"""The pytest side of record and replay: `@pytest.mark.anthropic_cassette("name")` gives the
`anthropic_mock` fixture a server of its own that replays (or records) that test's cassette,
`{test folder}/cassettes/{module}/{name}.yaml` (name: the test's name unless given)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

from ..config import Config
from ..server import MockServer

DEFAULT_UPSTREAM = "https://api.anthropic.com"
MARKER = "anthropic_cassette"


def add_options(group: Any) -> None:
    group.addoption("--anthropic-record-mode", default=None,
                    choices=("none", "once", "new_episodes", "all", "passthrough"),
                    help="record mode of @pytest.mark.anthropic_cassette tests (default: the marker's "
                         "record_mode, else none: replay only)")
    group.addoption("--anthropic-upstream-url", default=os.environ.get("ANTHROPIC_UPSTREAM_URL", DEFAULT_UPSTREAM),
                    help=f"where cassette tests record from (default $ANTHROPIC_UPSTREAM_URL or {DEFAULT_UPSTREAM})")


MARKER_HELP = (f"{MARKER}(name=None, *, record_mode=None, match_on=(), match_ignore=(), redact=()): the "
               "anthropic_mock fixture replays (or, with --anthropic-record-mode or record_mode, records) "
               "cassettes/{module}/{name}.yaml next to the test file; match_on: request headers that must match "
               "too, match_ignore / redact: JSON paths left out of matching / never written")
MARKER_OPTIONS = frozenset({"name", "record_mode", "match_on", "match_ignore", "redact"})


def cassette_server(request: pytest.FixtureRequest) -> MockServer | None:
    """A started server for a test marked anthropic_cassette, else None."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    unknown = set(marker.kwargs) - MARKER_OPTIONS
    if unknown:
        raise pytest.UsageError(f"@pytest.mark.{MARKER}: unknown option(s) {sorted(unknown)}; "
                                f"expected {sorted(MARKER_OPTIONS)}")
    mode = record_mode(request)
    test_name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    name = marker.args[0] if marker.args else marker.kwargs.get("name", test_name)
    module = Path(request.node.path).stem
    config = Config(cassettes=Path(request.node.path).parent / "cassettes", cassette=f"{module}/{name}",
                    record_mode=mode, proxy=None if mode == "none" else request.config.getoption("--anthropic-upstream-url"),
                    match_headers=tuple(marker.kwargs.get("match_on", ())),
                    match_ignore=tuple(marker.kwargs.get("match_ignore", ())),
                    redact_paths=tuple(marker.kwargs.get("redact", ())))
    return MockServer(config).start()


def record_mode(request: pytest.FixtureRequest) -> str:
    """The command line's --anthropic-record-mode wins when given; else the marker's, else none."""
    given = request.config.getoption("--anthropic-record-mode")
    marker = request.node.get_closest_marker(MARKER)
    if given is None:
        given = (marker.kwargs.get("record_mode") if marker else None) or "none"
    return given


def api_key(request: pytest.FixtureRequest, default: str) -> str:
    """Recording talks to the real API: it needs a real key (never written to the cassette)."""
    if record_mode(request) == "none":
        return default
    return os.environ.get("ANTHROPIC_API_KEY") or default


# -- --block-network ---------------------------------------------------------------------------------

LOOPBACK = ("127.", "::1", "localhost", "0:0:0:0:0:0:0:1")


class NetworkBlocked(OSError):
    """A test tried to reach a host that is not this machine while --block-network is on."""


def add_block_network_option(group: Any) -> None:
    try:  # pytest-recording has the same flag with the same meaning: let it keep it
        group.addoption("--block-network", action="store_true", default=False,
                        help="fail any test that opens a connection to a host other than loopback")
    except ValueError:
        pass


def blocking_connect(original: Any) -> Any:
    def connect(sock: Any, address: Any) -> Any:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not str(host).startswith(LOOPBACK):
            raise NetworkBlocked(f"--block-network: a connection to {host}:{address[1]} was blocked "
                                 "(only loopback is allowed; point the client at the mock)")
        return original(sock, address)
    return connect
