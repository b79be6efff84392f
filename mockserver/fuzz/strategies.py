"""Hypothesis strategies for fuzzing Anthropic API clients: Messages responses and their SSE streams.

    from hypothesis import given
    from mockserver.fuzz import strategies

    @given(strategies.fuzzed_streams())
    def test_my_client(stream):
        message = my_client.read(stream.chunks)        # bytes chunks, split anywhere
        assert message == stream.message               # what the chunks must accumulate to

Messages are valid against the spec's `Message` schema: every content block type, optional fields
present or absent, unicode, empty and long text, extreme usage numbers. With `future=True` they
also carry what the API's versioning policy lets it add without a new version: unknown content
block types, stop reasons, event types and fields. Streams follow the SSE grammar and vary the way
real transports do: chunks split inside UTF-8 characters and lines, LF, CRLF or CR line ends,
comments, pings, `id:` and `retry:` fields, spacing and escaping of the JSON.

Every value comes from one random source. Hypothesis hands the generators a shrinkable one
(`st.randoms()`); the server's fuzz mode (mockserver.fuzz.replies) a seeded `random.Random`, so a reply
replays byte for byte.
"""

from __future__ import annotations

import copy
import json
import random
import string
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..config import DEFAULT_SPEC
from ..engine import streaming
from .wire import Event, Wire, draw_wire, dump_json, encode_events, split_bytes
from ..spec import load_spec
from ..spec.refs import resolve_schema

if TYPE_CHECKING:  # hypothesis is needed by the strategies only; the fuzz mode runs without it
    from hypothesis.strategies import SearchStrategy

MAX_DEPTH = 4
LONG_TEXT = 20_000
COUNTS = (0, 1, 2, 7, 42, 1000, 65_535, 2**31 - 1, 2**53 - 1)  # usage numbers, extremes included
UNICODE = ("héllo", "日本語のテキスト", "👋🏽", "👨‍👩‍👧‍👦", "שלום עולם", "مرحبا", "e\u0301", "\u200b", "\u2028\u2029",
           "\U0001d11e", "Ω≈ç√∫", "\x00\x01\x1f", "\t", "\\", '"', "</script>", "\ufeff", "𝕏")
SSE_LOOKALIKES = ("\n\nevent: message_stop\ndata: {}\n\n", "data: [DONE]", "\r\n\r\n", ": comment", "event:")


# --- text and numbers ----------------------------------------------------------------------------

def draw_text(rng: random.Random) -> str:
    """Empty, plain, unicode, SSE look-alikes or long text."""
    kind = rng.choice(("empty", "words", "words", "unicode", "unicode", "lookalike", "long"))
    if kind == "empty":
        return ""
    if kind == "long":  # a drawn phrase repeated: long text is about length, and cheap to draw
        local = _bulk(rng)
        phrase = _words(local, 48) + " "
        return (phrase * (LONG_TEXT // len(phrase) + 1))[: local.randint(LONG_TEXT // 2, LONG_TEXT)]
    pieces = [_words(rng, rng.randint(1, 6))]
    pool = UNICODE if kind == "unicode" else SSE_LOOKALIKES
    for _ in range(rng.randint(1, 4)):
        pieces.append(rng.choice(pool))
        pieces.append(_words(rng, rng.randint(0, 3)))
    return " ".join(pieces)


VOCABULARY = ("the", "a", "weather", "is", "sunny", "in", "Paris", "tool", "result", "café", "42", "answer",
              "Hello", "world", "streaming", "delta", "token", "json", "{", "}", "quote\"", "naïve", "東京")


def _words(rng: random.Random, count: int) -> str:
    return " ".join(rng.choice(VOCABULARY) for _ in range(count))


def _bulk(rng: random.Random) -> random.Random:
    """A private source for bulk content: one draw from `rng`, so hypothesis stays within its budget."""
    return random.Random(rng.getrandbits(64))


def draw_token(rng: random.Random) -> str:
    local = _bulk(rng)
    return "".join(local.choices(ALPHANUMERIC, k=local.randint(8, 24)))


ALPHANUMERIC = string.ascii_letters + string.digits


def draw_count(rng: random.Random) -> int:
    return rng.choice(COUNTS) if rng.random() < 0.5 else rng.randint(0, 5000)


def draw_json(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value (tool inputs, free-form objects)."""
    kind = rng.choice(("str", "int", "float", "bool", "null", "list", "object") if depth < 3 else ("str", "int"))
    if kind == "str":
        return draw_text(rng) if rng.random() < 0.3 else _words(rng, rng.randint(0, 3))
    if kind == "int":
        return rng.choice((0, -1, 2**53 - 1, -(2**53) + 1, rng.randint(-1000, 1000)))
    if kind == "float":
        return rng.choice((0.5, -1e-300, 1.7976931348623157e308, rng.uniform(-1e6, 1e6)))
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [draw_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return draw_object(rng, depth + 1)


def draw_object(rng: random.Random, depth: int = 0) -> dict[str, Any]:
    keys = [rng.choice((_words(rng, 1), rng.choice(UNICODE), "", "type", "id")) for _ in range(rng.randint(0, 4))]
    return {key: draw_json(rng, depth + 1) for key in keys}


# --- instances of the spec's schemas -------------------------------------------------------------

@lru_cache(maxsize=1)
def _spec() -> dict[str, Any]:
    return load_spec(DEFAULT_SPEC)


def _schemas() -> dict[str, Any]:
    return _spec()["components"]["schemas"]


ID_PREFIXES = {"tool_use": "toolu_", "server_tool_use": "srvtoolu_", "mcp_tool_use": "mcptoolu_"}
TEXT_KEYS = frozenset({"text", "thinking", "content", "cited_text", "title", "message", "stdout", "stderr",
                       "encrypted_content", "signature", "data", "encrypted_index", "url"})


class _Instances:
    """Instances of response schemas: required fields always, optional ones at random, `future`
    unknown fields now and then (responses are open objects)."""

    def __init__(self, rng: random.Random, root: dict[str, Any], future: bool) -> None:
        self.rng, self.root, self.future = rng, root, future

    def of(self, schema: Any, depth: int = 0, key: str | None = None) -> Any:
        schema = self._resolve(schema)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if schema.get("enum"):
            return copy.deepcopy(self.rng.choice(schema["enum"]))
        branches = schema.get("anyOf") or schema.get("oneOf")
        if branches:
            return self.of(self._branch(branches, depth), depth, key)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = self.rng.choice(kind)
        return self._typed(kind, schema, depth, key)

    def _resolve(self, schema: Any) -> dict[str, Any]:
        return resolve_schema(self.root, schema)

    def _branch(self, branches: list[Any], depth: int) -> Any:
        if depth >= MAX_DEPTH:
            nulls = [b for b in branches if self._resolve(b).get("type") == "null"]
            if nulls:
                return nulls[0]
        return self.rng.choice(branches)

    def _typed(self, kind: Any, schema: dict[str, Any], depth: int, key: str | None) -> Any:
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            count = self.rng.randint(0, 3 if depth < MAX_DEPTH - 1 else 0)
            return [self.of(schema.get("items", {}), depth + 1, key) for _ in range(count)]
        if kind == "string":
            return self._string(schema, key)
        if kind == "integer":
            return draw_count(self.rng)
        if kind == "number":
            return self.rng.choice((0.0, 0.5, 1e-9, 12345.678))
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return draw_json(self.rng, depth)

    def _object(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        properties = schema.get("properties") or {}
        if not properties and schema.get("additionalProperties") is not False:
            return draw_object(self.rng, depth)
        required = set(schema.get("required", ()))
        value = {}
        for name, sub in properties.items():
            if name in required or (depth < MAX_DEPTH and self.rng.random() < 0.5):
                value[name] = self.of(sub, depth + 1, name)
        if self.future and self.rng.random() < 0.1 and schema.get("additionalProperties") is not False:
            value["future_" + self.rng.choice(("hint", "trace", "meta"))] = draw_json(self.rng, depth + 1)
        return value

    def _string(self, schema: dict[str, Any], key: str | None) -> str:
        if schema.get("format") == "date-time":
            return f"{self.rng.randint(1970, 2099):04d}-{self.rng.randint(1, 12):02d}-{self.rng.randint(1, 28):02d}" \
                   f"T{self.rng.randint(0, 23):02d}:{self.rng.randint(0, 59):02d}:00Z"
        if key in TEXT_KEYS:
            return draw_text(self.rng)
        return draw_token(self.rng)


def block_types() -> list[str]:
    """Every content block type the spec documents."""
    return sorted(_schemas()["ContentBlock"]["discriminator"]["mapping"])


def draw_block(rng: random.Random, kind: str | None = None, *, future: bool = False) -> dict[str, Any]:
    schemas = _schemas()
    mapping = schemas["ContentBlock"]["discriminator"]["mapping"]
    kind = kind or rng.choice(sorted(mapping))
    block = _Instances(rng, _spec(), future).of({"$ref": mapping[kind]})
    if kind in ID_PREFIXES:
        block["id"] = ID_PREFIXES[kind] + draw_token(rng)
        block["input"] = draw_object(rng)
    return block


def draw_future_block(rng: random.Random) -> dict[str, Any]:
    """A content block of a type this spec does not know yet (the versioning policy allows them)."""
    kind = rng.choice(("future_widget", "hologram_v2", "future_citation_map"))
    return {"type": kind, "id": draw_token(rng), "payload": draw_object(rng)}


def draw_message(rng: random.Random, *, future: bool = False, model: str | None = None,
                 blocks: list[str] | None = None, max_blocks: int = -1) -> dict[str, Any]:
    """A Message valid against the spec (with `future`, plus what later API releases may add)."""
    schemas = _schemas()
    message = _Instances(rng, _spec(), future).of(schemas["Message"])
    kinds = blocks if blocks is not None else [None] * rng.randint(0, 6)
    kinds = kinds[:max_blocks] if max_blocks >= 0 else kinds
    message["content"] = [draw_block(rng, kind, future=future) for kind in kinds]
    if future and rng.random() < 0.3:
        message["content"].insert(rng.randint(0, len(message["content"])), draw_future_block(rng))
    if future and rng.random() < 0.1:
        message["stop_reason"] = rng.choice(("future_pause", "future_limit"))
    message["id"] = "msg_" + draw_token(rng)
    if model is not None:
        message["model"] = model
    fallbacks = [b for b in message["content"] if b.get("type") == "fallback" and isinstance(b.get("to"), dict)]
    if fallbacks and isinstance(fallbacks[-1]["to"].get("model"), str):
        message["model"] = fallbacks[-1]["to"]["model"]  # the SDKs relabel the message after a fallback
    return message


# --- streams -------------------------------------------------------------------------------------

class RandomCuts(streaming.Cuts):
    """The server's derivation of events (engine.streaming) with random cuts: text and JSON split
    anywhere, usage split at random between message_start and message_delta, pings (and with
    `future`, unknown event types) anywhere after message_start."""

    def __init__(self, rng: random.Random, future: bool) -> None:
        self.rng, self.future = rng, future

    def text(self, text: str) -> list[str]:
        return split_text(text, self.rng)

    thinking = text

    def tool_input(self, arguments: dict[str, Any]) -> list[str]:
        return split_text(json.dumps(arguments, ensure_ascii=self.rng.random() < 0.3), self.rng) if arguments else []

    def provisional_output_tokens(self, output_tokens: int) -> int:
        return min(output_tokens, self.rng.choice((0, 1, 3)))

    def closing_usage(self, usage: dict[str, Any]) -> dict[str, Any]:
        closing = {"output_tokens": usage["output_tokens"]}
        for key in streaming.DELTA_USAGE:
            if key in usage and (key in streaming.LATE_USAGE or self.rng.random() < 0.5):
                closing[key] = usage[key]
        return closing

    def interleave(self, events: list[Event]) -> list[Event]:
        events = _sprinkle(events, ("ping", {"type": "ping"}), self.rng.randint(0, 3), self.rng)
        if self.future and self.rng.random() < 0.3:
            name = self.rng.choice(("future_event", "future_progress"))
            events = _sprinkle(events, (name, {"type": name, "detail": draw_object(self.rng)}), 1, self.rng)
        return events


def message_events(message: dict[str, Any], rng: random.Random, *, future: bool = False) -> list[Event]:
    """The SSE events of `message`, cut at random; accumulating them gives `message` back."""
    return streaming.message_events(message, RandomCuts(rng, future))


def split_text(text: str, rng: random.Random) -> list[str]:
    """`text` in 1 to 8 pieces cut anywhere (pieces may be empty); "" gives no piece."""
    if not text:
        return []
    cuts = sorted(rng.randint(0, len(text)) for _ in range(rng.randint(0, 7)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]


def _sprinkle(events: list[Event], extra: Event, count: int, rng: random.Random) -> list[Event]:
    """Insert `extra` `count` times anywhere after message_start."""
    events = list(events)
    for _ in range(count):
        events.insert(rng.randint(1, len(events)), copy.deepcopy(extra))
    return events


# --- replies ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FuzzedStream:
    """A streamed reply: the message it must accumulate to, its events, and the bytes on the wire."""

    message: dict[str, Any]
    events: list[Event]
    wire: Wire
    chunks: list[bytes]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


@dataclass(frozen=True, slots=True)
class FuzzedJson:
    """A plain reply: the message and its JSON body, in chunks."""

    message: dict[str, Any]
    chunks: list[bytes]

    @property
    def body(self) -> bytes:
        return b"".join(self.chunks)


def draw_stream(rng: random.Random, *, future: bool = False, model: str | None = None,
                message: dict[str, Any] | None = None) -> FuzzedStream:
    message = message if message is not None else draw_message(rng, future=future, model=model)
    events = message_events(message, rng, future=future)
    wire = draw_wire(rng)
    return FuzzedStream(message, events, wire, split_bytes(encode_events(events, wire, rng), rng))


def draw_json_reply(rng: random.Random, *, future: bool = False, model: str | None = None,
                    message: dict[str, Any] | None = None) -> FuzzedJson:
    message = message if message is not None else draw_message(rng, future=future, model=model)
    style = rng.choice(("compact", "spaced", "ascii"))
    return FuzzedJson(message, split_bytes(dump_json(message, style), rng))


# --- hypothesis strategies -----------------------------------------------------------------------

def _randoms() -> SearchStrategy[random.Random]:
    from hypothesis import strategies as st

    return st.randoms(use_true_random=False)


def texts() -> SearchStrategy[str]:
    return _randoms().map(draw_text)


def content_blocks(kind: str | None = None, *, future: bool = False) -> SearchStrategy[dict[str, Any]]:
    """One content block; `kind` picks a type (see block_types()), default any."""
    return _randoms().map(lambda rng: draw_block(rng, kind, future=future))


def messages(*, future: bool = False, model: str | None = None) -> SearchStrategy[dict[str, Any]]:
    """Messages valid against the spec; with `future`, also what later API releases may add."""
    return _randoms().map(lambda rng: draw_message(rng, future=future, model=model))


def fuzzed_streams(*, future: bool = True, model: str | None = None) -> SearchStrategy[FuzzedStream]:
    """Streamed replies with transport variations (see FuzzedStream)."""
    return _randoms().map(lambda rng: draw_stream(rng, future=future, model=model))


def fuzzed_json(*, future: bool = True, model: str | None = None) -> SearchStrategy[FuzzedJson]:
    """Plain replies: the message as compact, spaced or ASCII-escaped JSON, in chunks."""
    return _randoms().map(lambda rng: draw_json_reply(rng, future=future, model=model))
