"""The server under test, as a schemathesis schema: the spec bound to an ASGI app or a base URL,
every request carrying the key its operation needs."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import DEFAULT_SPEC
from .spec import is_admin

DEFAULT_API_KEY = "sk-ant-api03-contract-suite"
DEFAULT_ADMIN_KEY = "sk-ant-admin01-contract-suite"


@dataclass(frozen=True, slots=True)
class Keys:
    api_key: str = DEFAULT_API_KEY
    admin_key: str = DEFAULT_ADMIN_KEY

    def for_operation(self, operation: Any) -> str:
        return self.admin_key if is_admin(operation) else self.api_key


def load_schema(spec_path: Path | str = DEFAULT_SPEC, *, app: Any = None, base_url: str | None = None,
                keys: Keys = Keys()) -> Any:
    """The spec as a schemathesis schema bound to a server (an ASGI app, or a base URL) and our keys."""
    import schemathesis

    from ..spec import load_spec

    schema = schemathesis.openapi.from_dict(copy.deepcopy(load_spec(spec_path)))  # parsed once per process
    if app is not None:
        schema.app = app
    if base_url is not None:
        schema.config.update(base_url=base_url.rstrip("/"))
    schema.config.max_stream_events = 1_000_000  # streams are checked whole, never cut short
    use_keys(schema, keys)
    return schema


def use_keys(schema: Any, keys: Keys) -> None:
    """Authenticate every generated request with the key its operation needs (admin or not)."""

    @schema.auth(refresh_interval=None)
    class _Keys:
        def get(self, case: Any, context: Any) -> str:
            return keys.for_operation(case.operation)

        def set(self, case: Any, data: str, context: Any) -> None:
            kept = {k: v for k, v in (case.headers or {}).items() if k.lower() not in ("x-api-key", "authorization")}
            case.headers = {**kept, "x-api-key": data}
