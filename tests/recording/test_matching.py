"""Matching: canonical JSON (key order does not matter), ignored body paths, opt-in headers,
multipart bodies whatever their boundary; unit checks of the matcher and the cassette format."""

from __future__ import annotations

import httpx
import orjson

from mockserver.recording.cassette import (CassetteFile, Interaction, RecordedEvent, RecordedRequest,
                                           RecordedResponse, read_cassette, write_cassette)
from mockserver.recording.matching import Matcher

from .support import BODY, SECRET, VERSION_HEADERS, post, recorder, upstream


def _request(body: dict, **headers: str) -> RecordedRequest:
    return RecordedRequest("messages_create", "POST", "/v1/messages", {"content-type": "application/json", **headers},
                           orjson.dumps(body))


def test_key_order_and_ignored_paths_do_not_matter():
    matcher = Matcher(ignore_paths=["$.metadata.user_id", "$.messages[*].cache"])
    plain = {**BODY, "metadata": {"user_id": "a"}}
    shuffled = {"metadata": {"user_id": "b"}, **{k: BODY[k] for k in reversed(list(BODY))}}
    assert matcher.key(_request(plain)) == matcher.key(_request(shuffled))
    assert matcher.key(_request(plain)) != matcher.key(_request({**plain, "max_tokens": 7}))
    assert Matcher().key(_request(plain)) != Matcher().key(_request(shuffled))  # not ignored by default


def test_headers_match_only_when_asked():
    body = dict(BODY)
    first, second = _request(body, **{"anthropic-beta": "a"}), _request(body, **{"anthropic-beta": "b"})
    assert Matcher().key(first) == Matcher().key(second)
    assert Matcher(headers=["Anthropic-Beta"]).key(first) != Matcher(headers=["anthropic-beta"]).key(second)
    explained = Matcher(headers=["anthropic-beta"]).first_difference(first, second)
    assert explained == "header anthropic-beta: recorded 'a', sent 'b'"


def test_ignored_paths_and_header_matching_end_to_end(tmp_path):
    settings = {"match_ignore": ("$.metadata.user_id",), "match_headers": ("anthropic-beta",)}
    with upstream() as real, recorder(tmp_path, real.base_url, "once", **settings) as proxy:
        recorded = post(proxy, {**BODY, "metadata": {"user_id": "alice"}}, anthropic_beta="beta-one")
    with recorder(tmp_path, None, "none", **settings) as replayer:
        other_user = post(replayer, {**BODY, "metadata": {"user_id": "bob"}}, anthropic_beta="beta-one")
        other_beta = post(replayer, {**BODY, "metadata": {"user_id": "alice"}}, anthropic_beta="beta-two")
    assert other_user.content == recorded.content
    assert other_beta.status_code == 599
    assert "header anthropic-beta: recorded 'beta-one', sent 'beta-two'" in other_beta.json()["error"]["message"]


def test_multipart_uploads_match_whatever_the_boundary_and_synthesize_reads_the_form(tmp_path):
    files = {"file": ("a.txt", b"same bytes", "text/plain")}
    headers = {"x-api-key": SECRET, **VERSION_HEADERS, "anthropic-beta": "files-api-2025-04-14"}
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        recorded = httpx.post(proxy.base_url + "/v1/files", files=files, headers=headers)
    with recorder(tmp_path, None, "none", on_miss="synthesize") as replayer:
        again = httpx.post(replayer.base_url + "/v1/files", files=files, headers=headers)  # a new boundary
        other = httpx.post(replayer.base_url + "/v1/files", files={"file": ("b.txt", b"other", "text/plain")},
                           headers=headers)
    assert recorded.status_code == 200 and again.content == recorded.content
    assert other.status_code == 200 and other.json()["filename"] == "b.txt"  # the mock itself answered


def test_cassette_round_trips_bodies_events_and_binary(tmp_path):
    binary = bytes(range(256))
    events = [RecordedEvent("message_start", '{"type":"message_start"}', 0.01), RecordedEvent(None, "[DONE]", 0.5)]
    original = CassetteFile(tmp_path / "c.yaml", [
        Interaction(_request(BODY), RecordedResponse(200, [("content-type", "application/json")],
                                                     b'{"b":1, "a":  2}')),  # not orjson's bytes: kept as text
        Interaction(_request(BODY), RecordedResponse(200, [("content-type", "text/event-stream")], b"", events)),
        Interaction(_request(BODY), RecordedResponse(200, [("content-type", "application/octet-stream")], binary)),
    ], existed=False, upstream="https://api.example")
    write_cassette(original)
    text = (tmp_path / "c.yaml").read_text()
    assert "json:" in text and "string: '{\"b\":1, \"a\":  2}'" in text and "base64:" in text
    again = read_cassette(tmp_path / "c.yaml")
    assert again.existed and again.upstream == "https://api.example"
    assert [i.response.body for i in again.interactions] == [
        b'{"b":1, "a":  2}', b'event: message_start\ndata: {"type":"message_start"}\n\ndata: [DONE]\n\n', binary]
    assert [(e.name, e.delay) for e in again.interactions[1].response.events] == [("message_start", 0.01), (None, 0.5)]
    assert again.interactions[0].request.body == orjson.dumps(BODY)
