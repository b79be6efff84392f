"""Recorded stream delays, replayed at --replay-speed 1, take about as long as they did live; a
smaller speed shrinks them; the default (0) sends the stream at once. Asserted as ratios of the
time between the first and the last event (so connection set-up on a busy machine does not count),
never as wall-clock bounds."""

from __future__ import annotations

import time

import httpx

from mockserver.recording.cassette import read_cassette

from .support import BODY, SECRET, VERSION_HEADERS, recorder, upstream

STREAM = {**BODY, "max_tokens": 24, "stream": True}


def _stream(base_url: str) -> tuple[float, list[bytes]]:
    """(seconds from the first chunk to the last, the chunks)."""
    stamps, chunks = [], []
    with httpx.stream("POST", base_url + "/v1/messages", json=STREAM, timeout=30,
                      headers={"x-api-key": SECRET, **VERSION_HEADERS}) as response:
        for chunk in response.iter_bytes():
            stamps.append(time.perf_counter())
            chunks.append(chunk)
    return stamps[-1] - stamps[0], chunks


def test_replay_speed_honours_and_scales_the_recorded_delays(tmp_path):
    with upstream(ttft_ms=100, tokens_per_second=10) as real, recorder(tmp_path, real.base_url, "once") as proxy:
        _, live_chunks = _stream(proxy.base_url)
    events = read_cassette(tmp_path / "default.yaml").interactions[0].response.events
    assert events is not None and len(events) > 8
    recorded = sum(e.delay for e in events[1:])  # between the first event and the last
    assert recorded > 0.4 and max(e.delay for e in events) < recorded  # the pacing shows in the recording
    with recorder(tmp_path, None, "none", replay_speed=1.0) as real_time:
        paced_span, paced_chunks = _stream(real_time.base_url)
    with recorder(tmp_path, None, "none", replay_speed=0.25) as quarter:
        quarter_span, _ = _stream(quarter.base_url)
    with recorder(tmp_path, None, "none") as fast:
        _, fast_chunks = _stream(fast.base_url)
    assert b"".join(paced_chunks) == b"".join(fast_chunks) == b"".join(live_chunks)
    assert 0.9 <= paced_span / recorded <= 2.0, (paced_span, recorded)
    assert quarter_span / paced_span < 0.6, (quarter_span, paced_span)
    assert len(paced_chunks) > len(fast_chunks)  # event by event; at once
