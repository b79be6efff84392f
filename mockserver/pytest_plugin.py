"""pytest plugin (registered as `anthropic_mockserver`): fixtures that run the mock on a free port."""

from __future__ import annotations

from typing import Iterator

import pytest

from .config import Config
from .server import MockServer


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    """One mock for the test session, default settings, on a real loopback socket."""
    with MockServer(Config()) as server:
        yield server


@pytest.fixture(scope="session")
def stateless_mock_server() -> Iterator[MockServer]:
    with MockServer(Config(stateless=True)) as server:
        yield server
