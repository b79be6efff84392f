"""The PostgreSQL implementations answer as the SQLite ones do (in-process, on the test server)."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any, Iterator

import httpx
import psycopg
import pytest

from mockserver.app import create_app
from mockserver.config import Config
from mockserver.pg import connection
from mockserver.pg.rules import PgRuleState
from mockserver.pg.store import PgStore
from mockserver.resources.usage_ledger import record_message_usage
from mockserver.scenarios.state import SharedState
from mockserver.store import Store, UnknownCursor
from tests.helpers import MESSAGE_BODY, _SyncASGI, asgi_client, assert_api_error, headers
from tests.replicas.postgres_server import PostgresServer


@pytest.fixture
def database(postgres: PostgresServer) -> str:
    return postgres.new_database(f"t_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def stores(database: str, tmp_path: Any) -> Iterator[tuple[Store, Store]]:
    sqlite, pg = Store(":memory:", tmp_path / "blobs", seed=3), PgStore(database, seed=3)
    yield sqlite, pg
    sqlite.close()
    pg.close()


def exercise_documents(store: Store) -> list[Any]:
    """Writes, filters (strings, booleans, numbers, null), counts and pages in both directions."""
    for n in range(7):
        store.insert("widget", {"n": n, "even": n % 2 == 0, "tag": None if n == 3 else f"t{n % 3}"}, prefix="wdg_")
    ids = [doc["id"] for doc in store.all("widget")]
    store.update("widget", ids[1], lambda doc: doc.update(tag="changed"))
    store.delete("widget", ids[4])
    seen = [
        ids,
        store.all("widget", where={"even": [True]}),
        store.all("widget", where={"tag": [None, "t0"]}),
        store.all("widget", where={"n": [2, 5]}),
        store.count("widget", where={"tag": []}),
        store.count("widget"),
        store.page("widget", limit=2).items,
        store.page("widget", limit=2, after_id=ids[4]).items,  # paging on from a deleted object
        store.page("widget", limit=2, before_id=ids[2]).items,
        store.get("widget", ids[1]),
        store.get("widget", ids[4]),
        store.once("seed", lambda: None), store.once("seed", lambda: None),
    ]
    with pytest.raises(UnknownCursor):
        store.page("widget", after_id="wdg_missing")
    return seen


def exercise_batches_and_usage(store: Store) -> list[Any]:
    batch = store.create_batch({"state": "new"}, [("a", {"x": 1}), ("b", {"x": 2}), ("c", {"x": 3})])
    pending = store.pending_batch_requests(batch["id"], 2)
    written = store.save_batch_outcomes(batch["id"], [(0, "succeeded", b'{"a":1}'), (0, "errored", b"x")])
    for minute in (0, 60, 600):
        record_message_usage(store, model="m", usage={"input_tokens": 10, "output_tokens": 5}, at=1_800_000_000 + minute,
                             api_key="sk-ant-api03-usage-key-for-tests")
    totals = store.usage_totals(start=1_800_000_000, end=1_800_003_600, width=300, group_by=["model"])
    return [batch, pending, written, store.batch_outcome_counts(batch["id"]),
            [(idx, bytes(line) if line else None) for idx, line in store.batch_result_lines(batch["id"], -1, 10)],
            totals]


def test_documents_filters_and_pages_match_sqlite(stores: tuple[Store, Store]) -> None:
    sqlite, pg = stores
    assert exercise_documents(pg) == exercise_documents(sqlite)


def test_batches_and_the_usage_ledger_match_sqlite(stores: tuple[Store, Store]) -> None:
    sqlite, pg = stores
    assert exercise_batches_and_usage(pg) == exercise_batches_and_usage(sqlite)


def test_blobs_live_in_the_database(stores: tuple[Store, Store], database: str) -> None:
    _, pg = stores
    payload = bytes(range(256)) * 5000  # more than one chunk
    with pg.new_blob() as blob:
        blob.write(payload)
    other = PgStore(database)  # another replica: no local copy of the bytes

    async def read() -> bytes:
        return b"".join([chunk async for chunk in other.blob_chunks(blob.name)])

    try:
        assert asyncio.run(read()) == payload
        other.delete_blob(blob.name)
        assert asyncio.run(read()) == b""
    finally:
        other.close()


def test_rule_state_matches_sqlite_and_tells_other_replicas(database: str) -> None:
    sqlite, first, second = SharedState(None), PgRuleState(database), PgRuleState(database)
    try:
        for state in (sqlite, first):
            assert state.put_rules("s", [{"id": "r"}, {}]) == [(1, "r"), (2, "rule-2")]
            with state.transaction():
                state.save_counter("s", "r", 3, 2)
                state.move_scenario("s", "flow", "Paid")
        assert first.runtime_rules() == sqlite.runtime_rules()
        assert first.scenarios(None) == sqlite.scenarios(None) == [{"session": "s", "name": "flow", "state": "Paid"}]
        assert second.counter("s", "r") == (3, 2)
        for _ in range(3):
            second.changed()
            first.set_flag("journal", 1)  # returns once every live replica acknowledged the change
            assert second.changed() and second.flag("journal") == 1
    finally:
        for state in (sqlite, first, second):
            state.close()


def test_enforced_rate_limit_buckets_are_shared_by_replicas(database: str) -> None:
    config = Config(store=database, rate_limits=("requests=4,window=600s",))
    replicas = [asgi_client(config), asgi_client(config)]
    statuses = []
    for n in range(8):
        response = replicas[n % 2].post("/v1/messages", json=MESSAGE_BODY, headers=headers())
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert_api_error(response, 429, "rate_limit_error")
    assert statuses == [200] * 4 + [429] * 4


def test_a_client_id_with_a_nul_byte_is_not_found_as_on_sqlite(database: str) -> None:
    client = asgi_client(Config(store=database))
    response = client.get("/v1/messages/batches/msgbatch_a%00b", headers=headers())
    assert_api_error(response, 404, "not_found_error")


def test_an_unreachable_database_answers_in_the_envelope(database: str) -> None:
    app = create_app(Config(store=database))
    client = httpx.Client(transport=_SyncASGI(app), base_url="http://mock.test")
    assert client.post("/v1/messages/batches", headers=headers(),
                       json={"requests": [{"custom_id": "a", "params": MESSAGE_BODY}]}).status_code == 200
    app.state.store._db._pool.close()  # as if the server had gone: no connection to be had
    response = client.post("/v1/messages/batches", headers=headers(),
                           json={"requests": [{"custom_id": "a", "params": MESSAGE_BODY}]})
    body = assert_api_error(response, 503, "api_error")
    assert "store is unavailable" in body["error"]["message"]
    assert response.headers["retry-after"] == "1"
    app.close()


def test_migrations_run_once_in_order_when_replicas_start(database: str) -> None:
    steps = [("add-note", "ALTER TABLE things ADD COLUMN note TEXT"),
             ("fill-note", "UPDATE things SET note = 'n' || id")]
    schema = "CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY)"
    first = connection.PgConnection(database, "mock_test", 9, schema)
    first.execute("INSERT INTO things VALUES (?)", (1,))
    upgraded = [connection.PgConnection(database, "mock_test", 9, schema, migrations=steps) for _ in range(2)]
    assert upgraded[1].execute("SELECT id, note FROM things").fetchall() == [(1, "n1")]  # in order, once
    assert sorted(name for (name,) in first.execute("SELECT name FROM migrations")) == ["add-note", "fill-note"]
    for db in (first, *upgraded):
        db.close()


def test_a_replica_whose_change_channel_is_down_checks_the_database_on_every_request(database: str) -> None:
    writer, reader = PgRuleState(database), PgRuleState(database)
    admin = connection.PgConnection(database, "public", 8, "")
    try:
        reader.changed()
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?",
                      (f"mockserver-listener {reader._changes.me}",))
        deadline = time.monotonic() + 10
        while reader._changes._live and time.monotonic() < deadline:  # noticed within a poll interval
            time.sleep(0.01)
        assert reader.changed() and reader.changed()  # no listener: every check goes to the database
        writer.put_rules("s", [{"id": "late"}])
        assert [rule_id for _, _, rule_id, _ in reader.runtime_rules()] == ["late"]
        while not reader._changes._live and time.monotonic() < deadline:  # reconnects by itself
            time.sleep(0.01)
        reader.changed()
        assert not reader.changed()
    finally:
        for closable in (writer, reader, admin):
            closable.close()


def test_failed_statements_give_their_connection_back(database: str) -> None:
    db = connection.PgConnection(database, "mock_test", 9, "CREATE TABLE IF NOT EXISTS things (id INTEGER)")
    try:
        for _ in range(5):  # more than the pool holds
            with pytest.raises(psycopg.errors.UndefinedTable):
                db.execute("SELECT * FROM missing")
        assert db.execute("SELECT count(*) FROM things").fetchone() == (0,)
    finally:
        db.close()


def test_state_shows_the_shared_rate_limit_buckets(database: str) -> None:
    client = asgi_client(Config(store=database, rate_limits=("requests=4,window=600s",)))
    assert client.post("/v1/messages", json=MESSAGE_BODY, headers=headers()).status_code == 200
    response = client.get("/_mock/state")
    assert response.status_code == 200, response.text
    limits = response.json()["rate_limits"]
    assert limits["enforced"] is True
    [bucket] = limits["buckets"]
    assert bucket["model"] == MESSAGE_BODY["model"]
    assert bucket["remaining"]["requests"] == 3


def test_control_request_ids_differ_between_replicas(database: str) -> None:
    replicas = [asgi_client(Config(store=database)), asgi_client(Config(store=database))]
    control = [[r.get("/_mock/health").headers["request-id"] for _ in range(3)] for r in replicas]
    api = [[r.get("/v1/models", headers=headers()).headers["request-id"] for _ in range(3)] for r in replicas]
    for ids in (control, api):
        assert len(set(ids[0] + ids[1])) == 6


@pytest.mark.parametrize("nth, answers", [(frozenset(), 7), (frozenset({3, 5, 9, 40}), None), (frozenset({2, 4}), 1)])
def test_concurrent_matches_count_as_one_by_one_on_sqlite(database: str, nth: frozenset[int],
                                                          answers: int | None) -> None:
    async def matches(state: Any) -> list[tuple[int, bool]]:
        return await asyncio.gather(*(state.advance_counter("s", "r", nth, answers) for _ in range(30)))

    sqlite, pg = SharedState(None), PgRuleState(database)
    try:
        expected = asyncio.run(matches(sqlite))
        assert asyncio.run(matches(pg)) == expected  # in arrival order, though batched
        assert pg.counter("s", "r") == sqlite.counter("s", "r") == (30, sum(now for _, now in expected))
    finally:
        sqlite.close()
        pg.close()
