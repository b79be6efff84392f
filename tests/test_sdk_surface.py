"""The spec serves every route the pinned SDKs call: read from the Python SDK's resource code and from the
TypeScript SDK's compiled resources, so a newer SDK that adds a route fails here until the spec has it."""

from __future__ import annotations

import os
import re

import anthropic
import pytest

from mockserver.config import DEFAULT_SPEC
from mockserver.spec import load_spec
from tools.refresh_sdk import ts_package_routes
from tools.sdk_routes import calls

from .sdk_installs import CURRENT_SDK_VERSION, node_sdk


def shape(method: str, path: str) -> str:
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{x}', path)}"


def served(spec: dict) -> set[str]:
    return {shape(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"}


def python_sdk_routes() -> set[str]:
    return {shape(method, path) for method, path in calls(os.path.dirname(anthropic.__file__))}


@pytest.fixture(scope="module")
def spec() -> dict:
    return load_spec(DEFAULT_SPEC)


def test_the_pinned_python_sdk_is_the_one_installed():
    assert anthropic.__version__ == CURRENT_SDK_VERSION


def test_every_route_the_python_sdk_calls_is_served(spec):
    routes = python_sdk_routes()
    assert len(routes) > 250  # the reader found the resource methods (about 290 in 2.17.0)
    assert sorted(routes - served(spec)) == []


def test_every_route_the_typescript_sdk_calls_is_served(spec):
    routes = ts_package_routes(str(node_sdk() / "node_modules" / "@anthropic-ai" / "sdk"))
    assert len(routes) > 250
    assert sorted(routes - served(spec)) == []


def test_a_route_missing_from_the_spec_is_reported(spec):
    """The check can fail: drop one SDK route from a copy of the spec and it is named."""
    path = "/v1/agents/{agent_id}/versions"
    trimmed = {**spec, "paths": {p: item for p, item in spec["paths"].items() if p != path}}
    assert python_sdk_routes() - served(trimmed) == {"GET /v1/agents/{x}/versions"}
