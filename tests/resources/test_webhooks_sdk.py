"""Webhooks end to end over real sockets: an endpoint registered through the Admin API, a session's
status changes delivered signed to a local receiver and verified by the SDK's own `unwrap`,
retries after a failing answer, the control API's on-demand send and its delivery journal."""

from __future__ import annotations

import http.server
import threading
import time

import anthropic
import httpx
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import ADMIN_KEY, KEY

BETA = {"anthropic-beta": "webhooks-2026-10-07"}


class Receiver(http.server.ThreadingHTTPServer):
    """Records every POST; answers 500 to the first `failures` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], str]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802  (the stdlib's name)
                body = self.rfile.read(int(self.headers["content-length"])).decode()
                outer.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                failing = len(outer.received) <= outer.failures
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[tuple[dict[str, str], str]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            assert time.monotonic() < deadline, f"only {len(self.received)} of {count} deliveries arrived"
            time.sleep(0.05)
        return self.received


@pytest.fixture
def server():
    with MockServer(Config()) as running:
        yield running


def register(server, url: str) -> dict:
    admin = anthropic.Anthropic(base_url=server.base_url, api_key=ADMIN_KEY, max_retries=0)
    return admin.post("/v1/organizations/webhooks", cast_to=object, options={"headers": BETA},
                      body={"url": url, "enabled_events": ["external_key.failed"], "name": "local"})


def test_a_session_status_change_arrives_signed_and_unwraps(server):
    receiver = Receiver()
    endpoint = register(server, receiver.url)
    assert endpoint["signing_secret"].startswith("whsec_") and endpoint["state"] == "enabled"
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                                 webhook_key=endpoint["signing_secret"])
    agent = client.beta.agents.create(name="hooked", model="claude-sonnet-4-6")
    session = client.beta.sessions.create(agent=agent.id, environment_id="env_local")
    client.beta.sessions.events.send(session.id, events=[
        {"type": "user.message", "content": [{"type": "text", "text": "Hello"}]}])
    received = receiver.wait_for(3)
    events = [client.beta.webhooks.unwrap(body, headers=headers) for headers, body in received[:3]]
    assert sorted(event.data.type for event in events) == [
        "session.created", "session.status_idled", "session.status_run_started"]
    assert {event.data.id for event in events} == {session.id}
    headers, body = received[0]
    with pytest.raises(Exception):  # a tampered body fails the signature check
        client.beta.webhooks.unwrap(body.replace(session.id, "sesn_other"), headers=headers)
    with pytest.raises(Exception):  # and so does another endpoint's secret
        client.beta.webhooks.unwrap(body, headers=headers, key="whsec_" + "QUJD" * 8)
    admin = anthropic.Anthropic(base_url=server.base_url, api_key=ADMIN_KEY, max_retries=0)
    listed = admin.get("/v1/organizations/webhooks", cast_to=object, options={"headers": BETA})
    assert [e["id"] for e in listed["data"]] == [endpoint["id"]] and "signing_secret" not in listed["data"][0]


def test_retries_on_failure_control_send_and_the_delivery_journal(server):
    receiver = Receiver(failures=1)
    endpoint = register(server, receiver.url)
    control = httpx.Client(base_url=server.base_url)
    sent = control.post("/_mock/webhooks/send", json={"type": "external_key.failed", "id": "key_1"})
    assert sent.status_code == 200 and sent.json()["data"]["type"] == "external_key.failed"
    received = receiver.wait_for(2)
    assert received[0][0]["webhook-id"] == received[1][0]["webhook-id"] == sent.json()["id"]
    client = anthropic.Anthropic(base_url=server.base_url, api_key=KEY, webhook_key=endpoint["signing_secret"])
    assert client.beta.webhooks.unwrap(received[1][1], headers=received[1][0]).data.id == "key_1"
    deadline = time.monotonic() + 30
    while (journal := control.get("/_mock/webhooks/deliveries").json()["data"])[-1]["status"] == "pending":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert journal[-1]["status"] == "delivered"
    assert [attempt["status"] for attempt in journal[-1]["attempts"]] == [500, 204]
    bad = control.post("/_mock/webhooks/send", json={"id": "no type"})
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"
