"""A replica while its PostgreSQL is away: it keeps answering what needs no shared state, fails the
rest fast (503 `api_error` with `retry-after`), recovers at once, and can start without it.

The issue's bounds (health < 100 ms, failing within 1 s, recovery < 2 s) are measured and printed
(`-s`); the assertions allow a generous multiple of each, plus a multiple of a baseline taken in the
same test, so a loaded machine does not fail them while a replica that stalls on retries still does.
"""

from __future__ import annotations

import statistics
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import httpx
import pytest

from tests.helpers import MESSAGE_BODY
from tests.replicas.fleet import api_headers, is_envelope, start_replicas
from tests.replicas.postgres_server import PostgresServer

MARGIN = 5  # times the bound a measurement may take on a loaded machine
BASELINE_MARGIN = 50  # times the same request's latency with the database up
OUTAGE_SECONDS = 2.0
DEADLINE = 60.0


@pytest.fixture(scope="module")
def own_postgres() -> Iterator[PostgresServer]:
    """A server of this module's own: stopping it disturbs no other test."""
    server = PostgresServer.create()
    yield server
    server.destroy()


def timed(call: Callable[[], httpx.Response]) -> tuple[float, httpx.Response]:
    started = time.perf_counter()
    response = call()
    return time.perf_counter() - started, response


FROZEN = 8.0  # seconds: no answer during an outage may take this long (the synchronous driver took 16-25 s)


def allowed(bound: float, baseline: float) -> float:
    return MARGIN * bound + BASELINE_MARGIN * baseline


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert is_envelope(response) and response.json()["error"]["type"] == "api_error", response.text
    assert int(response.headers["retry-after"]) >= 1


def test_a_database_outage_with_traffic(own_postgres: PostgresServer, tmp_path: Any) -> None:
    [replica] = start_replicas(own_postgres.url, 1, tmp_path)
    client = httpx.Client(base_url=replica.url, timeout=60)
    counted, plain = f"c-{uuid.uuid4().hex[:8]}", f"p-{uuid.uuid4().hex[:8]}"
    added = client.post("/_mock/rules", headers={"x-mock-session": counted},
                        json={"rules": [{"match": {"operation": "messages_create"}, "times": 10_000,
                                         "respond": {"text": "counted"}}]})
    assert added.status_code == 201, added.text

    def health() -> httpx.Response:
        return client.get("/_mock/health")

    def store_free() -> httpx.Response:
        return client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(plain))

    def shared() -> httpx.Response:  # a counting rule: its counter lives in the database
        return client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(counted))

    try:
        before = _traffic([health, store_free, shared], OUTAGE_SECONDS / 2)
        baseline = {name: statistics.median(seconds for seconds, _ in before[name]) for name in before}
        print("\nworst before the outage (s):", {name: max(s for s, _ in before[name]) for name in before})
        own_postgres.stop()
        seen = _traffic([health, store_free, shared], OUTAGE_SECONDS)
        own_postgres.start()
        restarted = time.perf_counter()
        recovery = _until_ok(shared, restarted)
        answered = shared()
    finally:
        client.close()
        replica.stop()
    worst = {name: max(seconds for seconds, _ in seen[name]) for name in seen}
    # the 9th decile: a single answer slowed by a busy CI machine (other test processes on the same two
    # cores) says nothing about the replica, a tenth of them would
    typical = {name: statistics.quantiles([seconds for seconds, _ in seen[name]], n=10)[-1] for name in seen}
    print(f"\nbaseline (median, s): {baseline}\nworst during the outage (s): {worst}\n"
          f"9th decile (s): {typical}\nrecovery: {recovery:.3f} s")
    assert all(r.status_code == 200 for _, r in seen["health"])
    assert all(r.status_code == 200 for _, r in seen["store_free"])
    for _, response in seen["shared"]:
        assert_unavailable(response)
    assert typical["health"] < allowed(0.1, baseline["health"]), typical
    assert typical["store_free"] < allowed(0.1, baseline["store_free"]), typical
    assert typical["shared"] < allowed(1.0, baseline["shared"]), typical
    assert max(worst.values()) < FROZEN, worst  # before, a replica froze for 16-25 s on every request
    assert recovery < allowed(2.0, baseline["shared"]), recovery
    assert answered.status_code == 200 and answered.json()["content"][0]["text"] == "counted"


def test_a_replica_starts_without_the_database_and_is_ready_once_it_is_back(
        own_postgres: PostgresServer, tmp_path: Any) -> None:
    own_postgres.stop()
    try:
        [replica] = start_replicas(own_postgres.url, 1, tmp_path)  # waits for /_mock/health
    except BaseException:
        own_postgres.start()
        raise
    client = httpx.Client(base_url=replica.url, timeout=60)
    session = f"s-{uuid.uuid4().hex[:8]}"
    try:
        assert client.get("/_mock/health/live").json() == {"status": "ok"}
        assert_unavailable(client.get("/_mock/health/ready"))
        assert_unavailable(client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session)))
        own_postgres.start()
        deadline = time.monotonic() + DEADLINE
        while client.get("/_mock/health/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/_mock/health/ready").json() == {"status": "ready", "store": "postgresql"}
        added = client.post("/_mock/rules", headers={"x-mock-session": session},
                            json={"rules": [{"match": {"operation": "messages_create"}, "respond": {"text": "hi"}}]})
        assert added.status_code == 201, added.text
        reply = client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))
        assert reply.status_code == 200 and reply.json()["content"][0]["text"] == "hi"
    finally:
        client.close()
        replica.stop()


def test_kill_9_after_n_answers_the_journal_holds_exactly_those(postgres: PostgresServer, tmp_path: Any) -> None:
    database = postgres.new_database(f"j_{uuid.uuid4().hex[:10]}")
    victim, witness = start_replicas(database, 2, tmp_path, "--journal")
    session = f"k-{uuid.uuid4().hex[:8]}"
    seen = []
    try:
        with httpx.Client(base_url=victim.url, timeout=60) as client:
            for n in range(40):
                body = {**MESSAGE_BODY, "stream": n % 4 == 0}  # streamed answers too: their last event
                response = client.post("/v1/messages", json=body, headers=api_headers(session))
                assert response.status_code == 200, response.text
                seen.append(response.headers["request-id"])
        victim.kill()
        with httpx.Client(base_url=witness.url, timeout=60) as client:
            journal = client.get("/_mock/journal", headers={"x-mock-session": session}).json()["requests"]
    finally:
        victim.kill()
        witness.stop()
    assert victim.process.returncode == -9
    assert sorted(entry["request_id"] for entry in journal) == sorted(seen)


def _traffic(calls: list[Callable[[], httpx.Response]], seconds: float) -> dict[str, list[tuple[float, Any]]]:
    """Each call, over and over from its own thread, for `seconds`: (latency, response) of each."""
    def loop(call: Callable[[], httpx.Response]) -> list[tuple[float, Any]]:
        results = []
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            results.append(timed(call))
        return results

    with ThreadPoolExecutor(len(calls)) as pool:
        futures = {call.__name__: pool.submit(loop, call) for call in calls}
        return {name: future.result() for name, future in futures.items()}


def _until_ok(call: Callable[[], httpx.Response], since: float) -> float:
    """Seconds from `since` until `call` answers 200 (polled every 20 ms)."""
    deadline = time.monotonic() + DEADLINE
    while call().status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.02)
    return time.perf_counter() - since
