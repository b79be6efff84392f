"""Issue 11, item 13: headers, statuses and faults a rule (or an x-mock-* header) asks for are
checked when the rule is added (or the request arrives), never breaking the connection later."""

from __future__ import annotations

import json

import pytest

from mockserver.cli import main

from .servers import ServerProcess
from .support import (assert_envelope, assert_invalid_request, ordinary_message, request_bytes, send_raw,
                      while_misbehaving)


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


def add_rule(server, rule):
    body = json.dumps(rule).encode()
    return send_raw(server, request_bytes("POST", "/_mock/rules", {"content-type": "application/json"}, body))


def clear(server):
    assert send_raw(server, request_bytes("DELETE", "/_mock/rules")).status == 200


@pytest.mark.parametrize("headers, says", [
    ({"x-injected": "a\r\nset-cookie: stolen=1"}, "control character"),
    ({"x-injected": "a\nb"}, "control character"),
    ({"x bad": "value"}, "not a valid header name"),
    ({"x-euro": "price: 5 €"}, "outside Latin-1"),
    ({"content-length": "5"}, "content-length"),
    ({"Transfer-Encoding": "chunked"}, "transfer-encoding"),
    ({"": "empty name"}, "not a valid header name"),
])
def test_bad_rule_headers_are_refused_when_added(server, headers, says):
    response = while_misbehaving(server, lambda: add_rule(server, {"respond": {"text": "x", "headers": headers}}))
    body = assert_envelope(response, 400, "invalid_request_error", says)
    assert "headers" in body["error"]["message"]
    assert ordinary_message(server).json()["content"][0]["text"] != "x"  # nothing was added


def test_a_bad_content_type_is_refused_when_added(server):
    response = add_rule(server, {"respond": {"status": 200, "body": "x", "content_type": "text/plain\r\nx-a: b"}})
    assert_envelope(response, 400, "invalid_request_error", "content_type")


def test_latin1_and_numeric_header_values_still_work(server):
    added = add_rule(server, {"id": "fine", "respond": {"text": "ok", "headers": {"X-Caf\u00e9-Ok": 1}}})
    assert_envelope(added, 400, "invalid_request_error", "not a valid header name")  # names are ASCII tokens
    added = add_rule(server, {"id": "fine", "respond": {"text": "ok", "headers": {"x-note": "caf\u00e9", "x-n": 2}}})
    assert added.status == 201, added.body
    answered = ordinary_message(server)
    assert answered.status == 200 and answered.headers["x-note"].encode("latin-1") == "café".encode("latin-1")
    assert answered.headers["x-n"] == "2"
    clear(server)


@pytest.mark.parametrize("status", ["0", "99", "1000", "200", "-1", "abc"])
def test_x_mock_error_status_out_of_range_is_a_400_naming_it(server, status):
    response = while_misbehaving(server, lambda: ordinary_message(server, x_mock_error="overloaded_error",
                                                                  x_mock_error_status=status))
    message = assert_invalid_request(response, "x-mock")
    assert "x-mock-error-status must be within 400..599" in message or "invalid literal for int" in message


def test_x_mock_error_status_in_range_still_works(server):
    answered = ordinary_message(server, x_mock_error="overloaded_error", x_mock_error_status="503")
    assert_envelope(answered, 503, "overloaded_error")


@pytest.mark.parametrize("fault, says", [("drip=-4/1ms", "drip"), ("drip=0/1ms", "drip"),
                                         ("cut_after_bytes=-1", "cut_after_bytes")])
def test_a_bad_x_mock_fault_is_a_400_naming_it(server, fault, says):
    response = while_misbehaving(server, lambda: ordinary_message(server, x_mock_fault=fault))
    assert_envelope(response, 400, "invalid_request_error", says)


@pytest.mark.parametrize("status", [204, 304])
def test_no_content_statuses_take_no_body(server, status):
    refused = add_rule(server, {"respond": {"status": status, "body": {"a": 1}}})
    assert_envelope(refused, 400, "invalid_request_error", "no body")
    rule = {"id": f"empty-{status}", "match": {"headers": {"x-which": "empty"}}, "respond": {"status": status}}
    assert add_rule(server, rule).status == 201
    answered = while_misbehaving(server, lambda: ordinary_message(server, x_which="empty"))
    assert answered.status == status and answered.body == b""
    clear(server)


@pytest.mark.parametrize("status", [100, 101, 199])
def test_interim_statuses_are_refused(server, status):
    assert_envelope(add_rule(server, {"respond": {"status": status}}), 400, "invalid_request_error", "status")


def test_a_rules_file_with_a_bad_header_stops_the_server_before_it_starts(tmp_path, capsys):
    rules = tmp_path / "bad.yaml"
    rules.write_text('- respond:\n    text: x\n    headers: {"x-a": "b\\r\\nc: d"}\n')
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--port", "1", "--rules", str(rules)])
    assert stopped.value.code == 2
    assert "control character" in capsys.readouterr().err
