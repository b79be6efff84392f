"""One PostgreSQL server per test process (see postgres_server.py) and three mock replicas on it."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.replicas.fleet import Fleet, start_replicas
from tests.replicas.postgres_server import PostgresServer, PostgresUnavailable


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.create()
    except PostgresUnavailable as error:
        pytest.fail(f"the replica tests need a PostgreSQL server: {error}", pytrace=False)
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def fleet(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    replicas = start_replicas(postgres.url, 3, tmp_path_factory.mktemp("replicas"), "--batch-seconds", "1")
    fleet = Fleet(replicas)
    yield fleet
    fleet.close()
