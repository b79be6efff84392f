"""The record/replay step of a request's way: after the gate, before rules and the handler.

MockApp hands every admitted call here when --cassettes is set. The record mode decides, per
request, between replaying a recording, forwarding upstream (and keeping the exchange), and the
miss error (or, with --on-miss synthesize, the normal mock). Outcomes go to the journal through
Behaviour.send, marked in its `rule` field; a miss switches the journal on, so it is always there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from starlette.requests import Request

from ..http.errors import ApiError
from ..http.gate import read_body
from ..http.replies import BytesReply, JsonReply, Reply
from ..scenarios.behaviour import Scripted
from .cassette import CassetteError, Interaction, RecordedEvent, RecordedRequest, RecordedResponse
from .matching import Matcher
from .modes import Action, RecordMode, decide, resolve_mode
from .proxy import Exchange, Upstream
from .redaction import BodyRedactor, recorded_headers
from .replay import plan_for, replay_reply
from .tape import Tape

if TYPE_CHECKING:
    from ..call import Call
    from ..config import Config

RawHeaders = list[tuple[bytes, bytes]]
CASSETTE_HEADER = "x-mock-cassette"
MISS_STATUS = 599  # no API error uses it (MockServer's choice too)
MISS_TYPE = "mock_cassette_miss"
_NOT_RECORDING = (RecordMode.NONE, RecordMode.PASSTHROUGH)
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-/]*")


class Recorder:
    def __init__(self, config: Config, behaviour: Any) -> None:
        self.mode = resolve_mode(config.record_mode, config.proxy)
        self.folder = Path(config.cassettes)  # type: ignore[arg-type]
        self.default_name = config.cassette
        # a redacted path is stored as <redacted>: compare the sent request the same way
        self.matcher = Matcher(config.match_ignore, config.match_headers, redact=config.redact_paths)
        self.redact = BodyRedactor(config.redact_paths)
        self.upstream = Upstream(config.proxy, config.proxy_timeout) if config.proxy else None
        self.speed, self.keep_ids = config.replay_speed, config.keep_ids
        self.synthesize_on_miss = config.on_miss == "synthesize"
        self._config = config
        self._org = (b"anthropic-organization-id", config.organization_id.encode())
        self._tapes: dict[str, Tape] = {}
        self._journal = behaviour.journal
        self._open(self.default_name)  # a malformed cassette fails at start-up (CassetteError), not on a request

    def tape(self, name: str) -> Tape:
        """The cassette a request names; a bad file is a 400 naming it and its problem."""
        try:
            return self._open(name)
        except CassetteError as error:
            raise ApiError("invalid_request_error", f"cassette {error}") from None

    def _open(self, name: str) -> Tape:
        tape = self._tapes.get(name)
        if tape is None:
            if not _NAME.fullmatch(name) or ".." in name:
                raise ApiError("invalid_request_error", f"{CASSETTE_HEADER}: {name!r} is not a cassette name")
            path = self.folder / f"{name}.yaml"
            tape = Tape(path, self.matcher, self._config.normalize, fresh=self.mode is RecordMode.ALL,
                        upstream=self._config.proxy if self.mode not in _NOT_RECORDING else None)
            self._tapes[name] = tape
        return tape

    async def answer(self, call: Call, receive: Any, base: RawHeaders,
                     synthesize: Callable[[], Awaitable[Reply | Scripted]]) -> Reply | Scripted:
        tape = self.tape(call.headers.get(CASSETTE_HEADER) or self.default_name)
        request = await self._request(call, receive)
        key = self.matcher.key(request)
        hit = tape.has(key) and not (self.mode is RecordMode.NEW_EPISODES and tape.exhausted(key))
        action = decide(self.mode, hit, tape.existed)
        if action is Action.REPLAY:
            plan = plan_for(tape.find(key), tape.file.upstream)  # type: ignore[arg-type]
            return Scripted(replay_reply(plan, base, self.speed, self.keep_ids, call.base_url), rule="cassette_replay")
        if action is not Action.MISS:
            return await self._forward(call, request, base, tape if action is Action.RECORD else None)
        if not self.synthesize_on_miss:
            self._journal.on = True  # a miss is always journaled (replays: when the journal is on)
            return Scripted(self._miss(call, request, tape), rule=MISS_TYPE)
        base.append(self._org)
        if call.raw_body != request.body:  # a multipart body was read here: hand it over
            call._form_reader = _buffered_form(call, request.body)
        return await synthesize()

    async def _forward(self, call: Call, request: RecordedRequest, base: RawHeaders, tape: Tape | None) -> Scripted:
        """The upstream's answer, passed on as it arrives; kept in `tape` once complete (if given)."""
        upstream: Upstream = self.upstream  # type: ignore[assignment]
        keep = (lambda exchange: tape.add(self._recording(request, exchange, tape))) if tape else (lambda _: None)
        exchange = await upstream.forward(request.method, request.uri, call.headers, request.body, keep)
        upstream_id = next((v for k, v in exchange.headers if k == "request-id"), None)
        if upstream_id:
            base[0] = (b"request-id", upstream_id.encode("latin-1"))
        base += exchange.client_headers()
        body = exchange.body
        if isinstance(body, bytes):  # links to the upstream point here, so the client stays with us
            body = body.replace(upstream.base_url.encode(), call.base_url.encode())
        reply = BytesReply(body, exchange.content_type, exchange.status)
        return Scripted(reply, rule="cassette_record" if tape else "proxy")

    async def _request(self, call: Call, receive: Any) -> RecordedRequest:
        uri = call.path + ("?" + call.query_string if call.query_string else "")
        body = call.raw_body
        if call.operation.body_media_type == "multipart/form-data":
            body = await read_body(receive, call.headers, call.operation.max_body_bytes)
        return RecordedRequest(call.operation.operation_id, call.method, uri, call.headers, body)

    def _miss(self, call: Call, request: RecordedRequest, tape: Tape) -> Reply:
        where = self.matcher.explain_miss(request, tape.recorded)
        name = tape.file.path.relative_to(self.folder).as_posix()
        message = (f"No recording in cassette {name!r} matches {request.method} {request.uri} "
                   f"(record mode {self.mode.value}); {where}")
        error = ApiError(MISS_TYPE, message, status=MISS_STATUS)
        # the SDKs would retry a 5xx twice: a miss never heals on its own, so say so
        return JsonReply(error.body(call.request_id), status=MISS_STATUS, headers={"x-should-retry": "false"})

    def _recording(self, request: RecordedRequest, exchange: Exchange, tape: Tape) -> Interaction:
        """What goes into the file: secrets out, configured paths redacted, volatile values normalized."""
        normalize = tape.normalizer
        kept = RecordedRequest(request.operation, request.method, normalize.text(request.uri),
                               dict(recorded_headers(request.headers.items())),
                               normalize.raw(self.redact(request.body)))
        response = exchange.response()
        headers = [(k, normalize.text(v)) for k, v in recorded_headers(response.headers)]
        events = None
        if response.events is not None:
            events = [RecordedEvent(e.name, normalize.raw(self.redact(e.data.encode())).decode(), e.delay)
                      for e in response.events]
        body = b"".join(e.encoded() for e in events) if events is not None else normalize.raw(self.redact(response.body))
        return Interaction(kept, RecordedResponse(response.status, headers, body, events))

    async def close(self) -> None:
        if self.upstream is not None:
            await self.upstream.close()


def _buffered_form(call: Call, body: bytes) -> Callable[[], Awaitable[Any]]:
    scope = {"type": "http", "method": call.method, "path": call.path,  # what Starlette's form parser reads
             "headers": [(name.encode("latin-1"), value.encode("latin-1")) for name, value in call.headers.items()]}
    limit = call.operation.max_body_bytes

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def read_form() -> Any:
        try:
            return await Request(scope, receive).form(max_files=10_000, max_fields=10_000, max_part_size=limit)
        except Exception as error:  # malformed multipart
            raise ApiError("invalid_request_error", f"Invalid multipart/form-data body: {error}") from None

    return read_form
