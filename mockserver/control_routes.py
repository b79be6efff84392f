"""The control API's routes, built from openapi/control.yaml: the spec names every path and method,
the code only pairs each operationId with its handler."""

from __future__ import annotations

import functools
import re
from typing import Any, Callable, Mapping

from starlette.routing import Route

from .scenarios.rules import CONTROL_SPEC
from .spec import load_spec

Endpoint = Callable[..., Any]
UI_PREFIX = "/_mock/ui"  # the inspector page and its assets: routes of their own (mockserver/ui)
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@functools.lru_cache(maxsize=1)
def control_operations() -> tuple[tuple[str, str, str], ...]:
    """(operationId, method, path) of every control operation, in the spec's order."""
    spec = load_spec(CONTROL_SPEC)
    return tuple((operation["operationId"], method, path)
                 for path, item in spec["paths"].items()
                 for method, operation in item.items() if method in HTTP_METHODS)


def spec_routes(endpoints: Mapping[str, Endpoint]) -> list[Route]:
    """A route per control operation outside the UI; the spec and `endpoints` must name the same ones."""
    served = {op_id for op_id, _, path in control_operations() if not path.startswith(UI_PREFIX)}
    if served != set(endpoints):
        raise RuntimeError(f"control routes and openapi/control.yaml disagree: "
                           f"{sorted(served.symmetric_difference(endpoints))}")
    return [Route(_starlette_path(path), endpoints[op_id], methods=[method.upper()])
            for op_id, method, path in control_operations() if op_id in served]


def _starlette_path(path: str) -> str:
    """`{rule_id}` -> `{rule_id:path}`: ids and names may hold slashes."""
    return re.sub(r"{(\w+)}", r"{\1:path}", path)
