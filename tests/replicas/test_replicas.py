"""Three mock replicas on one PostgreSQL database, requests spread round-robin across them.

Every loop is bounded; the database restart runs last (it disturbs every connection)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Awaitable, Callable

import httpx

from tests.helpers import MESSAGE_BODY
from tests.replicas.fleet import Fleet, api_headers, is_envelope, start_replicas
from tests.replicas.postgres_server import PostgresServer

DEADLINE = 60.0  # seconds any wait-until loop may take before the test fails


def new_session() -> str:
    return f"s-{uuid.uuid4().hex[:12]}"


def add_rules(client: httpx.Client, session: str, *rules: dict[str, Any]) -> None:
    response = client.post("/_mock/rules", json={"rules": list(rules)}, headers={"x-mock-session": session})
    assert response.status_code in (200, 201), response.text


def text_of(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    return response.json()["content"][0]["text"]


async def spread(fleet: Fleet, count: int, send: Callable[[httpx.AsyncClient, int], Awaitable[httpx.Response]],
                 limit: int = 50) -> list[httpx.Response | Exception]:
    """`count` requests at once (at most `limit` in flight), round-robin over the replicas."""
    clients = [httpx.AsyncClient(base_url=r.url, timeout=60) for r in fleet.replicas]
    gate = asyncio.Semaphore(limit)

    async def one(index: int) -> httpx.Response | Exception:
        async with gate:
            try:
                return await send(clients[index % len(clients)], index)
            except httpx.HTTPError as error:
                return error

    try:
        return await asyncio.gather(*(one(i) for i in range(count)))
    finally:
        for client in clients:
            await client.aclose()


def test_a_sequence_is_served_in_exact_order_across_replicas(fleet: Fleet) -> None:
    session = new_session()
    steps = [f"step {n}" for n in range(1, 7)]
    add_rules(fleet.clients[0], session, {"match": {"operation": "messages_create"},
                                          "sequence": [{"text": step} for step in steps]})
    served = [text_of(fleet.next().post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session)))
              for _ in range(len(steps) + 2)]
    assert served == [*steps, steps[-1], steps[-1]]  # then: repeat_last


def test_times_5_answers_exactly_5_times_fleet_wide_under_200_parallel_requests(fleet: Fleet) -> None:
    session = new_session()
    add_rules(fleet.clients[1], session, {"match": {"operation": "messages_create"}, "times": 5,
                                          "respond": {"error": "overloaded_error"}})

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))

    responses = asyncio.run(spread(fleet, 200, send))
    statuses = [r.status_code for r in responses if isinstance(r, httpx.Response)]
    assert len(statuses) == 200, [r for r in responses if not isinstance(r, httpx.Response)][:3]
    assert statuses.count(529) == 5
    assert statuses.count(200) == 195


def test_a_batch_created_on_one_replica_is_polled_to_the_end_on_another(fleet: Fleet) -> None:
    session = new_session()
    requests = [{"custom_id": f"r{n}", "params": MESSAGE_BODY} for n in range(4)]
    created = fleet.clients[0].post("/v1/messages/batches", json={"requests": requests}, headers=api_headers(session))
    assert created.status_code == 200, created.text
    batch_id = created.json()["id"]
    deadline = time.monotonic() + DEADLINE
    while True:
        polled = fleet.clients[1].get(f"/v1/messages/batches/{batch_id}", headers=api_headers(session))
        assert polled.status_code == 200, polled.text
        if polled.json()["processing_status"] == "ended" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert polled.json()["processing_status"] == "ended"
    assert polled.json()["request_counts"]["succeeded"] == 4
    results = fleet.clients[2].get(f"/v1/messages/batches/{batch_id}/results", headers=api_headers(session))
    assert results.status_code == 200, results.text
    assert sorted(line.split('"custom_id":"')[1][:2] for line in results.text.splitlines()) == ["r0", "r1", "r2", "r3"]


def test_the_journal_and_verify_count_every_replicas_requests(fleet: Fleet) -> None:
    session = new_session()
    for client in fleet.clients:  # any control call turns the journal on, fleet-wide
        assert client.get("/_mock/journal", headers={"x-mock-session": session}).status_code == 200
    for _ in range(12):
        assert fleet.next().post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session)).status_code == 200
    journal = fleet.clients[1].get("/_mock/journal", headers={"x-mock-session": session}).json()
    entries = [e for e in journal["requests"] if e["path"] == "/v1/messages"]
    assert len(entries) == 12
    assert len({e["worker"] for e in entries}) == 3  # one pid per replica
    verified = fleet.clients[2].post("/_mock/verify", headers={"x-mock-session": session},
                                     json={"match": {"operation": "messages_create"}, "count": 12})
    assert verified.status_code == 200, verified.text
    assert verified.json()["count"] == 12 and verified.json()["ok"] is True


def test_a_rule_added_on_replica_1_applies_on_replica_3_at_the_next_request(fleet: Fleet) -> None:
    session = new_session()
    for round_ in range(5):
        add_rules(fleet.clients[0], session, {"id": "greeting", "match": {"operation": "messages_create"},
                                              "respond": {"text": f"version {round_}"}})
        reply = fleet.clients[2].post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))
        assert text_of(reply) == f"version {round_}"
    assert fleet.clients[0].delete("/_mock/rules/greeting", headers={"x-mock-session": session}).status_code == 200
    reply = fleet.clients[2].post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))
    assert not text_of(reply).startswith("version ")


def test_kill_9_during_500_parallel_creates_loses_nothing_that_got_a_200(
        fleet: Fleet, postgres: PostgresServer, tmp_path: Any) -> None:
    victim = start_replicas(postgres.url, 1, tmp_path)[0]
    session = new_session()
    members = Fleet([fleet.replicas[0], fleet.replicas[1], victim])
    answered: list[int] = []

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        if len(answered) >= 150 and victim.process.poll() is None:
            victim.kill()  # mid-run: requests to it are in flight or about to be sent
        body = {"requests": [{"custom_id": f"c{index}", "params": MESSAGE_BODY}]}
        response = await client.post("/v1/messages/batches", json=body, headers=api_headers(session))
        answered.append(index)
        return response

    try:
        responses = asyncio.run(spread(members, 500, send, limit=40))
    finally:
        victim.kill()
        for client in members.clients:  # the fleet's replicas stay up for the next tests
            client.close()
    created = [r.json()["id"] for r in responses if isinstance(r, httpx.Response) and r.status_code == 200]
    assert victim.process.returncode == -9
    assert 300 <= len(created) < 500  # the survivors answered theirs; some of the victim's were lost in flight
    assert len(set(created)) == len(created)  # ids never collide
    for response in responses:
        if isinstance(response, httpx.Response) and response.status_code != 200:
            assert is_envelope(response), response.text
    survivors = fleet.clients[:2]
    missing = [batch_id for n, batch_id in enumerate(created)
               if survivors[n % 2].get(f"/v1/messages/batches/{batch_id}",
                                       headers=api_headers(session)).status_code != 200]
    assert missing == []


def test_the_database_restarted_mid_run_replicas_recover_and_report(fleet: Fleet, postgres: PostgresServer) -> None:
    session = new_session()
    add_rules(fleet.clients[0], session, {"match": {"operation": "messages_create"}, "times": 1000,
                                          "respond": {"text": "counted"}})
    seen: list[httpx.Response] = []

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        if index == 30:
            await asyncio.to_thread(postgres.stop)  # fast shutdown: every connection is cut
            await asyncio.to_thread(postgres.start)
        response = await client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))
        seen.append(response)
        return response

    responses = asyncio.run(spread(fleet, 90, send, limit=6))
    assert all(isinstance(r, httpx.Response) for r in responses), [r for r in responses if isinstance(r, Exception)]
    for response in seen:
        assert response.status_code == 200 or is_envelope(response), (response.status_code, response.text)
    # Recovered: every replica is ready again (it answered 503 meanwhile), answers from the shared
    # state, and a new rule reaches all of them.
    deadline = time.monotonic() + DEADLINE
    for client in fleet.clients:
        while client.get("/_mock/health/ready").status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.05)
    add_rules(fleet.clients[1], session, {"id": "after", "match": {"operation": "messages_create"},
                                          "priority": 1, "respond": {"text": "after the restart"}})
    for client in fleet.clients:
        assert text_of(client.post("/v1/messages", json=MESSAGE_BODY, headers=api_headers(session))) \
            == "after the restart"
    logs = "".join(replica.output() for replica in fleet.replicas)
    assert "database connection lost" in logs or "lost the rule-change channel" in logs
