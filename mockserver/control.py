"""The mock's own API under /_mock (spec: openapi/control.yaml): rules, scenario states, the
request journal, verification and reset.

Loopback clients only, unless `--control-token` is set: then every call but health needs
`Authorization: Bearer TOKEN`. Any call but health turns the journal on (unless it was
switched off explicitly), so reading it later finds the requests made in between.
"""

from __future__ import annotations

import hmac
import os
from typing import TYPE_CHECKING, Any

import orjson
import yaml
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import __version__
from .http.capture import response_view
from .db import StoreUnavailable
from .journal import entry_filter, newest
from .scenarios.matching import SESSION_HEADER, Seen, compile_match
from .scenarios.rules import RuleError, check_schema, parse_rule, rule_items
from .served import served_state
from .ui import ASSET_PATHS, ui_routes

if TYPE_CHECKING:
    from .app import AppState
    from .scenarios import Behaviour

_LOOPBACK = ("127.", "::1", "::ffff:127.")
_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


class ControlError(Exception):
    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


def control_app(state: AppState) -> Any:
    behaviour: Behaviour = state.extras["behaviour"]
    api = _ControlApi(state, behaviour)
    routes = [
        Route("/_mock/health", api.health, methods=["GET"]),
        Route("/_mock/rules", api.list_rules, methods=["GET"]),
        Route("/_mock/rules", api.add_rules, methods=["POST"]),
        Route("/_mock/rules", api.clear_rules, methods=["DELETE"]),
        Route("/_mock/rules/{rule_id:path}", api.get_rule, methods=["GET"]),
        Route("/_mock/rules/{rule_id:path}", api.delete_rule, methods=["DELETE"]),
        Route("/_mock/reset", api.reset, methods=["POST"]),
        Route("/_mock/journal", api.journal, methods=["GET"]),
        Route("/_mock/journal", api.configure_journal, methods=["PUT"]),
        Route("/_mock/journal", api.clear_journal, methods=["DELETE"]),
        Route("/_mock/verify", api.verify, methods=["POST"]),
        Route("/_mock/scenarios", api.scenarios, methods=["GET"]),
        Route("/_mock/scenarios/{name:path}", api.set_scenario, methods=["PUT"]),
        Route("/_mock/state", api.served, methods=["GET"]),
        *ui_routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={ControlError: _error_response,
                                                       StoreUnavailable: _store_unavailable})
    return _Guard(app, state.config.control_token)


class _Guard:
    """Loopback-only, or a bearer token when one is configured; health is always open.
    Browsers may call only from the mock's own origin (the inspector page), so another site's
    page cannot drive the API through a visitor's browser. The inspector's static assets load
    without the token (they hold no data; the page asks for the token)."""

    def __init__(self, app: Any, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] != "/_mock/health":
            refusal = self._refusal(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: dict[str, Any]) -> Response | None:
        if _foreign_origin(scope):
            return _json({"type": "error", "error": {"type": "permission_error", "message":
                          "control API: requests from another origin are refused"}}, 403)
        if self.token is not None:
            if scope["path"] in ASSET_PATHS:
                return None
            headers = dict(scope["headers"])
            scheme, _, given = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), self.token):
                return None
            return _json({"type": "error", "error": {"type": "authentication_error",
                          "message": "control API: send Authorization: Bearer <control token>"}}, 401)
        client = scope.get("client")
        if client is None or str(client[0]).startswith(_LOOPBACK) or client[0] in ("localhost", "testclient"):
            return None
        return _json({"type": "error", "error": {"type": "permission_error", "message":
                      "control API: loopback clients only; start the server with --control-token to allow others"}},
                     403)


def _foreign_origin(scope: dict[str, Any]) -> bool:
    """A browser request whose page is not served by this host (`Origin` differs from `Host`)."""
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    if origin is None:
        return False
    host = headers.get(b"host", b"")
    return origin not in (b"http://" + host, b"https://" + host)


class _ControlApi:
    def __init__(self, state: AppState, behaviour: Behaviour) -> None:
        self.state = state
        self.b = behaviour

    def _begin(self) -> None:
        """Catch up with other workers; the first use of the control API turns the journal on."""
        self.b.sync()
        if not self.b.journal.on and self.b.shared.flag("journal", -1) == -1:
            self.b.shared.set_flag("journal", 1)
            self.b.sync()

    async def health(self, request: Request) -> Response:
        return _json({"status": "ok", "version": __version__, "stateless": self.state.config.stateless,
                      "operations": len(self.state.operations), "workers": self.state.config.workers,
                      "pid": os.getpid()})

    # -- rules -------------------------------------------------------------------------------

    async def list_rules(self, request: Request) -> Response:
        self._begin()
        session = _session(request)
        rules = self.b.book.for_session(session) if session is not None else self.b.book.ordered
        return _json({"rules": [rule.view() for rule in rules]})

    async def add_rules(self, request: Request) -> Response:
        self._begin()
        try:
            specs = rule_items(await _document(request), source="api")
        except RuleError as error:
            raise ControlError(400, "invalid_request_error", str(error)) from None
        if not all(isinstance(spec, dict) for spec in specs):
            raise ControlError(400, "invalid_request_error", "every rule is an object")
        session = _session(request)
        stored = []
        for index, spec in enumerate(specs):
            owner = spec.get("session", session)
            try:
                parse_rule(spec, source="api", order=0, default_id=f"new-{index + 1}", session=owner)
            except RuleError as error:
                raise ControlError(400, "invalid_request_error", str(error)) from None
            stored.append((owner, spec))
        ids = [(owner, self.b.shared.put_rules(owner or "", [spec])[0][1]) for owner, spec in stored]
        self.b.sync()
        views = [rule.view() for owner, rule_id in ids if (rule := self.b.book.find(rule_id, owner))]
        return _json({"rules": views}, 201)

    async def clear_rules(self, request: Request) -> Response:
        self._begin()
        session = _session(request)
        deleted = self.b.shared.clear_rules(session)
        self.b.sync()
        return _json({"deleted": deleted})

    async def get_rule(self, request: Request) -> Response:
        self._begin()
        return _json(self._rule(request).view())

    async def delete_rule(self, request: Request) -> Response:
        self._begin()
        rule = self._rule(request)
        if rule.source != "api":
            raise ControlError(409, "conflict_error", f"rule {rule.id} comes from {rule.source[5:]}: edit the file")
        self.b.shared.delete_rule(rule.session or "", rule.id)
        self.b.sync()
        return _json({"deleted": 1})

    def _rule(self, request: Request) -> Any:
        rule_id = request.path_params["rule_id"]
        rule = self.b.book.find(rule_id, _session(request))
        if rule is None:
            raise ControlError(404, "not_found_error", f"no rule {rule_id!r}")
        return rule

    # -- reset, journal, verification, scenarios ---------------------------------------------

    async def reset(self, request: Request) -> Response:
        self._begin()
        options = await _document(request) or {}
        if not isinstance(options, dict):
            raise ControlError(400, "invalid_request_error", "reset takes a JSON object")
        _check(options, "Reset")
        session = options.get("session", _session(request))
        done = {"rules": options.get("rules", True), "state": options.get("state", True),
                "journal": options.get("journal", True), "rate_limits": options.get("rate_limits", session is None)}
        if done["rules"]:
            self.b.shared.clear_rules(session)
        if done["state"]:
            self.b.shared.reset_state(session)
        if done["journal"]:
            self.b.journal.clear(session)
        if done["rate_limits"] and self.b.limiter is not None:
            self.b.limiter.reset()
        self.b.sync()
        return _json({**done, **({"session": session} if session is not None else {})})

    async def journal(self, request: Request) -> Response:
        self._begin()
        query = request.query_params
        matches = entry_filter(query.get("operation"), query.get("method"), query.get("path"),
                               _int(query.get("status")), query.get("rule"))
        entries = await self.b.journal.entries(_session(request), _int(query.get("since")) or 0)
        found = newest((e for e in entries if matches(e)), _int(query.get("limit")))
        found = [{**e, "response": response_view(e.get("response"))} for e in found]
        return _json({"enabled": self.b.journal.on, "requests": found})

    async def configure_journal(self, request: Request) -> Response:
        document = await _document(request)
        if not isinstance(document, dict) or not isinstance(document.get("enabled"), bool):
            raise ControlError(400, "invalid_request_error", 'send {"enabled": true|false}')
        self.b.shared.set_flag("journal", int(document["enabled"]))
        self.b.sync()
        return _json({"enabled": self.b.journal.on})

    async def clear_journal(self, request: Request) -> Response:
        self._begin()
        return _json({"deleted": self.b.journal.clear(_session(request))})

    async def verify(self, request: Request) -> Response:
        self._begin()
        spec = await _document(request) or {}
        _check(spec, "Verification")
        try:
            match = compile_match(spec.get("match"))
        except Exception as error:  # a regex or a JSON path that does not compile
            raise ControlError(400, "invalid_request_error", f"match: {error}") from None
        session = spec.get("session", _session(request))
        count = 0
        for entry in await self.b.journal.entries(session):
            if spec.get("rule") is not None and entry["rule"] != spec["rule"]:
                continue
            if spec.get("status") is not None and entry["status"] != spec["status"]:
                continue
            seen = Seen(entry["operation"] or "", entry["method"], entry["path"], entry["headers"], entry["body"])
            count += match.matches(seen)
        return _json({"count": count, "ok": _expected(count, spec)})

    async def scenarios(self, request: Request) -> Response:
        self._begin()
        return _json({"scenarios": self.b.shared.scenarios(_session(request))})

    async def set_scenario(self, request: Request) -> Response:
        self._begin()
        document = await _document(request)
        if not isinstance(document, dict) or not isinstance(document.get("state"), str):
            raise ControlError(400, "invalid_request_error", 'send {"state": "..."}')
        session = _session(request) or ""
        name = request.path_params["name"]
        self.b.shared.set_scenario(session, name, document["state"])
        return _json({"name": name, "session": session, "state": document["state"]})

    async def served(self, request: Request) -> Response:
        self._begin()
        return _json(served_state(self.state, self.b, _session(request)))


# -- helpers -------------------------------------------------------------------------------------

def _session(request: Request) -> str | None:
    return request.headers.get(SESSION_HEADER) or request.query_params.get("session") or None


async def _document(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        return yaml.safe_load(raw) if content_type in _YAML_TYPES else orjson.loads(raw)
    except (yaml.YAMLError, orjson.JSONDecodeError) as error:
        raise ControlError(400, "invalid_request_error", f"cannot parse the body: {error}") from None


def _check(document: Any, schema: str) -> None:
    try:
        check_schema(document, schema, where=schema.lower())
    except RuleError as error:
        raise ControlError(400, "invalid_request_error", str(error).removeprefix("rule ")) from None


def _expected(count: int, spec: dict[str, Any]) -> bool:
    if spec.get("count") is not None and count != spec["count"]:
        return False
    if spec.get("at_least") is not None and count < spec["at_least"]:
        return False
    return not (spec.get("at_most") is not None and count > spec["at_most"])


def _int(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ControlError(400, "invalid_request_error", f"not a number: {value!r}") from None


def _json(body: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(body, default=str), status_code=status, media_type="application/json")


async def _error_response(request: Request, error: Exception) -> Response:
    assert isinstance(error, ControlError)
    return _json({"type": "error", "error": {"type": error.error_type, "message": error.message}}, error.status)


async def _store_unavailable(request: Request, error: Exception) -> Response:
    """The shared database is away (replicas on PostgreSQL): say so, in the control API's envelope."""
    return _json({"type": "error", "error": {"type": "api_error",
                                             "message": f"shared state store unavailable: {error}"}}, 503)
