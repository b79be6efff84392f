"""Recorded stream delays, replayed at --replay-speed 1, take about as long as they did live;
at the default speed 0 the same stream comes at once. Asserted as ratios, not wall-clock bounds."""

from __future__ import annotations

import time

import httpx

from mockserver.recording.cassette import read_cassette

from .support import BODY, SECRET, VERSION_HEADERS, recorder, upstream

STREAM = {**BODY, "max_tokens": 24, "stream": True}


def _timed_stream(base_url: str) -> tuple[float, list[bytes]]:
    start = time.perf_counter()
    with httpx.stream("POST", base_url + "/v1/messages", json=STREAM, timeout=30,
                      headers={"x-api-key": SECRET, **VERSION_HEADERS}) as response:
        chunks = list(response.iter_bytes())
    return time.perf_counter() - start, chunks


def test_replay_speed_one_honours_the_recorded_delays(tmp_path):
    with upstream(ttft_ms=150, tokens_per_second=30) as real, recorder(tmp_path, real.base_url, "once") as proxy:
        live_seconds, live_chunks = _timed_stream(proxy.base_url)
    events = read_cassette(tmp_path / "default.yaml").interactions[0].response.events
    assert events is not None and len(events) > 8
    recorded = sum(e.delay for e in events)
    assert recorded > 0.3 and events[1].delay < recorded  # the pacing shows in the recording
    with recorder(tmp_path, None, "none", replay_speed=1.0) as real_time:
        paced_seconds, paced_chunks = _timed_stream(real_time.base_url)
    with recorder(tmp_path, None, "none") as fast:
        fast_seconds, fast_chunks = _timed_stream(fast.base_url)
    assert b"".join(paced_chunks) == b"".join(fast_chunks) == b"".join(live_chunks)
    assert 0.85 <= paced_seconds / recorded <= 2.5, (paced_seconds, recorded)
    assert fast_seconds / recorded < 0.5, (fast_seconds, recorded)
    assert len(paced_chunks) > len(fast_chunks)  # event by event, not one write


def test_replay_speed_scales_the_delays(tmp_path):
    with upstream(ttft_ms=200, tokens_per_second=30) as real, recorder(tmp_path, real.base_url, "once") as proxy:
        _timed_stream(proxy.base_url)
    recorded = sum(e.delay for e in read_cassette(tmp_path / "default.yaml").interactions[0].response.events or [])
    with recorder(tmp_path, None, "none", replay_speed=0.25) as quarter:
        quarter_seconds, _ = _timed_stream(quarter.base_url)
    with recorder(tmp_path, None, "none", replay_speed=1.0) as real_time:
        full_seconds, _ = _timed_stream(real_time.base_url)
    assert quarter_seconds / full_seconds < 0.6, (quarter_seconds, full_seconds, recorded)
