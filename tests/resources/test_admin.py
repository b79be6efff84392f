"""Admin API: the seeded organization, users, invites, workspaces, members and API keys."""

from __future__ import annotations

from datetime import datetime

import pytest

from ..helpers import LEGACY, assert_api_error, headers
from ..helpers import ADMIN_KEY

ADMIN_USER = "user_011C7WWr6DbZnYjmkbEc7pTp"
DEVELOPER = "user_011CggDFyvozW5LZHTsha2iN"
PRODUCTION = "wrkspc_011CW5fwnvJQoXC17t3MMm2W"
DEFAULT_WORKSPACE = "wrkspc_011C5oFdkxfd9KamxVi8Dbxs"
PRODUCTION_KEY = "apikey_011CTkBis8XnWxAqPRR5JLGV"


def walk(client, path, admin_headers, **params):
    """Every item of an id-cursor list, following after_id."""
    items, after = [], None
    while True:
        page = client.get(path, params={**params, **({"after_id": after} if after else {})},
                          headers=admin_headers).json()
        items += page["data"]
        if not page["has_more"]:
            return items
        after = page["last_id"]


def test_organization_me(client, admin_headers):
    org = client.get("/v1/organizations/me", headers=admin_headers).json()
    assert org == {"id": "6f1d3c2a-8b7e-4a59-9c10-2d4e5f6a7b8c", "type": "organization", "name": "Mock Organization"}


def test_users_list_pages_and_filters(client, admin_headers):
    users = walk(client, "/v1/organizations/users", admin_headers, limit=2)
    assert len(users) == 5 and len({u["id"] for u in users}) == 5
    assert [u["added_at"] for u in users] == sorted((u["added_at"] for u in users), reverse=True)
    assert {u["role"] for u in users} >= {"admin", "developer", "user"}
    back = client.get("/v1/organizations/users", params={"before_id": users[2]["id"], "limit": 1},
                      headers=admin_headers).json()
    assert [u["id"] for u in back["data"]] == [users[1]["id"]] and back["has_more"] is True
    by_email = client.get("/v1/organizations/users", params={"email": "uma.user@example.com"},
                          headers=admin_headers).json()
    assert [u["name"] for u in by_email["data"]] == ["Uma Patel"]
    admins = client.get("/v1/organizations/users", params={"roles[]": "admin"}, headers=admin_headers).json()
    assert [u["id"] for u in admins["data"]] == [ADMIN_USER]


def test_user_update_and_delete_rules(client, admin_headers):
    updated = client.post(f"/v1/organizations/users/{DEVELOPER}", json={"role": "billing"}, headers=admin_headers)
    assert updated.json()["role"] == "billing"
    promote = client.post(f"/v1/organizations/users/{DEVELOPER}", json={"role": "admin"}, headers=admin_headers)
    assert_api_error(promote, 400, "invalid_request_error")
    refused = client.delete(f"/v1/organizations/users/{ADMIN_USER}", headers=admin_headers)
    assert_api_error(refused, 400, "invalid_request_error")
    removed = client.delete(f"/v1/organizations/users/{DEVELOPER}", headers=admin_headers).json()
    assert removed == {"id": DEVELOPER, "type": "user_deleted"}
    assert_api_error(client.get(f"/v1/organizations/users/{DEVELOPER}", headers=admin_headers), 404, "not_found_error")
    members = client.get(f"/v1/organizations/workspaces/{PRODUCTION}/members", headers=admin_headers).json()
    assert DEVELOPER not in {m["user_id"] for m in members["data"]}


def test_invites(client, admin_headers):
    invite = client.post("/v1/organizations/invites", json={"email": "sam@example.com", "role": "developer"},
                         headers=admin_headers).json()
    assert invite["id"].startswith("invite_") and invite["status"] == "pending" and invite["accepted_at"] is None
    invited = datetime.fromisoformat(invite["invited_at"])
    assert (datetime.fromisoformat(invite["expires_at"]) - invited).days == 21
    assert client.get(f"/v1/organizations/invites/{invite['id']}", headers=admin_headers).json() == invite
    again = client.post("/v1/organizations/invites", json={"email": "sam@example.com", "role": "user"},
                        headers=admin_headers)
    assert assert_api_error(again, 400, "invalid_request_error")["error"]["details"] == \
        {"error_code": "invite_already_exists"}
    member = client.post("/v1/organizations/invites", json={"email": "uma.user@example.com", "role": "user"},
                         headers=admin_headers)
    assert assert_api_error(member, 400, "invalid_request_error")["error"]["details"] == \
        {"error_code": "already_member"}
    admin_role = client.post("/v1/organizations/invites", json={"email": "x@example.com", "role": "admin"},
                             headers=admin_headers)
    assert_api_error(admin_role, 400, "invalid_request_error")
    listed = walk(client, "/v1/organizations/invites", admin_headers, limit=1)
    assert invite["id"] in {i["id"] for i in listed} and len(listed) == 2
    assert client.delete(f"/v1/organizations/invites/{invite['id']}", headers=admin_headers).json() == \
        {"id": invite["id"], "type": "invite_deleted"}


def test_workspaces_create_update_archive_and_list(client, admin_headers):
    workspace = client.post("/v1/organizations/workspaces", json={"name": "Testing", "tags": {"env": "test"}},
                            headers=admin_headers).json()
    assert workspace["id"].startswith("wrkspc_") and workspace["archived_at"] is None
    assert workspace["data_residency"]["workspace_geo"] == "us" and workspace["tags"] == {"env": "test"}
    updated = client.post(f"/v1/organizations/workspaces/{workspace['id']}",
                          json={"name": "Testing 2", "tags": {"env": None, "team": "qa"}}, headers=admin_headers)
    assert updated.json()["name"] == "Testing 2" and updated.json()["tags"] == {"team": "qa"}

    active = {w["id"] for w in walk(client, "/v1/organizations/workspaces", admin_headers, limit=2)}
    assert workspace["id"] in active and DEFAULT_WORKSPACE not in active
    archived = client.post(f"/v1/organizations/workspaces/{workspace['id']}/archive", headers=admin_headers).json()
    assert archived["archived_at"] is not None
    active = {w["id"] for w in walk(client, "/v1/organizations/workspaces", admin_headers)}
    assert workspace["id"] not in active
    everything = {w["id"] for w in walk(client, "/v1/organizations/workspaces", admin_headers,
                                        include_archived="true", include_default="true")}
    assert {workspace["id"], DEFAULT_WORKSPACE} <= everything
    renamed = client.post(f"/v1/organizations/workspaces/{workspace['id']}", json={"name": "x"}, headers=admin_headers)
    assert_api_error(renamed, 400, "invalid_request_error")


def test_at_most_100_active_workspaces(client, admin_headers):
    active = len(walk(client, "/v1/organizations/workspaces", admin_headers, limit=1000))
    for i in range(100 - active):
        assert client.post("/v1/organizations/workspaces", json={"name": f"w{i}"}, headers=admin_headers).is_success
    over = client.post("/v1/organizations/workspaces", json={"name": "one too many"}, headers=admin_headers)
    assert_api_error(over, 400, "invalid_request_error")
    last = walk(client, "/v1/organizations/workspaces", admin_headers, limit=1000)[0]
    client.post(f"/v1/organizations/workspaces/{last['id']}/archive", headers=admin_headers)
    assert client.post("/v1/organizations/workspaces", json={"name": "fits again"}, headers=admin_headers).is_success


def test_workspace_members(client, admin_headers):
    base = f"/v1/organizations/workspaces/{PRODUCTION}/members"
    added = client.post(base, json={"user_id": ADMIN_USER, "workspace_role": "workspace_user"}, headers=admin_headers)
    assert added.json() == {"type": "workspace_member", "user_id": ADMIN_USER, "workspace_id": PRODUCTION,
                            "workspace_role": "workspace_user"}
    twice = client.post(base, json={"user_id": ADMIN_USER, "workspace_role": "workspace_user"}, headers=admin_headers)
    assert_api_error(twice, 400, "invalid_request_error")
    updated = client.post(f"{base}/{ADMIN_USER}", json={"workspace_role": "workspace_billing"}, headers=admin_headers)
    assert updated.json()["workspace_role"] == "workspace_billing"
    members = walk(client, base, admin_headers, limit=1)
    assert [m["user_id"] for m in members][0] == ADMIN_USER and len(members) == 3
    removed = client.delete(f"{base}/{ADMIN_USER}", headers=admin_headers).json()
    assert removed == {"type": "workspace_member_deleted", "user_id": ADMIN_USER, "workspace_id": PRODUCTION}
    assert_api_error(client.get(f"{base}/{ADMIN_USER}", headers=admin_headers), 404, "not_found_error")
    unknown_user = client.post(base, json={"user_id": "user_011CNobody000000000000",
                                           "workspace_role": "workspace_user"}, headers=admin_headers)
    assert_api_error(unknown_user, 404, "not_found_error")


def test_api_keys(client, admin_headers):
    keys = walk(client, "/v1/organizations/api_keys", admin_headers, limit=1)
    assert {k["id"] for k in keys} >= {PRODUCTION_KEY}
    key = client.get(f"/v1/organizations/api_keys/{PRODUCTION_KEY}", headers=admin_headers).json()
    assert key["scope"] == {"type": "workspace", "workspace_id": PRODUCTION}
    assert key["created_by"] == {"id": ADMIN_USER, "type": "user"} and key["partial_key_hint"].endswith("0001")
    renamed = client.post(f"/v1/organizations/api_keys/{PRODUCTION_KEY}", json={"name": "renamed",
                                                                               "status": "inactive"},
                          headers=admin_headers).json()
    assert renamed["name"] == "renamed" and renamed["status"] == "inactive"
    inactive = client.get("/v1/organizations/api_keys", params={"status": "inactive"}, headers=admin_headers).json()
    assert PRODUCTION_KEY in {k["id"] for k in inactive["data"]}
    in_production = client.get("/v1/organizations/api_keys", params={"workspace_id": PRODUCTION},
                               headers=admin_headers).json()
    assert [k["id"] for k in in_production["data"]] == [PRODUCTION_KEY]
    legacy = client.get(f"/v1/organizations/api_keys/{PRODUCTION_KEY}", headers=headers(LEGACY, key=ADMIN_KEY))
    assert legacy.json()["workspace_id"] == PRODUCTION


def test_archiving_a_workspace_archives_its_keys(client, admin_headers):
    client.post(f"/v1/organizations/workspaces/{PRODUCTION}/archive", headers=admin_headers)
    key = client.get(f"/v1/organizations/api_keys/{PRODUCTION_KEY}", headers=admin_headers).json()
    assert key["status"] == "archived"
    update = client.post(f"/v1/organizations/api_keys/{PRODUCTION_KEY}", json={"name": "x"}, headers=admin_headers)
    assert_api_error(update, 400, "invalid_request_error")


@pytest.mark.parametrize("method, path", [
    ("GET", "/v1/organizations/users/user_011CNobody000000000000"),
    ("POST", "/v1/organizations/users/user_011CNobody000000000000"),
    ("DELETE", "/v1/organizations/users/user_011CNobody000000000000"),
    ("GET", "/v1/organizations/invites/invite_011CNobody0000000000000"),
    ("DELETE", "/v1/organizations/invites/invite_011CNobody0000000000000"),
    ("GET", "/v1/organizations/workspaces/wrkspc_011CNobody00000000000"),
    ("POST", "/v1/organizations/workspaces/wrkspc_011CNobody00000000000/archive"),
    ("GET", "/v1/organizations/workspaces/wrkspc_011CNobody00000000000/members"),
    ("GET", f"/v1/organizations/workspaces/{PRODUCTION}/members/user_011CNobody000000000000"),
    ("GET", "/v1/organizations/api_keys/apikey_011CNobody00000000000"),
])
def test_unknown_ids_are_404(client, admin_headers, method, path):
    body = {"role": "user"} if method == "POST" and "/users/" in path else None
    assert_api_error(client.request(method, path, json=body, headers=admin_headers), 404, "not_found_error")
