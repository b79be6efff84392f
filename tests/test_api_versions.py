"""What differs between API versions 2023-06-01 and 2026-10-21, each difference tested under both.

The differences come from diffing the request types of the last 0.x SDK (2023-06-01) against the
2.x SDK (2026-10-21) (tools/version_diff.py; reviewed in openapi/src/versions.yaml). The sampling
parameters removed in 2026-10-21 are tested in test_gate.py.
"""

from __future__ import annotations

import orjson
import pytest

from mockserver.config import Config

from .helpers import CURRENT, LEGACY, MESSAGE_BODY, asgi_client, assert_api_error, headers

BOTH = pytest.mark.parametrize("version", [LEGACY, CURRENT])


@pytest.fixture(scope="module")
def client():
    return asgi_client(Config())


def post(client, body, version, path="/v1/messages", **extra):
    return client.post(path, headers=headers(version=version, **extra), content=orjson.dumps(body))


def with_turns(*turns):
    return {**MESSAGE_BODY, "messages": list(turns)}


USER = {"role": "user", "content": "Hello"}
SYSTEM_TURN = {"role": "system", "content": "Answer in French from now on."}


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/messages/count_tokens"])
def test_a_system_turn_inside_messages_is_a_2026_10_21_feature(client, path):
    body = with_turns(USER, SYSTEM_TURN, {"role": "user", "content": "And now?"})
    if path.endswith("count_tokens"):
        body.pop("max_tokens")
    accepted = post(client, body, CURRENT, path)
    assert accepted.status_code == 200, accepted.text
    assert_api_error(post(client, body, LEGACY, path), 400, "invalid_request_error",
                     "messages.1.role: Input should be 'user' or 'assistant'")


@BOTH
def test_an_unknown_role_names_every_allowed_value(client, version):
    allowed = "'user', 'assistant' or 'system'" if version == CURRENT else "'user' or 'assistant'"
    assert_api_error(post(client, with_turns({"role": "robot", "content": "Hi"}), version), 400,
                     "invalid_request_error", f"messages.0.role: Input should be {allowed}")


TOOLSET = {"type": "computer_toolset_20260801", "allowed_callers": ["direct"]}


@BOTH
def test_allowed_callers_on_a_toolset_is_a_2023_06_01_field(client, version):
    """The 2.x types dropped `allowed_callers` from the computer and browser toolsets."""
    response = post(client, {**MESSAGE_BODY, "tools": [TOOLSET]}, version)
    if version == LEGACY:
        assert response.status_code == 200, response.text
    else:
        body = assert_api_error(response, 400, "invalid_request_error")
        assert body["error"]["message"].endswith("allowed_callers: Extra inputs are not permitted")


FALLBACK_TURN = {"role": "assistant", "content": [
    {"type": "text", "text": "Let me answer."},
    {"type": "fallback", "to": {"model": "claude-opus-4-7"}},
]}


@BOTH
def test_a_fallback_block_needs_from_only_in_2026_10_21(client, version):
    body = with_turns(USER, FALLBACK_TURN, {"role": "user", "content": "Go on"})
    response = post(client, body, version)
    if version == LEGACY:
        assert response.status_code == 200, response.text
    else:
        message = assert_api_error(response, 400, "invalid_request_error")["error"]["message"]
        assert message.endswith("from: Field required"), message
