"""Planted bugs: each pair is a client with one bug class real clients have had, and its fixed twin.

Each overrides one hook of the reference client (reference.py); the fixed twin does the same job
another correct way, so both are real code under test.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from .reference import LINE_END, Client, Event, Failure


@dataclass(frozen=True)
class Pair:
    bug: str  # the bug class, as the README table names it
    buggy: type[Client]
    fixed: type[Client]


class Plain(Client):
    stream = False


# --- what the application reads ----------------------------------------------------------------

class FirstBlockText(Plain):
    def text_of(self, message):
        return message["content"][0]["text"] if message["content"] else ""


class TextBlocksText(Plain):
    def text_of(self, message):
        texts = [block["text"] for block in message["content"] if block["type"] == "text"]
        return "".join(texts)


class NullUsageSum(Plain):
    def tokens(self, usage):
        return (usage["input_tokens"] + usage["output_tokens"] + usage.get("cache_creation_input_tokens", 0)
                + usage.get("cache_read_input_tokens", 0))


class NullUsageSumFixed(Plain):
    def tokens(self, usage):
        total = 0
        for key in ("input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"):
            total += usage.get(key) if isinstance(usage.get(key), int) else 0
        return total


KNOWN_STOPS = {"end_turn": "end turn", "max_tokens": "max tokens", "stop_sequence": "stop sequence",
               "tool_use": "tool use"}


class StopReasonTable(Plain):
    def stop_label(self, stop_reason):
        return KNOWN_STOPS[stop_reason]


class StopReasonTableFixed(Plain):
    def stop_label(self, stop_reason):
        return KNOWN_STOPS.get(stop_reason) or stop_reason.replace("_", " ")


class FirstChunkJson(Plain):
    def parse_json(self, chunks):
        return json.loads(next(iter(chunks)))


class AllChunksJson(Plain):
    def parse_json(self, chunks):
        body = bytearray()
        for chunk in chunks:
            body += chunk
        return json.loads(bytes(body))


# --- retrying ------------------------------------------------------------------------------------

class NoBackoff(Plain):
    def delay(self, failure, attempt):
        return self.retry_after(failure)


class Backoff(Plain):
    def delay(self, failure, attempt):
        return max(self.retry_after(failure), 0.1 * 1.5 ** attempt)


class RetryAfterIgnored(Plain):
    def delay(self, failure, attempt):
        return 0.05 * 2 ** attempt


class ShouldRetryIgnored(Plain):
    def should_retry(self, failure):
        return failure.status in (429, 529) or failure.kind == "cut"


class ShouldRetryHonoured(Plain):
    def should_retry(self, failure):
        header = failure.headers.get("x-should-retry")
        return header == "true" if header is not None else failure.status in (429, 529) or failure.kind == "cut"


# --- reading a stream ----------------------------------------------------------------------------

class PerChunkUtf8(Client):
    def texts(self, chunks):
        for chunk in chunks:
            yield chunk.decode("utf-8")


class BufferedUtf8(Client):
    def texts(self, chunks):
        pending = b""
        for chunk in chunks:
            pending += chunk
            cut = len(pending)
            while cut and pending[cut - 1] & 0xC0 == 0x80:  # back up to the start of a character
                cut -= 1
            if cut and pending[cut - 1] >= 0xC0:
                cut -= 1
            else:
                cut = len(pending)
            yield pending[:cut].decode("utf-8")
            pending = pending[cut:]
        yield pending.decode("utf-8")


class BlankLineSplit(Client):
    def lines(self, texts):
        for event in "".join(texts).split("\n\n"):
            yield from event.split("\n")
            yield ""


class WholeBodySplit(Client):
    def lines(self, texts):
        yield from re.split(r"\r\n|\r|\n", "".join(texts))


class LfOnlyLines(Client):
    def lines(self, texts):
        for line in "".join(texts).split("\n"):
            yield line.rstrip("\r")


class OneEventPerChunk(Client):
    def lines(self, texts):
        for text in texts:
            yield from LINE_END.split(text)[:-1] or [text]
            yield ""


class DataAfterSpace(Client):
    def field(self, line):
        for name in ("event", "data"):
            if line.startswith(name + ": "):
                return name, line[len(name) + 2:]
        return "", ""


FIELD = re.compile(r"(event|data)(?:: ?(.*))?")  # the two fields a Messages stream uses; others are skipped


class FieldsByName(Client):
    def field(self, line):
        found = FIELD.fullmatch(line)
        return (found.group(1), found.group(2) or "") if found else ("", "")


class EventLineFirst(Client):
    def events(self, lines):
        block = []
        for line in lines:
            if line:
                block.append(line)
                continue
            if block:
                yield block[0].split(":", 1)[1].strip(), json.loads(block[1].split(":", 1)[1])
            block = []


# --- accumulating a stream -----------------------------------------------------------------------

KNOWN_BLOCKS = ("text", "thinking", "redacted_thinking", "tool_use", "server_tool_use", "web_search_tool_result")


class KnownBlocksOnly(Client):
    def started(self, block):
        if block["type"] not in KNOWN_BLOCKS:
            raise ValueError(f"unknown content block type {block['type']!r}")
        return dict(block)


class AnyBlock(Client):
    def started(self, block):
        return json.loads(json.dumps(block))


class PingCrashes(Client):
    def other_event(self, payload):
        raise ValueError(f"unexpected event {payload.get('type')!r}")


class PingCounted(Client):
    def other_event(self, payload):
        self.pings = getattr(self, "pings", 0) + (payload.get("type") == "ping")


class ErrorEventIgnored(Client):
    def accumulate(self, events):
        def quiet():
            for event in events:
                if event[1].get("type") == "error":
                    yield None, {"type": "message_stop"}  # the bug: an error ends the stream quietly
                    return
                yield event
        return super().accumulate(quiet())


class ErrorEventRaised(Client):
    def accumulate(self, events):
        def checked():
            for event in events:
                if event[1].get("type") == "error":
                    raise Failure(200, {}, "error event: " + event[1]["error"]["type"])
                yield event
        return super().accumulate(checked())


class LastFragmentOnly(Client):
    def apply_delta(self, block, delta, partial, index):
        if delta.get("type") == "input_json_delta":
            partial[index] = delta["partial_json"] or partial.get(index, "")
        else:
            super().apply_delta(block, delta, partial, index)


class FragmentsJoined(Client):
    def apply_delta(self, block, delta, partial, index):
        if delta.get("type") == "input_json_delta":
            partial[index] = "".join((partial.get(index, ""), delta["partial_json"]))
        else:
            super().apply_delta(block, delta, partial, index)


class UsageReplaced(Client):
    def apply_message_delta(self, message, payload):
        message.update(payload["delta"])
        message["usage"] = dict(payload["usage"])


class UsageMerged(Client):
    def apply_message_delta(self, message, payload):
        super().apply_message_delta(message, {**payload, "usage": {k: v for k, v in payload["usage"].items()}})


class SignatureDropped(Client):
    def apply_delta(self, block, delta, partial, index):
        if delta.get("type") != "signature_delta":
            super().apply_delta(block, delta, partial, index)


class SignatureKept(Client):
    def apply_delta(self, block, delta, partial, index):
        if delta.get("type") == "signature_delta":
            block.update(signature=delta["signature"])
        else:
            super().apply_delta(block, delta, partial, index)


class KnownDeltasOnly(Client):
    def apply_delta(self, block, delta, partial, index):
        if delta.get("type") not in ("text_delta", "input_json_delta", "thinking_delta", "signature_delta"):
            raise ValueError(f"unknown delta {delta.get('type')!r}")
        super().apply_delta(block, delta, partial, index)


class EmptyDeltaEnds(Client):
    def accumulate(self, events):
        def until_empty():
            for event in events:
                delta = event[1].get("delta") or {}
                if delta.get("type") == "text_delta" and delta.get("text") == "":
                    yield None, {"type": "message_stop"}  # the bug: an empty piece taken for the end
                    return
                yield event
        return super().accumulate(until_empty())


class EarlyEndAccepted(Client):
    def read(self, response):
        events: list[Event] = []
        try:
            for event in self.events(self.lines(self.texts(response.chunks))):
                events.append(event)
        except Exception:  # the bug: a broken connection taken for the end of the stream
            pass
        if not any(p.get("type") == "message_stop" for _, p in events):
            events.append((None, {"type": "message_stop"}))
        return self.accumulate(events)


PAIRS = (
    Pair("assumes `content[0]` is text", FirstBlockText, TextBlocksText),
    Pair("crashes on an unknown content block type", KnownBlocksOnly, AnyBlock),
    Pair("splits SSE on `\\n\\n` only", BlankLineSplit, WholeBodySplit),
    Pair("assumes one event per chunk", OneEventPerChunk, WholeBodySplit),
    Pair("decodes UTF-8 chunk by chunk", PerChunkUtf8, BufferedUtf8),
    Pair("crashes on `ping`", PingCrashes, PingCounted),
    Pair("ignores an `error` event", ErrorEventIgnored, ErrorEventRaised),
    Pair("assumes `stop_reason` is never `refusal`/`pause_turn`", StopReasonTable, StopReasonTableFixed),
    Pair("retries 529 without backoff", NoBackoff, Backoff),
    Pair("ignores `retry-after`", RetryAfterIgnored, Backoff),
    Pair("ignores `x-should-retry: false`", ShouldRetryIgnored, ShouldRetryHonoured),
    Pair("adds `usage` fields that can be null", NullUsageSum, NullUsageSumFixed),
    Pair("drops `input_json_delta` fragments", LastFragmentOnly, FragmentsJoined),
    Pair("splits lines on LF only (lone CR)", LfOnlyLines, WholeBodySplit),
    Pair("expects a space after `data:`", DataAfterSpace, FieldsByName),
    Pair("expects `event:` as the first line of an event", EventLineFirst, FieldsByName),
    Pair("replaces `usage` with message_delta's", UsageReplaced, UsageMerged),
    Pair("drops `signature_delta`", SignatureDropped, SignatureKept),
    Pair("crashes on `citations_delta` and new delta types", KnownDeltasOnly, FragmentsJoined),
    Pair("takes an empty `text_delta` for the end", EmptyDeltaEnds, Client),
    Pair("takes a cut connection for the end of a stream", EarlyEndAccepted, Client),
    Pair("parses a JSON body from its first chunk", FirstChunkJson, AllChunksJson),
)
