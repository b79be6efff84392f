"""The command fails on planted differences (a missing key, a stricter rule, a wrong error type, a
broken stream, an ignored forced tool), sends what decides the answer, and exits 0 / 1 / 2 as documented."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ElementTree

import pytest

from mockserver.conformance import run_conformance
from mockserver.conformance.report import Progress
from mockserver.contract.sse import parse_sse

from .support import (conformance, doctored_server, everyday_calls, json_reply, record_with_vcrpy,
                      write_cassette)

REFUSAL = {"type": "error", "error": {"type": "invalid_request_error", "message": "no"}, "request_id": "req_1"}
PLAIN, FORCED, STREAM, COUNT, UPLOAD, READ, REFUSED = range(7)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return record_with_vcrpy(tmp_path_factory.mktemp("vcr") / "everyday.yaml", everyday_calls)


def _as_recorded(interaction: dict) -> tuple[int, dict[str, str], bytes]:
    response = interaction["response"]
    content_type = response["headers"]["content-type"][0]
    return response["status"]["code"], {"content-type": content_type}, response["body"]["string"].encode()


def _replay_against(tmp_path, interaction: dict, reply) -> tuple[list[str], list]:
    """Replay one recorded exchange against a server answering `reply`; the causes it reports."""
    cassette = write_cassette(tmp_path / "one.yaml", [interaction])
    with doctored_server(lambda *request: reply) as server:
        report = run_conformance([cassette], base_url=server.base_url)
    return [d.cause for d in report.results[0].differences], server.received


def _body(interaction: dict) -> dict:
    return json.loads(interaction["response"]["body"]["string"])


def test_the_recorded_answers_themselves_pass(recorded, tmp_path):
    for interaction in recorded:
        causes, _ = _replay_against(tmp_path, interaction, _as_recorded(interaction))
        assert causes == [], interaction["request"]["uri"]


def test_a_missing_key_and_a_key_of_another_json_type_are_differences(recorded, tmp_path):
    message = _body(recorded[PLAIN])
    del message["usage"]["output_tokens"]
    message["stop_reason"] = 7
    causes, _ = _replay_against(tmp_path, recorded[PLAIN], json_reply(200, message))
    assert sorted(causes) == ["missing key usage.output_tokens", "type of stop_reason: number, real string"]


def test_a_missing_key_in_a_content_block_is_named_by_the_block_type(recorded, tmp_path):
    message = _body(recorded[FORCED])
    del message["content"][0]["id"]
    causes, _ = _replay_against(tmp_path, recorded[FORCED], json_reply(200, message))
    assert causes == ["missing key content[tool_use].id"]


def test_a_stricter_rule_400_where_the_real_api_said_200(recorded, tmp_path):
    causes, _ = _replay_against(tmp_path, recorded[PLAIN], json_reply(400, REFUSAL))
    assert causes == ["stricter: 400 invalid_request_error where the real API said 200: no"]


def test_a_wrong_error_type_or_status(recorded, tmp_path):
    assert recorded[REFUSED]["response"]["status"]["code"] == 400
    envelope = _body(recorded[REFUSED])
    envelope["error"]["type"] = "not_found_error"
    causes, _ = _replay_against(tmp_path, recorded[REFUSED], json_reply(400, envelope))
    assert causes == ["error.type not_found_error, real invalid_request_error"]
    causes, _ = _replay_against(tmp_path, recorded[REFUSED], json_reply(404, envelope))
    assert causes == ["status 404, real 400 (invalid_request_error)"]
    causes, _ = _replay_against(tmp_path, recorded[REFUSED], json_reply(200, _body(recorded[PLAIN])))
    assert causes == ["status 200, real 400 (invalid_request_error)"]


def test_a_broken_stream(recorded, tmp_path):
    status, headers, stream = _as_recorded(recorded[STREAM])
    cut = stream[:stream.rindex(b"event: message_stop")]
    causes, _ = _replay_against(tmp_path, recorded[STREAM], (status, headers, cut))
    assert causes == ["grammar: the stream ends without message_stop (last event: message_delta)"]
    causes, _ = _replay_against(tmp_path, recorded[STREAM], json_reply(200, _body(recorded[PLAIN])))
    assert causes == ["not a stream: application/json"]


def test_a_stream_accumulating_to_a_message_without_a_real_key(recorded, tmp_path):
    status, headers, stream = _as_recorded(recorded[STREAM])
    start = stream.index(b"event: message_start")
    end = stream.index(b"\n\n", start)
    event = json.loads(stream[start:end].split(b"data: ", 1)[1])
    del event["message"]["role"]
    doctored = stream[:start] + b"event: message_start\ndata: " + json.dumps(event).encode() + stream[end:]
    causes, _ = _replay_against(tmp_path, recorded[STREAM], (status, headers, doctored))
    assert causes == ["accumulated: missing key role"]


def test_forced_content_a_named_tool_and_thinking_first(recorded, tmp_path):
    message = _body(recorded[FORCED])
    message["content"] = [{"type": "text", "text": "I would rather not."}]
    causes, _ = _replay_against(tmp_path, recorded[FORCED], json_reply(200, message))
    assert causes == ["tool_choice names a tool, no tool_use of it"]
    status, headers, stream = _as_recorded(recorded[STREAM])
    events = [(e.name, e.json()) for e in parse_sse(stream).events]
    assert events[1][1]["content_block"]["type"] == "thinking"
    text_first = []
    for name, payload in events:  # the thinking block left out, the blocks after it renumbered
        if "index" in payload:
            if payload["index"] == 0:
                continue
            payload["index"] -= 1
        text_first.append(f"event: {name}\ndata: {json.dumps(payload)}\n\n")
    causes, _ = _replay_against(tmp_path, recorded[STREAM], (status, headers, "".join(text_first).encode()))
    assert "thinking enabled, the first block is text" in causes


def test_the_request_carries_method_target_body_version_beta_and_a_dummy_key(recorded, tmp_path):
    interaction = {**recorded[PLAIN], "request": {**recorded[PLAIN]["request"]}}
    interaction["request"]["headers"] = {**interaction["request"]["headers"], "anthropic-beta": ["files-api-2025-04-14"]}
    admin = {"request": {"method": "GET", "uri": "https://api.anthropic.com/v1/organizations/users?limit=2",
                         "headers": {"anthropic-version": ["2023-06-01"]}, "body": None},
             "response": {"status": {"code": 200, "message": "OK"}, "headers": {"content-type": ["application/json"]},
                          "body": {"string": '{"data": [], "has_more": false, "first_id": null, "last_id": null}'}}}
    cassette = write_cassette(tmp_path / "two.yaml", [interaction, admin])
    with doctored_server(lambda *request: _as_recorded(recorded[PLAIN])) as server:
        run_conformance([cassette], base_url=server.base_url, api_version="2026-10-21")
    (method, path, headers), (admin_method, admin_path, admin_headers) = server.received
    assert (method, path, admin_method, admin_path) == ("POST", "/v1/messages", "GET", "/v1/organizations/users?limit=2")
    assert headers["anthropic-version"] == admin_headers["anthropic-version"] == "2026-10-21"
    assert headers["anthropic-beta"] == "files-api-2025-04-14" and headers["content-type"] == "application/json"
    assert headers["x-api-key"].startswith("sk-ant-api03-") and admin_headers["x-api-key"].startswith("sk-ant-admin")
    assert "authorization" not in headers


def test_exit_codes_and_junit_failures(recorded, tmp_path):
    cassette = write_cassette(tmp_path / "all.yaml", recorded)
    refusal = json_reply(400, REFUSAL)
    junit = tmp_path / "report.xml"
    with doctored_server(lambda *request: refusal) as server:
        done = conformance(str(cassette), "--base-url", server.base_url, "--junit-xml", str(junit))
    assert done.returncode == 1, done.stderr
    assert "stricter: 400 invalid_request_error where the real API said 200: no" in done.stdout
    assert "6 with differences" in done.stdout  # the recorded 400 agrees
    suite = ElementTree.parse(junit).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("7", "6")
    assert suite[0].find("failure").get("message").startswith("stricter: 400")
    assert suite[REFUSED].find("failure") is None


@pytest.mark.parametrize("setup, message", [
    (lambda tmp: tmp / "missing.yaml", "missing.yaml: no such file or directory"),
    (lambda tmp: _write(tmp / "garbage.yaml", "interactions: [unclosed"), "garbage.yaml: cannot read it"),
    (lambda tmp: _write(tmp / "plain.yaml", "just: a mapping"), "plain.yaml: not a cassette"),
    (lambda tmp: _write(tmp / "gz.yaml.gz", "not gzip"), "gz.yaml.gz: cannot read it"),
    (lambda tmp: _write(tmp / "empty.yaml", "interactions: []"), "no Anthropic API exchanges"),
])
def test_usage_errors_exit_2_with_one_line_and_no_traceback(tmp_path, setup, message):
    done = conformance(str(setup(tmp_path)))
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreachable_base_url_is_a_usage_error(recorded, tmp_path):
    cassette = write_cassette(tmp_path / "one.yaml", recorded[:1])
    done = conformance(str(cassette), "--base-url", "http://127.0.0.1:9")
    assert done.returncode == 2 and "cannot reach http://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_progress_bar_on_a_terminal_and_plain_lines_elsewhere(recorded, tmp_path):
    cassette = write_cassette(tmp_path / "all.yaml", recorded)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal, log = Terminal(), io.StringIO()
    report = run_conformance([cassette], progress=Progress(terminal))
    assert report.ok and "[" + "#" * 30 + "] 7/7" in terminal.getvalue()
    refusal = json_reply(400, REFUSAL)
    with doctored_server(lambda *request: refusal) as server:
        run_conformance([cassette], base_url=server.base_url, progress=Progress(log))
    lines = log.getvalue().splitlines()
    assert len(lines) == 6 and all(line.startswith("  DIFF ") and "stricter: 400" in line for line in lines)


def _write(path, text: str):
    path.write_text(text)
    return path


