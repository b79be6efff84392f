"""A request's way through the server, as named steps (DESIGN.md, "A request's way"):

    arrive  -> a request id, CORS headers, the Exchange that carries the request from here on
    admit   -> route (method, path) to an Operation; the gate checks auth, version, betas, size,
               JSON and schema, and hands back a Call (the last step that reads the ASGI scope)
    record  -> with --cassettes: replay, record or proxy (recording/recorder.py), else go on
    script  -> rules and x-mock-* headers, then --latency, --error-rate and rate-limit buckets
               (scenarios/behaviour.py), else run the handler for the operation
    render  -> every ApiError becomes a reply through the one error table (http/errors.py)
    send    -> the reply goes out (paced, faulted, delayed as scripted) and into the journal
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Awaitable, Callable, Protocol

from .call import Call, Exchange
from .db import StoreUnavailable
from .http.cors import allow_origin, preflight
from .http.errors import ApiError, error_reply, unavailable
from .http.gate import Gate, headers_of
from .http.render import send_reply
from .http.replies import Reply
from .http.request_ids import RequestIds

if TYPE_CHECKING:
    from .recording.recorder import Recorder
    from .scenarios.behaviour import Behaviour, Scripted
    from .state import AppState

log = logging.getLogger("mockserver")

Handler = Callable[[Call], "Reply | Awaitable[Reply]"]
BoundHandler = tuple[Handler, bool]  # (handler, is_async)


class ReplySource(Protocol):
    """Who answers a call in the script step: by default its handler; fuzzing swaps in a drawn reply
    (mockserver/fuzz/sources.py). Rules and x-mock-* headers still come first."""

    def handler(self, call: Call, usual: BoundHandler) -> BoundHandler: ...


class Pipeline:
    """Serves one API request (not /_mock): arrive -> admit -> record -> script -> render -> send."""

    def __init__(self, state: AppState, handlers: dict[str, BoundHandler], behaviour: Behaviour,
                 recorder: Recorder | None, ids: RequestIds) -> None:
        self.router = state.router
        self.gate = Gate(state)
        self.handlers = handlers
        self.behaviour = behaviour
        self.recorder = recorder
        self.ids = ids
        self.source: ReplySource | None = None  # None: every call goes to its handler
        self.org = (b"anthropic-organization-id", state.config.organization_id.encode())

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        exchange = self.arrive(scope)
        try:
            if exchange.method == "OPTIONS":
                await self.preflight(scope, exchange, send)
                return
            await self.admit(exchange, scope, receive)
            reply = await self.answer(exchange, receive)
        except ApiError as error:
            reply = error_reply(error, exchange.request_id, exchange.operation)
        except StoreUnavailable as error:
            reply = error_reply(store_unavailable(error), exchange.request_id, exchange.operation)
        except Exception:  # a bug of ours must still answer in the API's envelope
            log.exception("unhandled error in %s", exchange.operation.operation_id if exchange.operation
                          else exchange.path)
            reply = error_reply(ApiError("api_error"), exchange.request_id, exchange.operation)
        await self.behaviour.send(exchange, reply, receive, send)

    def arrive(self, scope: dict[str, Any]) -> Exchange:
        request_id = self.ids.next()
        base = [(b"request-id", request_id.encode())]
        base += allow_origin(scope)
        return Exchange(request_id, scope["method"], scope["path"], scope["query_string"], scope["headers"], base)

    async def admit(self, exchange: Exchange, scope: dict[str, Any], receive: Any) -> None:
        operation, params = self.router.match(exchange.method, exchange.path)
        exchange.operation = operation
        exchange.call = await self.gate.admit(operation, params, scope, receive, headers_of(exchange.raw_headers),
                                              exchange.request_id)

    async def answer(self, exchange: Exchange, receive: Any) -> Reply | Scripted:
        call: Call = exchange.call  # type: ignore[assignment]  # admitted
        handler = self.handlers[call.operation.operation_id]
        if self.source is not None:
            handler = self.source.handler(call, handler)
        if self.recorder is None:
            exchange.base.append(self.org)
            return await self.behaviour.answer(call, handler)
        # record and replay: the recorder writes the headers itself
        return await self.recorder.answer(call, receive, exchange.base, lambda: self.behaviour.answer(call, handler))

    async def preflight(self, scope: dict[str, Any], exchange: Exchange, send: Any) -> None:
        found = self.router.methods_for(exchange.path)
        if found is None:
            raise ApiError("not_found_error", "Not found")
        await send_reply(send, preflight(scope, list(found[0])), exchange.base)


def store_unavailable(error: StoreUnavailable) -> ApiError:
    return unavailable(f"The mock's shared state store is unavailable ({error}); retry shortly.")
