"""Admin API additions of anthropic 2.16.0: user sign-out and workspaces' inference_data_privacy."""

from __future__ import annotations

from ..helpers import assert_api_error

ADMIN_USER = "user_011C7WWr6DbZnYjmkbEc7pTp"
DEVELOPER = "user_011CggDFyvozW5LZHTsha2iN"
SIGN_OUT = "admin-user-sign-out-2026-10-08"
DEFAULT_PRIVACY = {"human_review": {"type": "enabled"}, "safeguards_storage": {"type": "internal"},
                   "transcripts_storage": {"type": "internal"}}


def test_sign_out_needs_its_beta_and_returns_the_member(client, admin_headers):
    path = f"/v1/organizations/users/{DEVELOPER}/sign_out"
    refused = client.post(path, headers=admin_headers)
    assert_api_error(refused, 400, "invalid_request_error")
    assert SIGN_OUT in refused.json()["error"]["message"]
    signed_out = client.post(path, headers={**admin_headers, "anthropic-beta": SIGN_OUT})
    assert signed_out.status_code == 200, signed_out.text
    assert signed_out.json() == client.get(f"/v1/organizations/users/{DEVELOPER}", headers=admin_headers).json()


def test_sign_out_refuses_admins_and_unknown_users(client, admin_headers):
    beta = {**admin_headers, "anthropic-beta": SIGN_OUT}
    body = assert_api_error(client.post(f"/v1/organizations/users/{ADMIN_USER}/sign_out", headers=beta), 403,
                            "permission_error")
    assert body["error"]["details"] == {"error_code": "cannot_sign_out_privileged_member"}
    assert_api_error(client.post("/v1/organizations/users/user_nope/sign_out", headers=beta), 404, "not_found_error")


def test_inference_data_privacy_defaults_merges_and_is_checked(client, admin_headers):
    created = client.post("/v1/organizations/workspaces", headers=admin_headers, json={"name": "Privacy"}).json()
    assert created["inference_data_privacy"] == DEFAULT_PRIVACY
    path = f"/v1/organizations/workspaces/{created['id']}"
    external = {"type": "external", "external_storage_id": "extstor_01HcZ3n8ZkP4mQYf2a9LdWvX"}
    refused = client.post(path, headers=admin_headers, json={"inference_data_privacy": {"safeguards_storage": external}})
    body = assert_api_error(refused, 400, "invalid_request_error")
    assert body["error"]["details"] == {"error_code": "human_review_on_with_external_storage"}
    change = {"human_review": {"type": "disabled"}, "safeguards_storage": external}
    updated = client.post(path, headers=admin_headers, json={"inference_data_privacy": change}).json()
    assert updated["inference_data_privacy"] == {**DEFAULT_PRIVACY, **change}
    assert client.get(path, headers=admin_headers).json()["inference_data_privacy"] == {**DEFAULT_PRIVACY, **change}
