"""`POST /v1/oauth/token`, driven by the SDK's own credential code over a real socket: the workload-identity
(jwt-bearer) exchange and a user-OAuth refresh, then an API call with the token it got."""

from __future__ import annotations

import json
from pathlib import Path

import anthropic
import httpx
import pytest
from anthropic.lib.credentials import exchange_federation_assertion

from mockserver.testing import MockProcess

from ..helpers import CURRENT


@pytest.fixture(scope="module")
def mock():
    with MockProcess() as process:
        yield process


def test_a_workload_identity_assertion_is_exchanged_for_a_working_token(mock):
    token = exchange_federation_assertion(assertion="eyJhbGciOiJSUzI1NiJ9.e30.sig", federation_rule_id="fdrl_1",
                                          organization_id="org_1", base_url=mock.base_url)
    assert token.token.startswith("sk-ant-oat01-") and "eyJ" not in token.token
    assert token.expires_at is not None
    client = anthropic.Anthropic(auth_token=token.token, base_url=mock.base_url)
    assert client.models.list().data


def test_a_user_oauth_profile_refreshes_its_expired_token(mock, tmp_path: Path, monkeypatch):
    (tmp_path / "configs").mkdir()
    (tmp_path / "credentials").mkdir()
    (tmp_path / "configs" / "default.json").write_text(json.dumps(
        {"authentication": {"type": "user_oauth", "client_id": "client_1"}, "base_url": mock.base_url}))
    (tmp_path / "credentials" / "default.json").write_text(json.dumps(
        {"type": "oauth_token", "access_token": "expired", "expires_at": 1, "refresh_token": "rt_1"}))
    (tmp_path / "credentials" / "default.json").chmod(0o600)
    monkeypatch.setenv("ANTHROPIC_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    monkeypatch.delenv("ANTHROPIC_AUTH_TOKEN", raising=False)
    client = anthropic.Anthropic(base_url=mock.base_url)
    assert client.models.list().data
    stored = json.loads((tmp_path / "credentials" / "default.json").read_text())
    assert stored["access_token"].startswith("sk-ant-oat01-") and stored["refresh_token"] != "rt_1"


@pytest.mark.parametrize("body, field", [
    ({"grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer", "federation_rule_id": "r", "organization_id": "o"},
     "assertion"),
    ({"grant_type": "refresh_token", "refresh_token": "rt"}, "client_id"),
])
def test_a_grant_missing_a_field_gets_the_api_error(mock, body, field):
    response = httpx.post(f"{mock.base_url}/v1/oauth/token", json=body)
    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_request_error" and field in response.json()["error"]["message"]


def test_an_unknown_grant_type_is_refused_by_the_gate(mock):
    response = httpx.post(f"{mock.base_url}/v1/oauth/token", json={"grant_type": "password"},
                          headers={"anthropic-version": CURRENT})
    assert response.status_code == 400 and response.json()["type"] == "error"
