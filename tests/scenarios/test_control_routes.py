"""The control API's routes come from openapi/control.yaml; code and spec must name the same operations."""

from __future__ import annotations

import pytest

from mockserver.control_routes import UI_PREFIX, control_operations, spec_routes


def _endpoint(*_: object) -> None:
    return None


def test_every_control_operation_outside_the_ui_gets_its_route() -> None:
    served = [(op_id, method, path) for op_id, method, path in control_operations() if not path.startswith(UI_PREFIX)]
    routes = spec_routes({op_id: _endpoint for op_id, _, _ in served})
    assert [(r.path, sorted(r.methods or ())) for r in routes] == [
        (path.replace("}", ":path}"), sorted({method.upper(), *(["HEAD"] if method == "get" else [])}))
        for _, method, path in served]


def test_a_handler_the_spec_does_not_know_or_a_missing_one_stops_start_up() -> None:
    names = {op_id for op_id, _, path in control_operations() if not path.startswith(UI_PREFIX)}
    with pytest.raises(RuntimeError, match="control_health"):
        spec_routes({name: _endpoint for name in names - {"control_health"}})
    with pytest.raises(RuntimeError, match="control_teapot"):
        spec_routes({**{name: _endpoint for name in names}, "control_teapot": _endpoint})
