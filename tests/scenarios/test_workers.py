"""`mockserver serve --workers 2`: rules, sequence counters, scenario states, the journal and
rate-limit buckets are shared by the worker processes (SQLite in the data dir)."""

from __future__ import annotations

import subprocess
import sys
import time
from typing import Iterator

import httpx
import pytest

from mockserver.testing import free_port

from ..helpers import MODEL, headers

ASK = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "Hello there"}]}


def serve(*options: str) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "mockserver", "serve", "--workers", "2", "--port", str(port),
                                *options], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/_mock/health").json()["workers"] == 2:
                break
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"server did not start: {process.stdout.read().decode()}")
        time.sleep(0.1)
    try:
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory) -> Iterator[str]:
    rules = tmp_path_factory.mktemp("rules") / "rules.yaml"
    rules.write_text("- id: pinned\n  match: {operation: models_list}\n  respond: {body: {data: [], has_more: false,"
                     " first_id: null, last_id: null}}\n")
    yield from serve("--rules", str(rules))


@pytest.fixture(scope="module")
def limited_workers() -> Iterator[str]:
    yield from serve("--rate-limit", "requests=4,window=60s", "--journal")


def pinned_clients(base_url: str) -> list[httpx.Client]:
    """One keep-alive connection to each worker (health tells which process answered)."""
    by_worker: dict[int, httpx.Client] = {}
    for _ in range(100):
        client = httpx.Client(base_url=base_url)
        pid = client.get("/_mock/health").json()["pid"]
        if pid in by_worker:
            client.close()
        else:
            by_worker[pid] = client
        if len(by_worker) == 2:
            return list(by_worker.values())
    pytest.fail("could not reach both workers")


class Alternating:
    """Sends each request through the next worker in turn."""

    def __init__(self, base_url: str, session: str) -> None:
        self.clients = pinned_clients(base_url)
        self.session = session
        self.sent = 0

    def post(self, body=None) -> httpx.Response:
        client = self.clients[self.sent % 2]
        self.sent += 1
        return client.post("/v1/messages", json=body or ASK, headers=headers(**{"x-mock-session": self.session}))

    def close(self) -> None:
        for client in self.clients:
            client.close()


def journal(base_url: str, session: str) -> list[dict]:
    return httpx.get(f"{base_url}/_mock/journal", headers={"x-mock-session": session}).json()["requests"]


def test_sequence_steps_in_order_across_workers(two_workers):
    rule = {"sequence": [{"text": f"step-{i}"} for i in range(6)]}
    assert httpx.post(f"{two_workers}/_mock/rules", json=rule, headers={"x-mock-session": "seq"}).status_code == 201
    both = Alternating(two_workers, "seq")
    texts = [both.post().json()["content"][0]["text"] for _ in range(10)]
    assert texts == [f"step-{i}" for i in range(6)] + ["step-5"] * 4
    entries = journal(two_workers, "seq")
    assert len(entries) == 10
    workers = [e["worker"] for e in entries]
    assert workers[0::2] == [workers[0]] * 5 and workers[1::2] == [workers[1]] * 5 and workers[0] != workers[1]
    assert len({e["seq"] for e in entries}) == 10
    both.close()


def test_scenario_states_and_nth_across_workers(two_workers):
    rules = [
        {"scenario": "s", "state": "Started", "next_state": "warm", "respond": {"text": "cold"}},
        {"scenario": "s", "state": "warm", "match": {"nth": [2]}, "respond": {"error": "api_error"}},
        {"scenario": "s", "state": "warm", "respond": {"text": "warm"}, "priority": 6},
    ]
    httpx.post(f"{two_workers}/_mock/rules", json=rules, headers={"x-mock-session": "states"})
    both = Alternating(two_workers, "states")
    statuses = [(r.status_code, r.json().get("content", [{}])[0].get("text")) for r in
                (both.post() for _ in range(4))]
    assert statuses == [(200, "cold"), (200, "warm"), (500, None), (200, "warm")]
    both.close()


def test_rules_file_and_reset_across_workers(two_workers):
    models = [httpx.get(f"{two_workers}/v1/models", headers=headers()).json() for _ in range(4)]
    assert all(m["data"] == [] for m in models)
    both = Alternating(two_workers, "gone")
    httpx.post(f"{two_workers}/_mock/rules", json={"respond": {"error": "overloaded_error"}},
               headers={"x-mock-session": "gone"})
    assert [both.post().status_code for _ in range(2)] == [529, 529]
    httpx.post(f"{two_workers}/_mock/reset", json={"session": "gone"})
    assert [both.post().status_code for _ in range(4)] == [200] * 4
    assert len(journal(two_workers, "gone")) == 4
    both.close()


def test_rate_limit_buckets_are_shared(limited_workers):
    both = Alternating(limited_workers, "rl")
    assert [both.post().status_code for _ in range(6)] == [200, 200, 200, 200, 429, 429]
    assert len({e["worker"] for e in journal(limited_workers, "rl")}) == 2
    both.close()
