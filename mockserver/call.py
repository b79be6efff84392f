"""One admitted API call, as a handler sees it: parsed, authenticated, validated. Past the gate,
nothing reads the ASGI scope: the call carries what later steps need (method, path, query)."""

from __future__ import annotations

import _random
import random
import time
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from starlette.datastructures import FormData

    from .state import AppState
    from .spec import Operation


_SECOND_CRC_START = 0x9E3779B9
# Body fields that shape delivery, billing or cut the output, never the reply itself (Messages,
# legacy and OpenAI-compatible completions).
_NOT_SEEDED = frozenset({"stream", "max_tokens", "stop_sequences", "max_tokens_to_sample", "max_completion_tokens",
                         "stop", "stream_options", "metadata", "service_tier", "inference_geo", "speed"})


_new_random = random.Random.__new__
_seed_random = _random.Random.seed


def seeded_random(seed: int) -> random.Random:
    """`random.Random(seed)` (the same draws) without its Python-level __init__ and seed wrappers:
    one is made per request, and seeding the Mersenne Twister is most of a request's rng cost."""
    rng = _new_random(random.Random)
    _seed_random(rng, seed)
    rng.gauss_next = None
    return rng


@dataclass(slots=True)
class Call:
    method: str
    path: str
    query_string: str  # as sent (the journal and the recorder keep it); `query` holds it parsed
    operation: Operation
    path_params: dict[str, str]
    query: dict[str, Any]
    headers: dict[str, str]  # lower-case names
    body: Any  # parsed JSON, or None (multipart bodies are read with `form()`)
    raw_body: bytes
    version: str  # the behaviour version chosen from the anthropic-version header
    betas: tuple[str, ...]
    api_key: str
    request_id: str
    base_url: str  # scheme://host[:port] as the client addressed us
    state: AppState
    received_at: float = field(default_factory=time.time)
    _form_reader: Any = None

    @property
    def operation_id(self) -> str:
        return self.operation.operation_id

    def has_beta(self, name: str) -> bool:
        return name in self.betas

    @property
    def shape_beta(self) -> str | None:
        """The beta, if any, whose response shape this call must be answered in."""
        return next((b for b in self.operation.shape_betas if b in self.betas), None)

    def rng(self) -> random.Random:
        """The request's one source of randomness: same seed and same request, same draws."""
        params = repr(sorted(self.path_params.items())) if self.path_params else ""
        key = f"{self.state.config.seed}\0{self.operation.operation_id}\0{params}\0".encode() + self._canonical_body()
        # Two CRCs make a 64-bit seed: a fraction of a cryptographic hash's cost, and a seed needs no more.
        return seeded_random(zlib.crc32(key) << 32 | zlib.crc32(key, _SECOND_CRC_START))

    def _canonical_body(self) -> bytes:
        """The body without `stream` and the output limits, with sorted keys: streamed and plain
        replies agree, and max_tokens or a stop sequence cut the same reply instead of drawing another."""
        body = self.body
        if not isinstance(body, dict):
            return self.raw_body
        if not _NOT_SEEDED.isdisjoint(body):
            body = {k: v for k, v in body.items() if k not in _NOT_SEEDED}
        return orjson.dumps(body, option=orjson.OPT_SORT_KEYS)

    async def form(self) -> FormData:
        """The multipart form; file parts are spooled to disk, never held whole in memory."""
        return await self._form_reader()


@dataclass(slots=True)
class Exchange:
    """One API request on its way through the pipeline (pipeline.py): what arrived, the headers
    every reply carries, and, once the gate admitted it, the operation and the call."""

    request_id: str
    method: str
    path: str
    raw_query: bytes  # decoded only if the journal needs it
    raw_headers: list[tuple[bytes, bytes]]  # as received; `call.headers` once admitted
    base: list[tuple[bytes, bytes]]  # response headers: request-id, CORS, organization, rate limits
    operation: Operation | None = None
    call: Call | None = None
