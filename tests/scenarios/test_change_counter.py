"""Several workers stay on the cheap idle path until one of them loads a rule or turns the
journal on; the others see the change on their very next request (two in-process servers on
one data dir stand in for two worker processes)."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from mockserver.config import Config
from mockserver.scenarios.changes import ChangeCounter
from mockserver.server import MockServer

from ..helpers import KEY, MESSAGE_BODY, headers


@pytest.fixture
def two_workers(tmp_path) -> Iterator[tuple[MockServer, MockServer]]:
    with MockServer(Config(workers=2, data_dir=tmp_path)) as a, MockServer(Config(workers=2, data_dir=tmp_path)) as b:
        yield a, b


def ask(server: MockServer, key: str | None = KEY) -> httpx.Response:
    return httpx.post(f"{server.base_url}/v1/messages", json=MESSAGE_BODY, headers=headers(key=key))


def test_counter_is_shared_through_its_file(tmp_path):
    first, second = ChangeCounter(tmp_path / "c"), ChangeCounter(tmp_path / "c")
    first.publish(41)
    assert second.read() == 41
    first.close()
    second.close()


def test_workers_idle_until_a_rule_or_the_journal_changes(two_workers):
    a, b = two_workers
    assert ask(b).status_code == 200 and b.app.behaviour.idle
    httpx.post(f"{a.base_url}/_mock/rules", json={"match": {"operation": "messages_create"},
                                                  "respond": {"error": "overloaded_error"}})
    assert ask(b).status_code == 529
    assert not b.app.behaviour.idle
    httpx.delete(f"{a.base_url}/_mock/rules")
    assert ask(b).status_code == 200
    assert not b.app.behaviour.idle  # the control API turned the journal on
    httpx.put(f"{a.base_url}/_mock/journal", json={"enabled": False})
    assert ask(b).status_code == 200 and b.app.behaviour.idle


def test_a_refused_request_sees_the_journal_turned_on(two_workers):
    a, b = two_workers
    assert ask(b).status_code == 200 and not b.app.behaviour.journal.on
    httpx.put(f"{a.base_url}/_mock/journal", json={"enabled": True})
    assert ask(b, key=None).status_code == 401
    statuses = [entry["status"] for entry in httpx.get(f"{a.base_url}/_mock/journal").json()["requests"]]
    assert statuses == [401]
