"""Each record mode on a hit and on a miss, and the miss error: its status, envelope, the closest
recording and first difference it names, and its journal entry."""

from __future__ import annotations

import httpx
import pytest

from mockserver.config import Config
from mockserver.recording.modes import resolve_mode
from mockserver.server import MockServer

from .support import BODY, cassette_text, dead_url, post, recorder, upstream

OTHER = {**BODY, "messages": [{"role": "user", "content": "Something else"}]}


def _count(folder, name: str = "default") -> int:
    return cassette_text(folder, name).count("- request:")


def _record_one(folder) -> httpx.Response:
    with upstream() as real, recorder(folder, real.base_url, "once") as proxy:
        return post(proxy)


def test_none_replays_hits_and_answers_misses_with_the_documented_error(tmp_path):
    recorded = _record_one(tmp_path)
    with recorder(tmp_path, None, "none") as replayer:
        hit, miss = post(replayer), post(replayer, OTHER)  # the journal is off: only the miss turns it on
        post(replayer)
        journal = httpx.get(replayer.base_url + "/_mock/journal").json()["requests"]
    assert hit.status_code == 200 and hit.content == recorded.content
    assert miss.status_code == 599
    error = miss.json()
    assert error["type"] == "error" and error["request_id"] == miss.headers["request-id"]
    assert error["error"]["type"] == "mock_cassette_miss"
    message = error["error"]["message"]
    assert "closest recorded request: POST /v1/messages (interaction #1)" in message
    assert "body messages[0].content: 'Hello' != 'Something else'" in message
    assert [(e["status"], e["rule"]) for e in journal] == [(599, "mock_cassette_miss"), (200, "cassette_replay")]
    assert journal[0]["error"] == "mock_cassette_miss" and journal[0]["request_id"] == error["request_id"]
    assert _count(tmp_path) == 1  # nothing recorded


def test_a_miss_on_another_route_names_the_first_difference_in_the_uri(tmp_path):
    _record_one(tmp_path)
    with recorder(tmp_path, None, "none") as replayer:
        miss = post(replayer, {"model": "claude-sonnet-4-6", "messages": BODY["messages"]},
                    "/v1/messages/count_tokens")
    assert miss.status_code == 599
    assert "uri: recorded '/v1/messages', sent '/v1/messages/count_tokens'" in miss.json()["error"]["message"]


def test_on_miss_synthesize_falls_back_to_the_mock(tmp_path):
    _record_one(tmp_path)
    with recorder(tmp_path, None, "none", on_miss="synthesize", journal=True) as replayer:
        miss = post(replayer, OTHER)
        journal = httpx.get(replayer.base_url + "/_mock/journal").json()["requests"]
    assert miss.status_code == 200 and miss.json()["type"] == "message"
    assert miss.headers["anthropic-organization-id"]
    assert journal[-1]["rule"] is None and journal[-1]["status"] == 200


def test_once_records_a_new_cassette_then_only_replays(tmp_path):
    with upstream() as real:
        with recorder(tmp_path, real.base_url, "once") as proxy:
            first, again = post(proxy), post(proxy)  # a new cassette records every request
        assert _count(tmp_path) == 2
        with recorder(tmp_path, real.base_url, "once") as proxy:
            hit, miss = post(proxy), post(proxy, OTHER)
    assert hit.content == first.content
    assert miss.status_code == 599 and miss.json()["error"]["type"] == "mock_cassette_miss"
    assert _count(tmp_path) == 2


def test_new_episodes_replays_hits_and_records_misses(tmp_path):
    recorded = _record_one(tmp_path)
    with upstream(seed=12) as real, recorder(tmp_path, real.base_url, "new_episodes") as proxy:
        hit, miss = post(proxy), post(proxy, OTHER)
        second_of_a_kind = post(proxy)  # the recorded answers for this request are used up: record
    assert hit.content == recorded.content
    assert miss.status_code == 200 and miss.json()["type"] == "message"
    assert second_of_a_kind.content != recorded.content  # seed 12 upstream: another reply
    assert _count(tmp_path) == 3


def test_all_forwards_everything_and_rewrites_the_cassette(tmp_path):
    recorded = _record_one(tmp_path)
    with upstream(seed=12) as real, recorder(tmp_path, real.base_url, "all") as proxy:
        fresh = post(proxy)
    assert fresh.content != recorded.content
    assert _count(tmp_path) == 1
    with recorder(tmp_path, None, "none") as replayer:
        assert post(replayer).content == fresh.content


def test_passthrough_forwards_and_records_nothing(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "passthrough") as proxy:
        forwarded = post(proxy)
    assert forwarded.status_code == 200 and forwarded.json()["type"] == "message"
    assert not (tmp_path / "default.yaml").exists()


def test_identical_requests_replay_their_answers_in_order_then_the_last_again(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        answers = [post(proxy, x_mock_error="overloaded_error", x_mock_error_count="1").status_code,
                   post(proxy).status_code]
    assert answers == [529, 200]
    with recorder(tmp_path, None, "none") as replayer:
        replayed = [post(replayer).status_code for _ in range(3)]
    assert replayed == [529, 200, 200]


def test_the_cassette_header_picks_another_cassette(tmp_path):
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        post(proxy, x_mock_cassette="suite/one")
    assert (tmp_path / "suite" / "one.yaml").exists() and not (tmp_path / "default.yaml").exists()
    with recorder(tmp_path, None, "none") as replayer:
        assert post(replayer, x_mock_cassette="suite/one").status_code == 200
        assert post(replayer).status_code == 599
        bad = post(replayer, x_mock_cassette="../escape")
    assert bad.status_code == 400 and bad.json()["error"]["type"] == "invalid_request_error"


def test_an_unreachable_upstream_answers_in_the_envelope(tmp_path):
    with recorder(tmp_path, dead_url(), "new_episodes") as proxy:
        response = post(proxy)
    assert response.status_code == 502
    assert response.json()["error"]["type"] == "mock_upstream_error"


def test_recording_settings_are_checked_before_serving(tmp_path):
    assert resolve_mode(None, "http://127.0.0.1:1").value == "once"
    assert resolve_mode(None, None).value == "none"
    with pytest.raises(ValueError, match="give --proxy"):
        resolve_mode("new_episodes", None)
    with pytest.raises(ValueError, match="expected one of"):
        resolve_mode("sometimes", None)
    (tmp_path / "default.yaml").write_text("interactions: [{request: {}}]\n")
    with pytest.raises(ValueError, match="interaction 0 is malformed"):
        MockServer(Config(cassettes=tmp_path))


def test_serve_options_reach_the_config_and_bad_ones_stop_the_command(tmp_path, capsys):
    import argparse

    from mockserver.cli import _serve_parser, config_from_args, main

    parser = argparse.ArgumentParser()
    _serve_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--cassettes", str(tmp_path), "--proxy", "http://127.0.0.1:9",
                              "--record-mode", "new_episodes", "--replay-speed", "0.5", "--keep-ids",
                              "--match-ignore", "$.metadata", "--match-header", "anthropic-beta",
                              "--redact", "$.system", "--normalize", "ids", "--on-miss", "synthesize"])
    config = config_from_args(args)
    assert (config.cassettes, config.record_mode, config.replay_speed, config.keep_ids) == \
        (tmp_path, "new_episodes", 0.5, True)
    assert (config.match_ignore, config.match_headers, config.redact_paths, config.normalize, config.on_miss) == \
        (("$.metadata",), ("anthropic-beta",), ("$.system",), ("ids",), "synthesize")
    for bad, why in ((["--cassettes", str(tmp_path), "--record-mode", "all"], "give --proxy"),
                     (["--proxy", "http://127.0.0.1:9"], "need --cassettes"),
                     (["--cassettes", str(tmp_path), "--normalize", "no-arrow"], "REGEX=>PLACEHOLDER")):
        with pytest.raises(SystemExit):
            main(["serve", "--port", "0", *bad])
        assert why in capsys.readouterr().err


def test_what_each_mode_does_on_a_hit_and_a_miss():
    from mockserver.recording.modes import Action, RecordMode, decide

    expected = {  # mode: (hit, existing cassette), (miss, existing), (hit, new cassette), (miss, new)
        RecordMode.NONE: ("replay", "miss", "replay", "miss"),
        RecordMode.ONCE: ("replay", "miss", "record", "record"),
        RecordMode.NEW_EPISODES: ("replay", "record", "replay", "record"),
        RecordMode.ALL: ("record", "record", "record", "record"),
        RecordMode.PASSTHROUGH: ("forward", "forward", "forward", "forward"),
    }
    for mode, actions in expected.items():
        seen = tuple(decide(mode, hit, existed).value for existed in (True, False) for hit in (True, False))
        assert seen == actions, mode
    assert {a.value for a in Action} == {"replay", "record", "forward", "miss"}


def test_a_stream_the_upstream_breaks_ends_for_the_client_and_is_not_recorded(tmp_path):
    body = {**BODY, "stream": True}
    with upstream() as real, recorder(tmp_path, real.base_url, "new_episodes") as proxy:
        broken = post(proxy, body, x_mock_fault="cut_after_bytes=300")
        whole = post(proxy, body)
    assert 0 < len(broken.content) < len(whole.content)
    assert b"event: message_stop" in whole.content and b"message_stop" not in broken.content
    assert cassette_text(tmp_path).count("- request:") == 1  # only the whole stream
