"""create_app(config): wires the spec, the gate, the handlers and the control API into one ASGI app."""

from __future__ import annotations

import functools
import inspect
import logging
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable

from .call import Call
from .config import Config
from .control import control_app
from .examples import example_reply
from .fuzz import fuzz_reply
from .http.cors import allow_origin, preflight
from .http.errors import ApiError
from .http.gate import Gate, request_headers
from .http.render import send_reply
from .http.replies import JsonReply, Reply
from .http.request_ids import RequestIds, worker_salt
from .resources import all_handlers
from .scenarios.behaviour import Behaviour
from .spec import Operation, Router, load_spec
from .spec.operations import index_operations
from .spec.validation import Validators
from .steady import HEALTH_PATH as STEADY_HEALTH, steady_health

log = logging.getLogger("mockserver")

Handler = Callable[[Call], "Reply | Awaitable[Reply]"]


@dataclass(slots=True)
class AppState:
    """Everything built once at start-up and shared by all requests of one worker."""

    config: Config
    spec: dict[str, Any]
    operations: list[Operation]
    router: Router
    validators: Validators
    known_betas: frozenset[str]
    extras: dict[str, Any] = field(default_factory=dict)  # per-family services (store, catalog, ...)


def build_state(config: Config) -> AppState:
    spec = load_spec(config.spec_path)
    operations = index_operations(spec)
    return AppState(
        config=config,
        spec=spec,
        operations=operations,
        router=Router(operations),
        validators=Validators(spec, operations),
        known_betas=frozenset(spec.get("x-mock-known-betas", ())),
    )


def error_reply(error: ApiError, request_id: str, operation: Operation | None = None) -> Reply:
    if operation is not None and operation.error_style == "openai":
        body: Any = {"error": {"type": error.error_type, "message": error.message, "param": None,
                               "code": None}}
    else:
        body = error.body(request_id)
    return JsonReply(body, status=error.status, headers=error.headers)


class MockApp:
    """The ASGI application. API requests take a plain-ASGI path; /_mock/* goes to Starlette."""

    def __init__(self, config: Config) -> None:
        self.state = build_state(config)
        self._gate = Gate(self.state)
        self._ids = RequestIds(config.seed, worker_salt(config.workers))
        self._org = config.organization_id.encode()
        self._handlers = self._bind_handlers()
        self._behaviour = Behaviour(self.state)  # rules, faults, rate limits, journal
        self._control = control_app(self.state)
        self._recorder = _recorder(config, self._behaviour)
        self._steady_health = JsonReply(steady_health(self.state.spec))

    def new_request_id(self) -> str:
        """For answers written below ASGI (the connection guard's 431/408)."""
        return self._ids.next()

    def _bind_handlers(self) -> dict[str, tuple[Handler, bool]]:
        config = self.state.config
        own = {} if config.stateless else all_handlers(self.state)
        if config.fuzz_seed is not None:
            own["messages_create"] = functools.partial(fuzz_reply, seed=config.fuzz_seed)
        bound = {}
        for op in self.state.operations:
            handler = own.get(op.operation_id, example_reply)
            bound[op.operation_id] = (handler, inspect.iscoroutinefunction(handler))
        return bound

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        kind = scope["type"]
        if kind == "http":
            path = scope["path"]
            if path.startswith("/_mock"):
                await self._control(scope, receive, send)
            elif path == STEADY_HEALTH:  # SDK scripts wait on Steady's route before they run their suites
                await send_reply(send, self._steady_health, [])
            else:
                await self._serve(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _serve(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        request_id = self._ids.next()
        base = [(b"request-id", request_id.encode())]
        base += allow_origin(scope)
        operation = call = None
        try:
            if scope["method"] == "OPTIONS":
                await self._preflight(scope, send, base)
                return
            operation, params = self.state.router.match(scope["method"], scope["path"])
            headers = request_headers(scope)
            call = await self._gate.admit(operation, params, scope, receive, headers, request_id)
            handler = self._handlers[operation.operation_id]
            if self._recorder is None:
                base.append((b"anthropic-organization-id", self._org))
                reply = await self._behaviour.answer(call, handler, scope)
            else:  # record and replay: the recorder writes the headers itself
                reply = await self._recorder.answer(call, scope, receive, base,
                                                    lambda: self._behaviour.answer(call, handler, scope))
        except ApiError as error:
            reply = error_reply(error, request_id, operation)
        except Exception:  # a bug of ours must still answer in the API's envelope
            log.exception("unhandled error in %s", operation.operation_id if operation else scope["path"])
            reply = error_reply(ApiError("api_error", "Internal server error"), request_id, operation)
        await self._behaviour.send(scope, receive, send, reply, base, request_id, operation, call)

    async def _preflight(self, scope: dict[str, Any], send: Any, base: list[tuple[bytes, bytes]]) -> None:
        found = self.state.router.methods_for(scope["path"])
        if found is None:
            raise ApiError("not_found_error", "Not found")
        await send_reply(send, preflight(scope, list(found[0])), base)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._recorder is not None:
                    await self._recorder.close()
                # Resources stay open: a server may run the app's lifespan again (schemathesis does).
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        """Release the store, journal and other resources; the app answers nothing after this."""
        closers = self.state.extras.pop("closers", [])
        for closer in closers:
            closer()


def _recorder(config: Config, behaviour: Behaviour) -> Any:
    if config.cassettes is None:
        return None
    from .recording.recorder import Recorder  # only servers that record or replay load it

    return Recorder(config, behaviour)


def create_app(config: Config | None = None) -> MockApp:
    return MockApp(config or Config())
