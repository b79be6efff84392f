"""A small, correct Messages client, written in hooks so that each planted bug overrides exactly one.

It posts one request, retries 429/529 answers and cut plain replies (at most twice, honouring
`retry-after` and `x-should-retry`, with a backoff), reads JSON or SSE (bytes in any chunks, LF, CRLF or
CR line ends, comments, pings, unknown events and blocks) and returns the message and a summary of it.
"""

from __future__ import annotations

import codecs
import copy
import json
import re
from typing import Any, Callable, Iterable, Iterator

LINE_END = re.compile(r"\r\n|\r|\n")
BODY = {"model": "claude-sonnet-4-5", "max_tokens": 1024, "messages": [{"role": "user", "content": "hi"}]}
Event = tuple[str | None, dict[str, Any]]


class Cut(Exception):
    """The connection closed mid-body."""


class Failure(Exception):
    """One attempt failed: an error status, a cut body, an error event or a stream that ended early."""

    def __init__(self, status: int, headers: dict[str, str], kind: str) -> None:
        super().__init__(f"{status} {kind}")
        self.status, self.headers, self.kind = status, headers, kind


class ApiFailure(Exception):
    """What the client reports when it gives up: a clean error, never a crash."""


class Response:
    def __init__(self, status: int, headers: dict[str, str], chunks: Iterable[bytes]) -> None:
        self.status, self.headers, self.chunks = status, headers, chunks


class Client:
    stream = True
    max_retries = 2

    def __init__(self, post: Callable[[dict[str, Any]], Response], sleep: Callable[[float], None]) -> None:
        self.post, self.sleep = post, sleep

    def create(self) -> tuple[dict[str, Any], dict[str, Any]]:
        attempt = 0
        while True:
            response = self.post({**BODY, "stream": self.stream})
            try:
                if response.status >= 400:
                    raise Failure(response.status, response.headers, "status")
                message = self.read(response)
                return message, self.summary(message)
            except Failure as failure:
                if attempt >= self.max_retries or not self.should_retry(failure):
                    raise ApiFailure(str(failure)) from failure
                self.sleep(self.delay(failure, attempt))
                attempt += 1

    # -- retrying --------------------------------------------------------------------------

    def should_retry(self, failure: Failure) -> bool:
        said = failure.headers.get("x-should-retry")
        if said in ("true", "false"):
            return said == "true"
        return failure.status in (429, 529) or (failure.kind == "cut" and not self.stream)

    def delay(self, failure: Failure, attempt: int) -> float:
        return max(self.retry_after(failure), 0.05 * 2 ** attempt)

    def retry_after(self, failure: Failure) -> float:
        try:
            return float(failure.headers.get("retry-after", 0))
        except ValueError:
            return 0.0

    # -- reading ---------------------------------------------------------------------------

    def read(self, response: Response) -> dict[str, Any]:
        try:
            if self.stream:
                return self.accumulate(self.events(self.lines(self.texts(response.chunks))))
            return self.parse_json(response.chunks)
        except Cut:
            raise Failure(response.status, response.headers, "cut") from None

    def parse_json(self, chunks: Iterable[bytes]) -> dict[str, Any]:
        return json.loads(b"".join(chunks))

    def texts(self, chunks: Iterable[bytes]) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        for chunk in chunks:
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)

    def lines(self, texts: Iterable[str]) -> Iterator[str]:
        buffer = ""
        for text in texts:
            buffer += text
            while (end := LINE_END.search(buffer)) is not None:
                if end.group() == "\r" and end.end() == len(buffer):
                    break  # maybe the first half of a CRLF: wait for the next text
                yield buffer[:end.start()]
                buffer = buffer[end.end():]
        if buffer.endswith("\r"):
            yield buffer[:-1]

    def events(self, lines: Iterable[str]) -> Iterator[Event]:
        name, data = None, []
        for line in lines:
            if not line:
                if data:
                    yield name, json.loads("\n".join(data))
                name, data = None, []
                continue
            field, value = self.field(line)
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)

    def field(self, line: str) -> tuple[str, str]:
        """(name, value) of one line; a comment has no name."""
        if line.startswith(":"):
            return "", ""
        field, _, value = line.partition(":")
        return field, value[1:] if value.startswith(" ") else value

    # -- accumulating ----------------------------------------------------------------------

    def accumulate(self, events: Iterable[Event]) -> dict[str, Any]:
        message: dict[str, Any] = {}
        partial: dict[int, str] = {}
        for _, payload in events:
            kind = payload.get("type")
            if kind == "message_start":
                message = copy.deepcopy(payload["message"])
            elif kind == "content_block_start":
                message["content"].append(self.started(payload["content_block"]))
            elif kind == "content_block_delta":
                self.apply_delta(message["content"][payload["index"]], payload["delta"], partial, payload["index"])
            elif kind == "content_block_stop":
                if payload["index"] in partial:
                    text = partial.pop(payload["index"])
                    message["content"][payload["index"]]["input"] = json.loads(text) if text else {}
            elif kind == "message_delta":
                self.apply_message_delta(message, payload)
            elif kind == "message_stop":
                return message
            elif kind == "error":
                raise Failure(200, {}, "error event")
            else:
                self.other_event(payload)
        raise Failure(200, {}, "stream ended without message_stop")

    def started(self, block: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy(block)

    def other_event(self, payload: dict[str, Any]) -> None:
        """ping, and event types a later API release may add: nothing to do."""

    def apply_delta(self, block: dict[str, Any], delta: dict[str, Any], partial: dict[int, str], index: int) -> None:
        kind = delta.get("type")
        if kind == "text_delta":
            block["text"] += delta["text"]
        elif kind == "citations_delta":
            block["citations"] = [*(block.get("citations") or []), delta["citation"]]
        elif kind == "thinking_delta":
            block["thinking"] += delta["thinking"]
        elif kind == "signature_delta":
            block["signature"] = delta["signature"]
        elif kind == "input_json_delta":
            partial[index] = partial.get(index, "") + delta["partial_json"]
        elif kind == "compaction_delta":
            block.update(content=delta.get("content"), encrypted_content=delta.get("encrypted_content"))

    def apply_message_delta(self, message: dict[str, Any], payload: dict[str, Any]) -> None:
        message.update(payload["delta"])
        for key, value in payload.get("usage", {}).items():
            if value is not None:
                message["usage"][key] = value
        if "context_management" in payload:
            message["context_management"] = payload["context_management"]

    # -- what the application uses ---------------------------------------------------------

    def summary(self, message: dict[str, Any]) -> dict[str, Any]:
        return {"text": self.text_of(message), "tokens": self.tokens(message["usage"]),
                "stop": self.stop_label(message["stop_reason"])}

    def text_of(self, message: dict[str, Any]) -> str:
        return "".join(block["text"] for block in message["content"] if block.get("type") == "text")

    def tokens(self, usage: dict[str, Any]) -> int:
        return sum(usage.get(key) or 0 for key in ("input_tokens", "output_tokens", "cache_creation_input_tokens",
                                                     "cache_read_input_tokens"))

    def stop_label(self, stop_reason: str) -> str:
        return stop_reason.replace("_", " ")
