"""create_app(config): wires the spec, the gate, the handlers and the control API into one ASGI app."""

from __future__ import annotations

import inspect
from typing import Any

from .config import Config
from .control import control_app
from .backends import open_behaviour_stores, postgres_url
from .examples import example_reply
from .fuzz.profiles import Simplify, profile
from .fuzz.sources import SeededSource
from .http.render import send_reply
from .http.replies import JsonReply
from .http.request_ids import RequestIds, worker_salt
from .pipeline import BoundHandler, Pipeline, ReplySource
from .platforms import PREFIXES as PLATFORM_PREFIXES, Platforms
from .resources import all_handlers
from .scenarios.behaviour import Behaviour
from .scenarios.controls import Controls
from .state import AppState, build_state
from .steady import HEALTH_PATH as STEADY_HEALTH, steady_health

__all__ = ["AppState", "MockApp", "create_app"]


class MockApp:
    """The ASGI application. API requests take the plain-ASGI pipeline; /_mock/* goes to Starlette."""

    def __init__(self, config: Config) -> None:
        self.state = build_state(config)
        # Replicas, like workers, must never hand out the same request id.
        self._ids = RequestIds(config.seed, worker_salt(config.workers, postgres_url(config) is not None))
        handlers = self._bind_handlers()
        behaviour = Behaviour(self.state, open_behaviour_stores(config))  # rules, faults, rate limits, journal
        self.behaviour = behaviour
        self._control = control_app(self.state, Controls(behaviour))
        self._pipeline = Pipeline(self.state, handlers, behaviour, _recorder(config, behaviour), self._ids)
        self._platforms = Platforms(self._pipeline)  # Bedrock, Vertex AI, Foundry...: codecs around the pipeline
        if config.fuzz_seed is not None:
            self.set_reply_source(SeededSource(config.fuzz_seed, profile(config.fuzz_profile),
                                               Simplify.parse(config.fuzz_simplify)))
        self._steady_health = JsonReply(steady_health(self.state.spec))

    def new_request_id(self) -> str:
        """For answers written below ASGI (the connection guard's 431/408)."""
        return self._ids.next()

    @property
    def reply_source(self) -> ReplySource | None:
        return self._pipeline.source

    def set_reply_source(self, source: ReplySource | None) -> None:
        """Who answers in the script step (None: the handlers); see mockserver/fuzz/sources.py."""
        self._pipeline.source = source

    def _bind_handlers(self) -> dict[str, BoundHandler]:
        config = self.state.config
        own = {} if config.stateless else all_handlers(self.state)
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
            elif not (path.startswith(PLATFORM_PREFIXES) and await self._platforms(scope, receive, send)):
                await self._pipeline(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pipeline.recorder is not None:
                    await self._pipeline.recorder.close()
                # Resources stay open: a server may run the app's lifespan again (schemathesis does).
                await send({"type": "lifespan.shutdown.complete"})
                return

    def close(self) -> None:
        """Release the store, journal and other resources; the app answers nothing after this."""
        self.state.close()


def _recorder(config: Config, behaviour: Behaviour) -> Any:
    if config.cassettes is None:
        return None
    from .recording.recorder import Recorder  # only servers that record or replay load it

    return Recorder(config, behaviour)


def create_app(config: Config | None = None) -> MockApp:
    return MockApp(config or Config())
