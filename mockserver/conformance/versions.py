"""Which recorded requests are valid under another API version, decided by the spec, not by hand.

`--api-version V` replays an exchange under V when the request schema of its operation, in the
spec's view of V, accepts the body; or when the view of the version it was recorded under refuses
it too (then the version is not why, and the replay shows whatever difference there is). A body the
recorded version's view accepts and V's view refuses uses a field or block V does not have (for
example `temperature` or `output_format` under 2026-10-21): it is not valid under V, and the run
counts it as such instead of sending it.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ..config import Config
from ..spec import load_spec
from ..spec.loader import behaviour_version
from ..state import spec_views
from .exchange import RecordedExchange


class VersionRule:
    """The spec's per-version request schemas: the very validators the mocks of the run use."""

    def __init__(self) -> None:
        views = spec_views(load_spec(Config().spec_path))
        self._router, self._validators = views.router, views.validators

    def valid_under(self, exchange: RecordedExchange, version: str, recorded: str) -> bool:
        """False only when the recorded version's schema accepts the body and `version`'s refuses it."""
        body = _json_body(exchange)
        if body is None:
            return True  # no JSON body: nothing a version could refuse
        found = self._router.methods_for(exchange.path)
        operation = found[0].get(exchange.method) if found else None
        if operation is None:  # an unknown route: the replay shows the 404
            return True
        return self._accepts(operation.operation_id, version, body) \
            or not self._accepts(operation.operation_id, recorded, body)

    def _accepts(self, operation_id: str, version: str, body: Any) -> bool:
        key = behaviour_version(version, self._validators.versions)
        validator = self._validators.body(operation_id, key)
        if validator is None:
            return True
        body = copy.deepcopy(body)
        self._validators.drop_null_options(operation_id, key, body)
        return bool(validator.is_valid(body))


def _json_body(exchange: RecordedExchange) -> Any:
    if not exchange.request_body or "json" not in exchange.request_headers.get("content-type", "application/json"):
        return None
    try:
        return json.loads(exchange.request_body)
    except ValueError:
        return None
