"""pytest plugin (registered as `anthropic_mockserver`): fixtures that run the mock on a free port.

    def test_retries(anthropic_mock):
        anthropic_mock.fail_next(2, "overloaded_error")
        client = anthropic_mock.client()                 # isolated by x-mock-session
        client.messages.create(model=..., max_tokens=..., messages=...)
        assert [e["status"] for e in anthropic_mock.journal()] == [529, 529, 200]

    @pytest.mark.anthropic_rules("rules/overloaded.yaml")  # relative to the test file
    def test_with_rules(anthropic_mock): ...

    @pytest.mark.anthropic_cassette()  # replays cassettes/{module}/{test}.yaml (docs/record-replay.md)
    def test_recorded(anthropic_mock): ...

Every test gets its own isolation key, so its rules, counters, scenario states and journal are
its own, also under pytest-xdist against one shared server (`--anthropic-mock-url`).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from .config import Config
from .recording import pytest_support as recording
from .scenarios.matching import SESSION_HEADER
from .server import MockServer

TEST_API_KEY = "sk-ant-api03-mockserver-test"
IN_PROCESS = pytest.StashKey[MockServer]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("anthropic_mockserver")
    group.addoption("--anthropic-mock-url", default=None,
                    help="use the mock server at this URL instead of starting one in-process")
    group.addoption("--anthropic-mock-control-token", default=None,
                    help="bearer token for the control API of --anthropic-mock-url")
    recording.add_options(group)
    recording.add_block_network_option(group)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "anthropic_rules(*paths): load these rules files into the "
                                       "anthropic_mock fixture's session (paths relative to the test file)")
    config.addinivalue_line("markers", recording.MARKER_HELP)
    config.addinivalue_line("markers", "allow_network: this test may reach other hosts despite --block-network")


@pytest.fixture(autouse=True)
def _anthropic_block_network(request: pytest.FixtureRequest) -> Iterator[None]:
    """With --block-network, only loopback connections are allowed during each test."""
    if not request.config.getoption("--block-network", default=False) or request.node.get_closest_marker(
            "allow_network"):
        yield
        return
    import socket

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", recording.blocking_connect(socket.socket.connect))
        patch.setattr(socket.socket, "connect_ex", recording.blocking_connect(socket.socket.connect_ex))
        yield


@pytest.fixture(scope="session")
def mock_server() -> Iterator[MockServer]:
    """One mock for the test session, default settings, on a real loopback socket."""
    with MockServer(Config()) as server:
        yield server


@pytest.fixture(scope="session")
def stateless_mock_server() -> Iterator[MockServer]:
    with MockServer(Config(stateless=True)) as server:
        yield server


@pytest.fixture(scope="session")
def anthropic_mock_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The mock the `anthropic_mock` fixture talks to: `--anthropic-mock-url`, or one in-process."""
    url = request.config.getoption("--anthropic-mock-url")
    if url:
        yield url.rstrip("/")
        return
    with MockServer(Config()) as server:
        request.config.stash[IN_PROCESS] = server  # @anthropic_fuzz swaps its reply source
        yield server.base_url


@pytest.fixture
def anthropic_mock(request: pytest.FixtureRequest, anthropic_mock_url: str) -> Iterator[MockHandle]:
    """A handle on the mock, isolated from every other test by its own `x-mock-session` key."""
    token = request.config.getoption("--anthropic-mock-control-token")
    readable = re.sub(r"[^\x21-\x7e]", "_", request.node.nodeid)[-80:]
    own = recording.cassette_server(request)  # @pytest.mark.anthropic_cassette: a replaying server of its own
    url = own.base_url if own is not None else anthropic_mock_url
    handle = MockHandle(url, session=f"{readable}#{uuid.uuid4().hex[:8]}", control_token=token)
    handle.server = own if own is not None else request.config.stash.get(IN_PROCESS, None)
    if own is not None:
        handle.api_key = recording.api_key(request, handle.api_key)
    handle.reset()
    for marker in request.node.iter_markers("anthropic_rules"):
        for path in marker.args:
            handle.load_rules(Path(request.node.path).parent / path)
    # code that builds its own client (anthropic.Anthropic()) reaches this mock too, and is recorded
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("ANTHROPIC_BASE_URL", url)
        environment.setenv("ANTHROPIC_API_KEY", handle.api_key)  # recording: the real key (recording.api_key)
        try:
            yield handle
        finally:
            _close(handle, own)


def _close(handle: MockHandle, own: MockServer | None) -> None:
    try:
        handle.reset()
        handle.close()
    finally:
        if own is not None:
            own.stop()


class MockHandle:
    """Rules, journal and verification for one isolation key, over the control API."""

    def __init__(self, base_url: str, session: str | None = None, control_token: str | None = None) -> None:
        import httpx

        self.base_url = base_url.rstrip("/")
        self.session = session or uuid.uuid4().hex
        self.api_key = TEST_API_KEY
        self.server: MockServer | None = None  # the in-process server, when this process runs it
        headers = {SESSION_HEADER: self.session}
        if control_token:
            headers["authorization"] = f"Bearer {control_token}"
        self._http = httpx.Client(base_url=self.base_url, headers=headers, timeout=30)

    @property
    def headers(self) -> dict[str, str]:
        """Send these with API requests to be in this handle's session."""
        return {SESSION_HEADER: self.session}

    def client(self, **options: Any) -> Any:
        """An `anthropic.Anthropic` client for this mock and session."""
        import anthropic

        options.setdefault("api_key", self.api_key)
        options["default_headers"] = {**self.headers, **options.get("default_headers", {})}
        return anthropic.Anthropic(base_url=self.base_url, **options)

    def async_client(self, **options: Any) -> Any:
        import anthropic

        options.setdefault("api_key", self.api_key)
        options["default_headers"] = {**self.headers, **options.get("default_headers", {})}
        return anthropic.AsyncAnthropic(base_url=self.base_url, **options)

    # -- rules -------------------------------------------------------------------------------

    def add_rule(self, rule: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """Add one rule (a dict, or its fields as keyword arguments); returns it with its id."""
        return self.add_rules([{**(rule or {}), **fields}])[0]

    def add_rules(self, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return self._call("POST", "/_mock/rules", json={"rules": rules})["rules"]

    def load_rules(self, path: str | Path) -> list[dict[str, Any]]:
        """Load a rules file into this session."""
        response = self._call("POST", "/_mock/rules", content=Path(path).read_bytes(),
                              headers={"content-type": "application/yaml"})
        return response["rules"]

    def fail_next(self, n: int = 1, error: str = "overloaded_error", *, operation: str = "messages_create",
                  message: str | None = None, status: int | None = None, retry_after: float | None = None,
                  should_retry: bool | None = None, priority: int = 1) -> dict[str, Any] | None:
        """The next `n` calls of `operation` answer `error`; later calls are answered as usual."""
        if n < 1:
            return None
        spec: dict[str, Any] = {"type": error}
        for name, value in (("message", message), ("status", status), ("retry_after", retry_after),
                            ("should_retry", should_retry)):
            if value is not None:
                spec[name] = value
        return self.add_rule(match={"operation": operation}, respond={"error": spec}, times=n, priority=priority)

    def reply_with(self, text: str | None = None, *, operation: str = "messages_create", times: int | None = None,
                   **respond: Any) -> dict[str, Any]:
        """Answer `operation` with this text (or message, tool_use, ... as in a rule's respond)."""
        if text is not None:
            respond["text"] = text
        rule: dict[str, Any] = {"match": {"operation": operation}, "respond": respond}
        if times is not None:
            rule["times"] = times
        return self.add_rule(rule)

    def rules(self) -> list[dict[str, Any]]:
        return self._call("GET", "/_mock/rules")["rules"]

    def delete_rule(self, rule_id: str) -> None:
        self._call("DELETE", f"/_mock/rules/{rule_id}")

    def set_state(self, scenario: str, state: str) -> None:
        self._call("PUT", f"/_mock/scenarios/{scenario}", json={"state": state})

    def states(self) -> dict[str, str]:
        return {s["name"]: s["state"] for s in self._call("GET", "/_mock/scenarios")["scenarios"]}

    # -- journal and verification ------------------------------------------------------------

    def journal(self, **filters: Any) -> list[dict[str, Any]]:
        """This session's requests, oldest first; filters: operation, method, path, status, rule."""
        params = {k: v for k, v in filters.items() if v is not None}
        return self._call("GET", "/_mock/journal", params=params)["requests"]

    def count(self, match: dict[str, Any] | None = None, **fields: Any) -> int:
        """How many of this session's requests match (rule `match` fields, plus `rule`, `status`)."""
        return self._verify(match, fields)["count"]

    def verify(self, match: dict[str, Any] | None = None, *, count: int | None = None, at_least: int | None = None,
               at_most: int | None = None, **fields: Any) -> int:
        """Assert how many requests matched (`count`, or `at_least`/`at_most`; default at least one)."""
        if count is None and at_least is None and at_most is None:
            at_least = 1
        expectation = {k: v for k, v in (("count", count), ("at_least", at_least), ("at_most", at_most))
                       if v is not None}
        result = self._verify(match, {**fields, **expectation})
        if not result["ok"]:
            seen = [(e["method"], e["path"], e["status"], e["rule"]) for e in self.journal()]
            raise AssertionError(f"expected {expectation} matching requests, found {result['count']}; "
                                 f"journal: {seen}")
        return result["count"]

    def _verify(self, match: dict[str, Any] | None, fields: dict[str, Any]) -> dict[str, Any]:
        body: dict[str, Any] = {"match": dict(match or {})}
        for name in ("rule", "status", "count", "at_least", "at_most"):
            if name in fields:
                body[name] = fields.pop(name)
        body["match"].update(fields)
        return self._call("POST", "/_mock/verify", json=body)

    def reset(self) -> None:
        """Forget this session's rules, counters, scenario states and journal."""
        self._call("POST", "/_mock/reset", json={"session": self.session})

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._http.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()
