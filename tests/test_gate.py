"""Every rule of the gate: status, error type, message and request id, in the API's envelope."""

from __future__ import annotations

import httpx
import orjson
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import ADMIN_KEY, CURRENT, KEY, LEGACY, MESSAGE_BODY, asgi_client, assert_api_error, headers


@pytest.fixture(scope="module")
def client():
    return asgi_client(Config())


@pytest.fixture(scope="module")
def restricted():
    return asgi_client(Config(api_keys=("sk-ant-api03-good",), admin_keys=("sk-ant-admin01-good",)))


def post_message(client, body=MESSAGE_BODY, **header_args):
    return client.post("/v1/messages", headers=headers(**header_args), content=orjson.dumps(body))


def test_success_carries_request_id(client):
    response = post_message(client)
    assert response.status_code == 200, response.text
    assert response.headers["request-id"].startswith("req_")
    assert response.headers["anthropic-organization-id"]


def test_missing_key(client):
    assert_api_error(post_message(client, key=None), 401, "authentication_error", "x-api-key header is required")


def test_bearer_key_is_accepted(client):
    response = client.post("/v1/messages", content=orjson.dumps(MESSAGE_BODY),
                           headers={"anthropic-version": CURRENT, "authorization": f"Bearer {KEY}"})
    assert response.status_code == 200, response.text


def test_unknown_key_when_keys_are_restricted(restricted):
    assert_api_error(post_message(restricted, key="sk-ant-api03-bad"), 401, "authentication_error",
                     "invalid x-api-key")
    assert post_message(restricted, key="sk-ant-api03-good").status_code == 200


def test_x_api_key_wins_over_bearer(restricted):
    good, bad = "sk-ant-api03-good", "sk-ant-api03-bad"
    body = orjson.dumps(MESSAGE_BODY)
    ok = restricted.post("/v1/messages", content=body,
                         headers={"anthropic-version": CURRENT, "x-api-key": good, "authorization": f"Bearer {bad}"})
    assert ok.status_code == 200
    refused = restricted.post("/v1/messages", content=body,
                              headers={"anthropic-version": CURRENT, "x-api-key": bad, "authorization": f"Bearer {good}"})
    assert_api_error(refused, 401, "authentication_error", "invalid x-api-key")


def test_admin_endpoint_needs_admin_key(client):
    assert_api_error(client.get("/v1/organizations/me", headers=headers()), 403, "permission_error")
    assert client.get("/v1/organizations/me", headers=headers(key=ADMIN_KEY)).status_code == 200


def test_admin_key_is_not_an_api_key(client):
    assert_api_error(post_message(client, key=ADMIN_KEY), 401, "authentication_error", "invalid x-api-key")


def test_configured_admin_keys(restricted):
    assert restricted.get("/v1/organizations/me", headers=headers(key="sk-ant-admin01-good")).status_code == 200
    assert_api_error(restricted.get("/v1/organizations/me", headers=headers(key="sk-ant-admin01-other")),
                     401, "authentication_error", "invalid x-api-key")


def test_missing_version(client):
    response = client.post("/v1/messages", headers={"x-api-key": KEY}, content=orjson.dumps(MESSAGE_BODY))
    assert_api_error(response, 400, "invalid_request_error", "anthropic-version: header is required")


def test_invalid_version(client):
    assert_api_error(post_message(client, version="yesterday"), 400, "invalid_request_error",
                     'anthropic-version: "yesterday" is not a valid version')


@pytest.mark.parametrize("version", ["2023-06-01", "2025-04-01", "2026-10-21", "2027-01-15"])
def test_any_well_formed_date_version(client, version):
    body = {**MESSAGE_BODY} if version >= CURRENT else {**MESSAGE_BODY, "temperature": 0.5}
    assert post_message(client, body=body, version=version).status_code == 200


def test_sampling_parameters_removed_in_2026_10_21(client):
    for name, value in (("temperature", 1.0), ("top_p", 0.9), ("top_k", 5)):
        body = {**MESSAGE_BODY, name: value}
        assert_api_error(post_message(client, body=body), 400, "invalid_request_error",
                         f"{name}: Extra inputs are not permitted")
        assert post_message(client, body=body, version=LEGACY).status_code == 200


def test_sampling_range_checked_in_2023_06_01(client):
    body = {**MESSAGE_BODY, "temperature": 1.5}
    assert_api_error(post_message(client, body=body, version=LEGACY), 400, "invalid_request_error",
                     "temperature: Input should be less than or equal to 1")


def test_unknown_betas_accepted_by_default(client):
    assert post_message(client, anthropic_beta="no-such-beta-2099-01-01").status_code == 200


def test_unknown_beta_rejected_when_strict():
    strict = asgi_client(Config(strict_betas=True))
    response = post_message(strict, anthropic_beta="no-such-beta-2099-01-01")
    body = assert_api_error(response, 400, "invalid_request_error")
    assert "`no-such-beta-2099-01-01`" in body["error"]["message"]
    assert post_message(strict, anthropic_beta="context-management-2025-06-27").status_code == 200


def test_beta_only_field_needs_its_beta(client):
    body = {**MESSAGE_BODY, "context_management": {"edits": []}}
    assert_api_error(post_message(client, body=body), 400, "invalid_request_error",
                     "context_management: Extra inputs are not permitted")
    enabled = post_message(client, body=body, anthropic_beta="files-api-2025-04-14, context-management-2025-06-27")
    assert enabled.status_code == 200, enabled.text


def test_body_over_the_limit_is_413_from_the_edge(client):
    response = client.post("/v1/messages", headers={**headers(), "content-length": str(33 * 1024 * 1024)},
                           content=b"{}")
    assert response.status_code == 413
    assert response.json() == {"error": {"type": "request_too_large", "message": "Request exceeds the maximum size"}}
    assert response.headers["request-id"].startswith("req_")


def test_streamed_body_over_the_limit():
    """A chunked upload without a content-length is cut off once it passes the limit."""
    big = b'{"model": "' + b"x" * (33 * 1024 * 1024) + b'"}'
    chunks = (big[i:i + (1 << 20)] for i in range(0, len(big), 1 << 20))
    with MockServer(Config()) as server:
        response = httpx.post(f"{server.base_url}/v1/messages", headers=headers(), content=chunks, timeout=30)
    assert response.status_code == 413
    assert response.json()["error"]["type"] == "request_too_large"


def test_malformed_json(client):
    response = client.post("/v1/messages", headers=headers(), content=b'{"model": ')
    assert_api_error(response, 400, "invalid_request_error",
                     "The request body is not valid JSON: Expecting value: line 1 column 11 (char 10)")


@pytest.mark.parametrize("body, message", [
    ({"model": "claude-haiku-4-5", "messages": []}, "max_tokens: Field required"),
    ({**MESSAGE_BODY, "max_tokens": "many"}, "max_tokens: Input should be a valid integer"),
    ({**MESSAGE_BODY, "messages": [{"role": "user", "content": "hi", "name": "x"}]},
     "messages.0.name: Extra inputs are not permitted"),
    ({**MESSAGE_BODY, "response_format": {}}, "response_format: Extra inputs are not permitted"),
    ({**MESSAGE_BODY, "tools": [{"name": "t", "input_schema": {"type": "object"}, "defer_loadin": True}]},
     "tools.0.custom.defer_loadin: Extra inputs are not permitted"),
])
def test_schema_violations_name_the_field(client, body, message):
    assert_api_error(post_message(client, body=body), 400, "invalid_request_error", message)


def test_unknown_path_and_wrong_method(client):
    assert_api_error(client.get("/v1/nothing-here", headers=headers()), 404, "not_found_error")
    response = client.get("/v1/messages", headers=headers())
    assert_api_error(response, 405, "invalid_request_error")
    assert response.headers["allow"] == "POST"


def test_beta_query_flag_accepted(client):
    response = client.post("/v1/messages?beta=true", headers=headers(), content=orjson.dumps(MESSAGE_BODY))
    assert response.status_code == 200
    assert client.get("/v1/models?beta=true", headers=headers()).status_code == 200


def test_stateless_mode_checks_shapes_not_behaviour():
    """Generated SDK suites call admin routes with their one key and send beta fields freely."""
    stateless = asgi_client(Config(stateless=True))
    assert stateless.get("/v1/organizations/me", headers=headers()).status_code == 200
    body = {**MESSAGE_BODY, "context_management": {"edits": []}}
    assert post_message(stateless, body=body).status_code == 200
    assert_api_error(post_message(stateless, body={"model": "x"}), 400, "invalid_request_error",
                     "max_tokens: Field required")


def test_browser_preflight_and_cors_headers(client):
    preflight = client.options("/v1/messages", headers={"origin": "http://localhost:5173",
                                                        "access-control-request-method": "POST",
                                                        "access-control-request-headers": "x-api-key, anthropic-version"})
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "x-api-key, anthropic-version"
    response = client.post("/v1/messages", content=orjson.dumps(MESSAGE_BODY),
                           headers={**headers(), "origin": "http://localhost:5173"})
    assert response.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "request-id" in response.headers["access-control-expose-headers"]
    assert_api_error(client.options("/v1/nowhere", headers={"origin": "http://x"}), 404, "not_found_error")
