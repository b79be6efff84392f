"""What the contract tests share: the mock's settings, an in-process schema, and how many examples."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings

from mockserver import contract
from mockserver.app import create_app
from mockserver.config import Config

MOCK_CONFIG = Config(batch_seconds=0, seed=7)
# Generated requests per operation and generation mode; CI runs the default, CONTRACT_EXAMPLES=200 explores.
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "15"))


def in_process_schema(config: Config = MOCK_CONFIG) -> Any:
    """The spec bound to a fresh mock app, called over ASGI (no socket)."""
    return contract.load_schema(app=without_lifespan(create_app(config)))


def without_lifespan(app: Any) -> Any:
    """schemathesis's pytest plugin ends an app's lifespan after every test and starts it again for the
    next; MockApp closes its store at shutdown for good, so the app serves HTTP only, as one long life."""

    async def serve(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await app(scope, receive, send)

    serve.mock_app = app  # type: ignore[attr-defined]
    return serve


CHECKS = contract.contract_checks()


@cache
def shared_schema() -> Any:
    """One in-process mock per test process for the per-operation tests."""
    return in_process_schema()


def operations() -> list[Any]:
    return [result.ok() for result in shared_schema().get_all_operations()]


def conforms(strategy: Any, examples: int) -> None:
    """Every case `strategy` draws passes every check; hypothesis shrinks a failing one."""

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS)

    check()
