"""Fixtures for the stateful resources: in-process apps (no socket), each test with a fresh store.

Building an app compiles the spec's validators, so apps are shared per Config for the session and
only the store behind them is replaced for every client.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import httpx
import pytest

from mockserver.app import MockApp, create_app
from mockserver.config import Config
from mockserver.resources.admin_seed import seed_store
from mockserver.store import Store

from ..helpers import ADMIN_KEY, _SyncASGI, headers

SKILL_MD = b"---\nname: greeter\ndescription: Says hello politely.\n---\n\n# Greeter\nSay hello.\n"


@pytest.fixture(scope="session")
def apps() -> Iterator[dict[Config, MockApp]]:
    built: dict[Config, MockApp] = {}
    yield built
    for app in built.values():
        app.close()


@pytest.fixture
def make_client(apps) -> Iterator[Callable[..., httpx.Client]]:
    """A client on an app with a fresh store; keyword arguments override Config fields."""
    made: list[httpx.Client] = []

    def make(**overrides: Any) -> httpx.Client:
        config = Config(**{"batch_seconds": 0, **overrides})
        app = apps.get(config) or apps.setdefault(config, create_app(config))
        fresh = Store.open(config)
        seed_store(fresh, config.organization_id)
        app.state.store = fresh
        made.append(httpx.Client(transport=_SyncASGI(app), base_url="http://mock.test"))
        return made[-1]

    yield make
    for client in made:
        close(client)


@pytest.fixture
def client(make_client) -> httpx.Client:
    return make_client()


@pytest.fixture
def api_headers() -> dict[str, str]:
    return headers()


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return headers(key=ADMIN_KEY)


def app_store(client: httpx.Client) -> Store:
    """The Store behind an in-process client."""
    return client._transport._transport.app.state.store


def close(client: httpx.Client) -> None:
    """Close the store behind a client, as the app's shutdown would."""
    app_store(client).close()
