"""Record through the proxy, stop the upstream, replay: the official Python SDK sees the same
answers (JSON, streaming, count_tokens, a batch lifecycle, a file upload), byte for byte."""

from __future__ import annotations

import time
from typing import Any

import anthropic
import httpx

from .support import BODY, MODEL, dead_url, post, recorder, sdk, upstream

BATCH = [{"custom_id": f"r{i}", "params": {"model": MODEL, "max_tokens": 16,
                                          "messages": [{"role": "user", "content": f"Question {i}"}]}}
         for i in range(2)]


def _session(client: anthropic.Anthropic) -> dict[str, Any]:
    """One test's worth of SDK traffic; what it observed, as plain data."""
    params = {"model": MODEL, "max_tokens": 40, "messages": [{"role": "user", "content": "Tell me a story"}]}
    created = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        texts = list(stream.text_stream)
        final = stream.get_final_message()
    counted = client.messages.count_tokens(model=MODEL, messages=params["messages"])
    batch = client.messages.batches.create(requests=BATCH)
    polls = [batch.processing_status]
    while batch.processing_status != "ended":
        time.sleep(0.1)
        batch = client.messages.batches.retrieve(batch.id)
        polls.append(batch.processing_status)
    results = sorted((r.custom_id, r.result.type, r.result.message.content[0].text)  # type: ignore[union-attr]
                     for r in client.messages.batches.results(batch.id))
    uploaded = client.beta.files.upload(file=("notes.txt", b"recorded once, replayed forever", "text/plain"))
    listed = [f.id for f in client.beta.files.list()]
    return {"created": created.model_dump(), "texts": texts, "final": final.model_dump(),
            "counted": counted.model_dump(), "batch": batch.model_dump(exclude={"results_url"}),
            "polls": polls, "results": results, "uploaded": uploaded.model_dump(), "listed": listed}


def test_python_sdk_replays_a_recorded_session_with_the_upstream_stopped(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        recorded = _session(sdk(proxy))
    assert recorded["polls"][-1] == "ended" and len(recorded["results"]) == 2
    with recorder(tmp_path, dead_url(), "none") as replayer:
        replayed = _session(sdk(replayer, key="sk-ant-api03-another-key"))
    assert replayed == recorded
    assert recorded["final"]["content"] == recorded["created"]["content"]  # the upstream's own agreement, kept


def test_replayed_bodies_and_event_sequences_are_the_recorded_bytes(tmp_path):
    stream_body = {**BODY, "stream": True}
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        live_json, live_stream = post(proxy), post(proxy, stream_body)
    with recorder(tmp_path, None, "none") as replayer:
        json_again, stream_again = post(replayer), post(replayer, stream_body)
    assert json_again.content == live_json.content
    assert stream_again.content == live_stream.content
    assert stream_again.content.count(b"event: content_block_delta") > 1
    assert _stable_headers(json_again) == _stable_headers(live_json)  # the recorded headers, in order
    assert "anthropic-ratelimit-requests-limit" in json_again.headers
    assert stream_again.headers["content-type"].startswith("text/event-stream")
    # A fresh request-id per replay; the recorded one with --keep-ids.
    assert json_again.headers["request-id"] != live_json.headers["request-id"]
    with recorder(tmp_path, None, "none", keep_ids=True) as keeper:
        assert post(keeper).headers["request-id"] == live_json.headers["request-id"]


def test_batch_results_url_points_at_the_replaying_server(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        created = post(proxy, {"requests": BATCH}, "/v1/messages/batches").json()
        assert created["id"].startswith("msgbatch_")
        time.sleep(0.4)
        ended = httpx.get(f"{proxy.base_url}/v1/messages/batches/{created['id']}",
                          headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}).json()
    assert ended["results_url"].startswith(proxy.base_url)
    with recorder(tmp_path, None, "none") as replayer:
        post(replayer, {"requests": BATCH}, "/v1/messages/batches")
        again = httpx.get(f"{replayer.base_url}/v1/messages/batches/{created['id']}",
                          headers={"x-api-key": "k", "anthropic-version": "2023-06-01"}).json()
    assert again["results_url"] == f"{replayer.base_url}/v1/messages/batches/{created['id']}/results"


def _stable_headers(response: httpx.Response) -> list[tuple[bytes, bytes]]:
    """Response headers without those a server writes afresh for every response."""
    return [(k, v) for k, v in response.headers.raw if k.lower() not in (b"request-id", b"date", b"content-length")]
