"""The checks of one replayed exchange, each a small function returning causes (strings) of difference.

`compare` composes them: status first; when both answers succeeded or failed alike, the shape
(of the JSON, or of the message a stream accumulates to) and the content a request forces.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..contract.sse import accumulate_message, completion_stream_problems, message_stream_problems, parse_sse
from .exchange import RecordedExchange
from .results import Difference
from .shape import shape_problems

# Answers a request does not decide: the key we send is always valid, load and rate are the moment's.
CIRCUMSTANTIAL = frozenset({401, 408, 429})
TINY_MAX_TOKENS = 20  # a real reply cut at or under this many tokens must be cut by the mock too
THINKING_BLOCKS = ("thinking", "redacted_thinking")


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def is_stream(self) -> bool:
        return self.headers.get("content-type", "").startswith("text/event-stream")


@dataclass(slots=True)
class Comparison:
    differences: list[Difference] = field(default_factory=list)
    skipped: str | None = None
    real: Any = None   # the two answers as JSON (a stream: the message it accumulates to), for tokens
    ours: Any = None


def compare(exchange: RecordedExchange, answer: Answer) -> Comparison:
    real_status = exchange.status
    if real_status in CIRCUMSTANTIAL or not 200 <= real_status < 500:
        return Comparison(skipped=f"the real answer ({real_status}) depends on the moment, not the request")
    result = Comparison([Difference("status", cause) for cause in status_problems(exchange, answer)])
    if result.differences:
        return result
    if exchange.is_stream and real_status < 300:
        return _compare_streams(exchange, answer, result)
    result.real, result.ours = json_of(exchange.response_body), json_of(answer.body)
    if result.ours is None and result.real is not None:
        result.differences.append(Difference("shape", "not a JSON answer", answer.body[:200].decode(errors="replace")))
        return result
    _add_content_checks(exchange, result)
    return result


def status_problems(exchange: RecordedExchange, answer: Answer) -> list[str]:
    """A 4xx: the same status and error.type. A 2xx: a 2xx."""
    real, ours = exchange.status, answer.status
    if real < 300:
        if ours >= 300:  # the refusal's own message names the rule: the report groups by it
            return [f"stricter: {ours} {_error_type(answer.body)} where the real API said {real}: "
                    f"{_error_message(answer.body)}"]
        return []
    if ours != real:
        return [f"status {ours}, real {real} ({_error_type(exchange.response_body)})"]
    mine, theirs = _error_type(answer.body), _error_type(exchange.response_body)
    return [f"error.type {mine}, real {theirs}"] if theirs and mine != theirs else []


def forced_problems(request: Any, real: Any, ours: Any) -> list[str]:
    """What a Messages request forces: the named tool, some tool, thinking first, a cut at max_tokens."""
    if not (isinstance(request, dict) and isinstance(real, dict) and isinstance(ours, dict)):
        return []
    problems, blocks = [], [b for b in ours.get("content") or [] if isinstance(b, dict)]
    choice = request.get("tool_choice") if isinstance(request.get("tool_choice"), dict) else {}
    uses = [b for b in blocks if str(b.get("type", "")).endswith("tool_use")]
    if choice.get("type") == "tool" and not any(b.get("name") == choice.get("name") for b in uses):
        problems.append("tool_choice names a tool, no tool_use of it")
    if choice.get("type") == "any" and not uses:
        problems.append("tool_choice any, no tool_use")
    thinking = request.get("thinking") if isinstance(request.get("thinking"), dict) else {}
    if thinking.get("type") == "enabled" and _first_type(real) in THINKING_BLOCKS \
            and _first_type(ours) not in THINKING_BLOCKS:
        problems.append(f"thinking enabled, the first block is {_first_type(ours)}")
    max_tokens = request.get("max_tokens")
    if real.get("stop_reason") == "max_tokens" and isinstance(max_tokens, int) and max_tokens <= TINY_MAX_TOKENS \
            and ours.get("stop_reason") != "max_tokens":
        problems.append(f"max_tokens {max_tokens} cut the real reply, ours stopped on {ours.get('stop_reason')}")
    return problems


def stream_problems(exchange: RecordedExchange, answer: Answer) -> list[str]:
    """Our stream follows the grammar of its route."""
    if not answer.is_stream:
        return [f"not a stream: {answer.headers.get('content-type', 'no content-type')}"]
    stream = parse_sse(answer.body)
    grammar = completion_stream_problems if exchange.path == "/v1/complete" else message_stream_problems
    problems = grammar(stream.events)
    if stream.unterminated:
        problems.append("the stream ends inside an event")
    return [f"grammar: {problem}" for problem in problems]


def _compare_streams(exchange: RecordedExchange, answer: Answer, result: Comparison) -> Comparison:
    result.differences += [Difference("stream", cause) for cause in stream_problems(exchange, answer)]
    if result.differences or exchange.path != "/v1/messages":
        return result
    real_events = parse_sse(exchange.response_body).events
    if message_stream_problems(real_events):
        result.skipped = "the recorded stream is incomplete: only our grammar is checked"
        return result
    result.real, result.ours = accumulate_message(real_events), accumulate_message(parse_sse(answer.body).events)
    _add_content_checks(exchange, result, prefix="accumulated: ")
    return result


def _add_content_checks(exchange: RecordedExchange, result: Comparison, prefix: str = "") -> None:
    check = "stream" if prefix else "shape"
    result.differences += [Difference(check, prefix + cause) for cause in shape_problems(result.real, result.ours)]
    if exchange.path == "/v1/messages" and exchange.status < 300:
        request = json_of(exchange.request_body)
        result.differences += [Difference("forced", cause) for cause in forced_problems(request, result.real, result.ours)]


def _first_type(message: dict) -> Any:
    content = message.get("content") or [{}]
    return content[0].get("type") if isinstance(content[0], dict) else None


def _error_type(body: bytes) -> str | None:
    return _error_field(body, "type")


def _error_message(body: bytes, limit: int = 160) -> str:
    return str(_error_field(body, "message") or body[:limit].decode(errors="replace"))[:limit]


def _error_field(body: bytes, name: str) -> Any:
    document = json_of(body)
    error = document.get("error") if isinstance(document, dict) else None
    return error.get(name) if isinstance(error, dict) else None


def json_of(body: bytes) -> Any:
    try:
        return json.loads(body) if body else None
    except (ValueError, UnicodeDecodeError):
        return None
