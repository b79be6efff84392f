"""Issue 23, F3 and F4: rule regexes run on RE2 (linear time, or refused by name when loaded), and
bulk loads (10k rules, a 100k-step sequence) neither freeze other clients nor make matching slow."""

from __future__ import annotations

import json

import pytest

from ..helpers import KEY, LEGACY, MESSAGE_BODY
from .servers import ServerProcess
from .support import assert_envelope, assert_invalid_request, request_bytes, send_raw, while_misbehaving

RULES = 10_000
STEPS = 100_000


@pytest.fixture(scope="module")
def server():
    with ServerProcess() as process:
        yield process


@pytest.fixture(autouse=True)
def clear(server):
    assert send_raw(server, request_bytes("DELETE", "/_mock/rules")).status == 200


def add_rules(server, rules):
    body = json.dumps(rules).encode()
    return send_raw(server, request_bytes("POST", "/_mock/rules", {"content-type": "application/json"}, body), 120)


def say(server, text):
    body = json.dumps({**MESSAGE_BODY, "messages": [{"role": "user", "content": text}]}).encode()
    sent = {"anthropic-version": LEGACY, "content-type": "application/json", "x-api-key": KEY}
    return send_raw(server, request_bytes("POST", "/v1/messages", sent, body), 120)


def reply_text(response):
    assert response.status == 200, response.body[:300]
    return response.json()["content"][0]["text"]


def test_f3_a_catastrophic_pattern_matches_in_linear_time(server):
    rule = {"id": "evil", "match": {"last_user_text": "(a+)+$"}, "respond": {"text": "matched"}}
    assert add_rules(server, rule).status == 201
    body = {"id": "evil-body", "match": {"body": [{"path": "$.messages[0].content", "matches": "^(a|aa)+$"}]},
            "respond": {"text": "body matched"}}
    assert add_rules(server, body).status == 201
    hostile = "a" * 50_000 + "!"  # Python's re backtracks for ever on both; RE2 answers at once
    response = while_misbehaving(server, lambda: [say(server, hostile) for _ in range(3)], checks=3)
    assert not {reply_text(r) for r in response} & {"matched", "body matched"}  # neither matches: the usual reply
    assert reply_text(say(server, "a" * 20)) == "body matched"  # the newer rule wins when both match
    assert reply_text(say(server, "x" + "a" * 20)) == "matched"


@pytest.mark.parametrize("pattern, reason", [(r"(a)\1", "invalid escape"), ("(?=x)y", "perl operator"),
                                             ("(?<!y)z", "perl operator"), ("[", "missing ]")])
def test_f3_a_pattern_re2_cannot_run_is_refused_by_name(server, pattern, reason):
    for rule in ({"id": "r", "match": {"last_user_text": pattern}, "respond": {"text": "x"}},
                 {"id": "r", "match": {"headers": {"x-a": {"matches": pattern}}}, "respond": {"text": "x"}},
                 {"id": "r", "match": {"body": [{"path": "$.model", "matches": pattern}]}, "respond": {"text": "x"}}):
        message = assert_invalid_request(add_rules(server, rule), "rule r", repr(pattern), reason, "RE2")
        assert "Traceback" not in message
    verify = send_raw(server, request_bytes("POST", "/_mock/verify", {"content-type": "application/json"},
                                            json.dumps({"match": {"last_user_text": pattern}}).encode()))
    assert verify.status == 400 and repr(pattern) in verify.json()["error"]["message"], verify.body[:300]


def test_f4_ten_thousand_rules_load_while_others_are_answered_and_match_by_index(server):
    rules = [{"id": f"r{i}", "match": {"operation": "messages_create", "last_user_text": f"needle{i}\\b"},
              "respond": {"text": f"rule {i}"}} for i in range(RULES)]
    rules += [{"id": f"other{i}", "match": {"operation": "models_list"}, "respond": {"status": 200, "body": {}}}
              for i in range(RULES)]
    added = while_misbehaving(server, lambda: add_rules(server, rules), settle=0.2, checks=3)
    assert added.status == 201, added.body[:300]
    assert [rule["id"] for rule in added.json()["rules"]][:2] == ["r0", "r1"] and len(added.json()["rules"]) == 2 * RULES
    assert reply_text(say(server, "find needle9999 here")) == f"rule {RULES - 1}"
    assert reply_text(say(server, "find needle17 here")) == "rule 17"
    assert "needle" not in reply_text(say(server, "no rule matches needle17x"))
    listed = send_raw(server, request_bytes("GET", "/_mock/rules/r5000"))
    assert listed.status == 200 and listed.json()["respond"] == {"text": "rule 5000"}
    # every rule is still found: with all 20k in place a request matching none is answered normally
    matched = while_misbehaving(server, lambda: [say(server, f"needle{i}") for i in (0, 4999, 9998)])
    assert [reply_text(r) for r in matched] == ["rule 0", "rule 4999", "rule 9998"]


def test_f4_a_hundred_thousand_step_sequence_loads_while_others_are_answered(server):
    rule = {"id": "long", "match": {"operation": "messages_create", "headers": {"x-long": "1"}},
            "sequence": [{"text": f"step {i}"} for i in range(STEPS)]}
    added = while_misbehaving(server, lambda: add_rules(server, rule), settle=0.2, checks=3)
    assert added.status == 201, added.body[:300]
    body = json.dumps(MESSAGE_BODY).encode()
    sent = {"anthropic-version": LEGACY, "content-type": "application/json", "x-api-key": KEY, "x-long": "1"}
    texts = [reply_text(send_raw(server, request_bytes("POST", "/v1/messages", sent, body))) for _ in range(3)]
    assert texts == ["step 0", "step 1", "step 2"]


def test_f4_a_refused_rule_in_a_large_batch_is_named(server):
    rules = [{"id": f"r{i}", "match": {"last_user_text": f"x{i}"}, "respond": {"text": "x"}} for i in range(RULES)]
    rules[RULES // 2]["respond"] = {"text": "x", "error": "rate_limit_error"}
    assert_envelope(add_rules(server, rules), 400, "invalid_request_error", f"rule r{RULES // 2}", "one body")
    assert send_raw(server, request_bytes("GET", "/_mock/rules")).json()["rules"] == []
