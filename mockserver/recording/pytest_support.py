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
    group.addoption("--anthropic-record-mode", default="none",
                    choices=("none", "once", "new_episodes", "all", "passthrough"),
                    help="record mode of @pytest.mark.anthropic_cassette tests (default none: replay only)")
    group.addoption("--anthropic-upstream-url", default=os.environ.get("ANTHROPIC_UPSTREAM_URL", DEFAULT_UPSTREAM),
                    help=f"where cassette tests record from (default $ANTHROPIC_UPSTREAM_URL or {DEFAULT_UPSTREAM})")


MARKER_HELP = (f"{MARKER}(name=None): the anthropic_mock fixture replays (or, with --anthropic-record-mode, "
               "records) cassettes/{module}/{name}.yaml next to the test file")


def cassette_server(request: pytest.FixtureRequest) -> MockServer | None:
    """A started server for a test marked anthropic_cassette, else None."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    mode = request.config.getoption("--anthropic-record-mode")
    test_name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    name = marker.args[0] if marker.args else marker.kwargs.get("name", test_name)
    module = Path(request.node.path).stem
    config = Config(cassettes=Path(request.node.path).parent / "cassettes", cassette=f"{module}/{name}",
                    record_mode=mode, proxy=None if mode == "none" else request.config.getoption("--anthropic-upstream-url"))
    return MockServer(config).start()


def api_key(request: pytest.FixtureRequest, default: str) -> str:
    """Recording talks to the real API: it needs a real key (never written to the cassette)."""
    if request.config.getoption("--anthropic-record-mode") == "none":
        return default
    return os.environ.get("ANTHROPIC_API_KEY") or default
