"""The mock's own API under /_mock (spec: openapi/control.yaml): rules, scenario states, the
request journal, verification and reset.

Who may call is decided by http/guard.py (loopback names and clients, or a bearer token; no
foreign Origin; JSON or YAML bodies). Bodies are capped (`--control-body-bytes`) and parsed by
scenarios/documents.py (bounded YAML, plain JSON values). Any call but health turns the journal
on (unless it was switched off explicitly), so reading it later finds the requests made in between.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from . import __version__
from .backends import store_ready
from .http.capture import response_view
from .db import StoreUnavailable, is_postgres
from .http.errors import ApiError, unavailable
from .http.json_body import dumps
from .http.guard import BODY_TYPES, REQUEST_ID_KEY, ControlGuard
from .http.request_ids import RequestIds, worker_salt
from .journal import entry_filter, redact_expected
from .scenarios.controls import Controls
from .scenarios.documents import DocumentError, load_json, load_yaml, shorten
from .scenarios.matching import SESSION_HEADER, Seen, compile_match
from .scenarios.rules import Rule, RuleError, check_schema, parse_rule, rule_items
from .resources.webhooks import outbox_of
from .served import served_state
from .control_routes import spec_routes
from .ui import ASSET_PATHS, ui_routes

if TYPE_CHECKING:
    from .state import AppState

HEALTH_PATHS = frozenset({"/_mock/health", "/_mock/health/live", "/_mock/health/ready"})  # for probes: no token
_YAML_TYPES = BODY_TYPES - {"application/json"}
_PARSE_INLINE_BYTES = 64 * 1024
MAX_JOURNAL_PAGE = 1000  # entries in one journal read


def control_app(state: AppState, controls: Controls) -> Any:
    api = _ControlApi(state, controls)
    routes = [*spec_routes({  # paths and methods: openapi/control.yaml
        "control_health": api.health, "control_health_live": api.live, "control_health_ready": api.ready,
        "control_rules_list": api.list_rules, "control_rules_add": api.add_rules,
        "control_rules_clear": api.clear_rules, "control_rules_get": api.get_rule,
        "control_rules_delete": api.delete_rule, "control_reset": api.reset, "control_journal_list": api.journal,
        "control_journal_configure": api.configure_journal, "control_journal_clear": api.clear_journal,
        "control_verify": api.verify, "control_scenarios_list": api.scenarios,
        "control_scenarios_set": api.set_scenario, "control_state": api.served,
        "control_webhooks_send": api.send_webhook, "control_webhooks_deliveries": api.webhook_deliveries,
    }), *ui_routes()]
    handlers = {ApiError: _error_response, HTTPException: _routing_error,
                StoreUnavailable: _store_unavailable, Exception: _bug_response}
    app = Starlette(routes=routes, exception_handlers=handlers)  # type: ignore[arg-type]
    config = state.config
    app.state.body_limit = config.control_body_bytes
    ids = RequestIds(config.seed, f"control:{worker_salt(config.workers, is_postgres(config.store))}")
    return ControlGuard(app, token=config.control_token, host=config.host, ids=ids, open_paths=HEALTH_PATHS,
                        token_free_paths=ASSET_PATHS)  # the inspector's page asks for the token itself


class _ControlApi:
    def __init__(self, state: AppState, controls: Controls) -> None:
        self.state = state
        self.controls = controls
        self._begin = controls.begin

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok", "version": __version__, "stateless": self.state.config.stateless,
                      "operations": len(self.state.operations), "workers": self.state.config.workers,
                      "pid": os.getpid()})

    async def live(self, request: Request) -> Response:
        return _json({"status": "ok"})

    async def ready(self, request: Request) -> Response:
        """Answered from what this process already knows: never waits on the database."""
        if not store_ready(self.state.config):
            raise unavailable("not ready: the shared state store (PostgreSQL) is unreachable")
        return _json({"status": "ready", "store": "postgresql" if is_postgres(self.state.config.store) else "sqlite"})

    # -- rules -------------------------------------------------------------------------------

    async def list_rules(self, request: Request) -> Response:
        self._begin()
        return _json({"rules": [rule.view() for rule in self.controls.rules(_session(request))]})

    async def add_rules(self, request: Request) -> Response:
        self._begin()
        document, session = await _document(request), _session(request)
        def add() -> bytes:  # parse once, store, and list back: thousands of rules or steps run off the loop
            added = self.controls.add_rules(_parse_new_rules(document, session))
            return dumps({"rules": [rule.view() for rule in added]})

        big = request.state.body_bytes > _PARSE_INLINE_BYTES
        body = await self.state.offload.run(add) if big else add()
        return Response(body, status_code=201, media_type="application/json")

    async def clear_rules(self, request: Request) -> Response:
        self._begin()
        return _json({"deleted": self.controls.clear_rules(_session(request))})

    async def get_rule(self, request: Request) -> Response:
        self._begin()
        return _json(self._rule(request).view())

    async def delete_rule(self, request: Request) -> Response:
        self._begin()
        rule = self._rule(request)
        if rule.source != "api":
            raise ApiError("conflict_error", f"rule {rule.id} comes from {rule.source[5:]}: edit the file")
        self.controls.delete_rule(rule)
        return _json({"deleted": 1})

    def _rule(self, request: Request) -> Any:
        rule_id = request.path_params["rule_id"]
        rule = self.controls.find_rule(rule_id, _session(request))
        if rule is None:
            raise ApiError("not_found_error", f"no rule {rule_id!r}")
        return rule

    # -- reset, journal, verification, scenarios ---------------------------------------------

    async def reset(self, request: Request) -> Response:
        self._begin()
        options = await _document(request) or {}
        if not isinstance(options, dict):
            raise ApiError("invalid_request_error", "reset takes a JSON object")
        _check(options, "Reset")
        session = options.get("session", _session(request))
        done = {"rules": options.get("rules", True), "state": options.get("state", True),
                "journal": options.get("journal", True), "rate_limits": options.get("rate_limits", session is None)}
        self.controls.reset(session, **done)
        return _json({**done, **({"session": session} if session is not None else {})})

    async def journal(self, request: Request) -> Response:
        self._begin()
        query = request.query_params
        matches = entry_filter(query.get("operation"), query.get("method"), query.get("path"),
                               _int(query.get("status")), query.get("rule"))
        limit, before = _journal_limit(query.get("limit")), _int(query.get("before"))
        found, more = await self.controls.journal_page(_session(request), _int(query.get("since")) or 0, before,
                                                       matches, limit)
        found = [{**e, "response": response_view(e.get("response"))} for e in found]
        page = {"enabled": self.controls.journal_on, "requests": found, "has_more": more,
                "next_before": min(e["seq"] for e in found) if more else None}
        return _json(page)

    async def configure_journal(self, request: Request) -> Response:
        document = await _document(request)
        if not isinstance(document, dict) or not isinstance(document.get("enabled"), bool):
            raise ApiError("invalid_request_error", 'send {"enabled": true|false}')
        return _json({"enabled": self.controls.set_journal(document["enabled"])})

    async def clear_journal(self, request: Request) -> Response:
        self._begin()
        return _json({"deleted": self.controls.clear_journal(_session(request))})

    async def verify(self, request: Request) -> Response:
        self._begin()
        spec = await _document(request) or {}
        _check(spec, "Verification")
        try:
            match = compile_match(redact_expected(spec.get("match")))
        except Exception as error:  # a regex or a JSON path that does not compile
            raise ApiError("invalid_request_error", f"match: {error}") from None
        session = spec.get("session", _session(request))
        count = 0
        for entry in await self.controls.journal_entries(session):
            if spec.get("rule") is not None and entry["rule"] != spec["rule"]:
                continue
            if spec.get("status") is not None and entry["status"] != spec["status"]:
                continue
            seen = Seen(entry["operation"] or "", entry["method"], entry["path"], entry["headers"], entry["body"])
            count += match.matches(seen)
        return _json({"count": count, "ok": _expected(count, spec)})

    async def scenarios(self, request: Request) -> Response:
        self._begin()
        return _json({"scenarios": self.controls.scenarios(_session(request))})

    async def set_scenario(self, request: Request) -> Response:
        self._begin()
        document = await _document(request)
        if not isinstance(document, dict) or not isinstance(document.get("state"), str):
            raise ApiError("invalid_request_error", 'send {"state": "..."}')
        session = _session(request) or ""
        name = request.path_params["name"]
        self.controls.set_scenario(session, name, document["state"])
        return _json({"name": name, "session": session, "state": document["state"]})

    async def send_webhook(self, request: Request) -> Response:
        document = await _document(request)
        if not isinstance(document, dict) or not isinstance(document.get("type"), str) or \
                not isinstance(document.get("data", {}), dict):
            raise ApiError("invalid_request_error", "body: an object with a string `type` (and optional `id`, `data`)")
        event = outbox_of(self.state).emit(document["type"], str(document.get("id") or ""), document.get("data"))
        return _json(event)

    async def webhook_deliveries(self, request: Request) -> Response:
        return _json({"data": list(outbox_of(self.state).journal)})

    async def served(self, request: Request) -> Response:
        self._begin()
        return _json(served_state(self.state, self.controls, _session(request)))


# -- helpers -------------------------------------------------------------------------------------

def _parse_new_rules(document: Any, session: str | None) -> list[tuple[str | None, Rule]]:
    """Each rule of an added document with its owning session, parsed (and so checked) once."""
    try:
        specs = rule_items(document, source="api")
    except RuleError as error:
        raise ApiError("invalid_request_error", str(error)) from None
    if not all(isinstance(spec, dict) for spec in specs):
        raise ApiError("invalid_request_error", "every rule is an object")
    parsed = []
    for index, spec in enumerate(specs):
        owner = spec.get("session", session)
        try:
            parsed.append((owner, parse_rule(spec, source="api", order=0, default_id=f"new-{index + 1}",
                                             session=owner)))
        except RuleError as error:
            raise ApiError("invalid_request_error", str(error)) from None
    return parsed


def _session(request: Request) -> str | None:
    return request.headers.get(SESSION_HEADER) or request.query_params.get("session") or None


async def _document(request: Request) -> Any:
    raw = await _read_capped(request, request.app.state.body_limit)
    request.state.body_bytes = len(raw)
    if not raw.strip():
        return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    load = load_yaml if content_type in _YAML_TYPES else load_json
    try:
        if len(raw) <= _PARSE_INLINE_BYTES:
            return load(raw)
        return await run_in_threadpool(load, raw)  # a big document must not hold up other clients
    except DocumentError as error:
        raise ApiError("invalid_request_error", str(error)) from None


async def _read_capped(request: Request, limit: int) -> bytes:
    """The body, or 413 as soon as it is known to be larger than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> ApiError:
    return ApiError("request_too_large", f"control API bodies are limited to {limit} bytes "
                                                  "(--control-body-bytes)")


def _check(document: Any, schema: str) -> None:
    try:
        check_schema(document, schema, where=schema.lower())
    except RuleError as error:
        raise ApiError("invalid_request_error", str(error).removeprefix("rule ")) from None


def _expected(count: int, spec: dict[str, Any]) -> bool:
    if spec.get("count") is not None and count != spec["count"]:
        return False
    if spec.get("at_least") is not None and count < spec["at_least"]:
        return False
    return not (spec.get("at_most") is not None and count > spec["at_most"])


def _journal_limit(value: str | None) -> int:
    """A page of the journal holds at most MAX_JOURNAL_PAGE entries (the default): older ones are
    read page by page with `before`, so no read serialises the whole journal at once."""
    if not value:
        return MAX_JOURNAL_PAGE
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_JOURNAL_PAGE:
        raise ApiError("invalid_request_error", f"limit: {shorten(value, 40)!r} is not an integer from 1 to "
                       f"{MAX_JOURNAL_PAGE}; read older entries page by page with `before`")
    return limit


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ApiError("invalid_request_error", f"not a number: {value!r}") from None


def _json(body: Any, status: int = 200) -> Response:
    return Response(dumps(body), status_code=status, media_type="application/json")


async def _error_response(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    return _error_json(request, error)


async def _store_unavailable(request: Request, error: Exception) -> Response:
    """The shared database is away (replicas on PostgreSQL): say so, in the control API's envelope."""
    return _error_json(request, unavailable(f"shared state store unavailable: {error}"))


async def _routing_error(request: Request, error: Exception) -> Response:
    """No such route (404) or method (405), in the envelope too."""
    assert isinstance(error, HTTPException)
    error_type = "not_found_error" if error.status_code == 404 else "invalid_request_error"
    message = f"{request.method} {request.url.path}: {error.detail}"
    return _error_json(request, ApiError(error_type, message, status=error.status_code, headers=error.headers))


async def _bug_response(request: Request, error: Exception) -> Response:
    """A bug of ours still answers in the envelope (the guard logs it)."""
    return _error_json(request, ApiError("api_error"))


def _error_json(request: Request, error: ApiError) -> Response:
    envelope = error.envelope(request.scope.get(REQUEST_ID_KEY, ""))
    envelope["error"]["message"] = shorten(error.message)
    body = orjson.dumps(envelope)
    return Response(body, status_code=error.status, headers=error.headers, media_type="application/json")
