"""Faults without rules (--latency, --error-rate) and the stream-fault writer on its own."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from mockserver.faults import ConnectionCut, ErrorRates, Latency, StreamFault, parse_duration
from mockserver.http.sse import encode_event

from ..helpers import MODEL, asgi_client, headers

ASK = {"model": MODEL, "max_tokens": 16, "messages": [{"role": "user", "content": "Hello there"}]}


@pytest.mark.parametrize("text, seconds", [("250ms", 0.25), ("1.5s", 1.5), ("2m", 120), ("800us", 0.0008),
                                           (40, 0.04), ("7", 0.007)])
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["soon", "-1s", True, "5h"])
def test_bad_durations(bad):
    with pytest.raises(ValueError):
        parse_duration(bad)


def test_latency_distributions():
    rng = random.Random(1)
    assert Latency.parse("fixed:50ms").sample(rng) == 0.05
    assert Latency.parse("20ms").sample(rng) == 0.02
    uniform = Latency.parse("uniform:10-100ms")
    assert uniform == Latency("uniform", 0.01, 0.1)
    assert all(0.01 <= uniform.sample(rng) <= 0.1 for _ in range(100))
    assert Latency.parse("uniform:1s-2s") == Latency("uniform", 1.0, 2.0)
    normal = Latency.parse("normal:100ms,20ms")
    samples = [normal.sample(rng) for _ in range(2000)]
    assert min(samples) >= 0 and 0.09 < sum(samples) / len(samples) < 0.11
    assert Latency.parse("lognormal:80ms,0.4").sample(rng) > 0
    for bad in ("gamma:1s", "uniform:100-10ms", "normal:5ms"):
        with pytest.raises(ValueError):
            Latency.parse(bad)


def test_error_rates_are_seeded_and_checked():
    rates = ErrorRates.parse(["overloaded_error=0.3", "api_error=10%"])
    draws = [rates.draw(random.Random(4)) for _ in range(3)]
    assert draws == [rates.draw(random.Random(4)) for _ in range(3)]
    rng = random.Random(9)
    counts = [rates.draw(rng) for _ in range(5000)]
    assert 0.25 < counts.count("overloaded_error") / 5000 < 0.35
    assert 0.07 < counts.count("api_error") / 5000 < 0.13
    for bad in (["nope_error=0.1"], ["api_error=2"], ["api_error=0.6", "overloaded_error=0.6"], ["api_error"]):
        with pytest.raises(ValueError):
            ErrorRates.parse(bad)


def test_error_rate_end_to_end_is_reproducible():
    def statuses(seed):
        client = asgi_client(seed=seed, error_rates=("overloaded_error=0.5",))
        return [client.post("/v1/messages", json=ASK, headers=headers()).status_code for _ in range(12)]

    first = statuses(3)
    assert set(first) == {200, 529}
    assert statuses(3) == first


def test_latency_end_to_end():
    client = asgi_client(latency="fixed:60ms")
    started = time.monotonic()
    assert client.post("/v1/messages", json=ASK, headers=headers()).status_code == 200
    assert time.monotonic() - started >= 0.05


# -- the stream-fault writer ---------------------------------------------------------------------

EVENTS = [("message_start", {"type": "message_start"}), ("ping", {"type": "ping"}),
          ("content_block_delta", {"type": "content_block_delta"}), ("message_stop", {"type": "message_stop"})]
SSE = [(b"content-type", b"text/event-stream; charset=utf-8")]
JSON = [(b"content-type", b"application/json"), (b"content-length", b"10")]


def write(fault: StreamFault, chunks: list[bytes], start_headers=SSE) -> tuple[list[dict], bool]:
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        await asyncio.sleep(3600)

    async def run():
        faulty = fault.wrap(send, receive)
        await faulty({"type": "http.response.start", "status": 200, "headers": start_headers})
        for i, chunk in enumerate(chunks):
            await faulty({"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1})

    try:
        asyncio.run(run())
        return sent, False
    except ConnectionCut:
        return sent, True


def body_of(sent: list[dict]) -> bytes:
    return b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def whole_stream() -> bytes:
    return b"".join(encode_event(name, data) for name, data in EVENTS)


def test_error_after_events_replaces_the_rest():
    sent, cut = write(StreamFault(error_after_events=2, error_type="api_error", error_message="boom"),
                      [whole_stream()])
    body = body_of(sent)
    assert not cut and body.count(b"event: ") == 3
    assert body.endswith(b'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"boom"}}\n\n')
    assert sent[-1] == {"type": "http.response.body", "body": b""}


def test_error_after_more_events_than_the_stream_has():
    sent, _ = write(StreamFault(error_after_events=50), [whole_stream()])
    assert body_of(sent).endswith(b"event: error\ndata: " + b'{"type":"error","error":{"type":"overloaded_error",'
                                  b'"message":"Overloaded"}}\n\n')


def test_cut_after_events_and_bytes():
    sent, cut = write(StreamFault(cut_after_events=1), [encode_event(n, d) for n, d in EVENTS])
    assert cut and body_of(sent) == encode_event(*EVENTS[0])
    sent, cut = write(StreamFault(cut_after_bytes=7), [whole_stream()])
    assert cut and body_of(sent) == whole_stream()[:7]


def test_event_faults_on_a_json_body_happen_before_it():
    sent, cut = write(StreamFault(cut_after_events=3), [b'{"a": 123}'], JSON)
    assert cut and body_of(sent) == b""
    sent, cut = write(StreamFault(error_after_events=0), [b'{"a": 123}'], JSON)
    assert not cut and body_of(sent) == b'{"a": 123}'


def test_drip_splits_the_body():
    sent, _ = write(StreamFault(drip_bytes=5, drip_every=0.0), [b"0123456789abc"], JSON)
    assert [m["body"] for m in sent[1:]] == [b"01234", b"56789", b"abc", b""]


def test_stall_then_carry_on():
    started = time.monotonic()
    sent, cut = write(StreamFault(stall_after_events=1, stall_seconds=0.05), [whole_stream()])
    assert not cut and body_of(sent) == whole_stream() and time.monotonic() - started >= 0.04


def test_fault_specs():
    fault = StreamFault.parse({"error_after_events": 2, "error": {"type": "api_error", "message": "m"},
                               "stall": "forever", "drip": {"bytes": 3, "every": "5ms"}})
    assert (fault.error_type, fault.error_message, fault.stall_seconds, fault.drip_bytes, fault.drip_every) == \
        ("api_error", "m", None, 3, 0.005)
    assert fault.name == "error_after_events"
