"""The organization a fresh store starts with, read from `mockserver/data/admin_seed.yaml`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from ..spec.parsed import read_document

from ..store import Store
from .stamps import parse_datetime
from .usage_ledger import partial_hint

SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "admin_seed.yaml"
INVITE_DAYS = 21
DAY = 24 * 3600.0


@lru_cache(maxsize=4)
def load_seed(path: Path = SEED_PATH) -> dict[str, Any]:
    return read_document(path) or {}


def seed_store(store: Store, organization_id: str, path: Path = SEED_PATH) -> None:
    """Insert the seed once per database, whichever worker gets there first."""
    seed = load_seed(path)
    store.once("admin-seed", lambda: _insert(store, organization_id, seed))


def _insert(store: Store, organization_id: str, seed: dict[str, Any]) -> None:
    store.insert("organization", {"id": organization_id, **seed.get("organization", {})})
    for user in sorted(seed.get("users", ()), key=lambda u: u["added_at"]):
        store.insert("user", {**user, "added_at": _time(user["added_at"])})
    for invite in seed.get("invites", ()):
        invited = _time(invite["invited_at"])
        store.insert("invite", {**invite, "invited_at": invited, "expires_at": invited + INVITE_DAYS * DAY,
                                "status": "pending", "accepted_at": None, "rbac_group_ids": []})
    for workspace in seed.get("workspaces", ()):
        store.insert("workspace", new_workspace(workspace, _time(workspace["created_at"])))
    for member in seed.get("workspace_members", ()):
        store.insert("workspace_member", {"id": member["user_id"], "workspace_role": member["workspace_role"]},
                     parent=member["workspace_id"])
    for key in seed.get("api_keys", ()):
        _insert_key(store, key)


def new_workspace(fields: dict[str, Any], now: float) -> dict[str, Any]:
    """A stored workspace: the request's (or seed's) fields over the defaults."""
    residency = {"workspace_geo": "us", "allowed_inference_geos": "unrestricted", "default_inference_geo": "global"}
    residency.update({k: v for k, v in (fields.get("data_residency") or {}).items() if v is not None})
    return {
        **({"id": fields["id"]} if "id" in fields else {}),
        "name": fields["name"], "created_at": now, "archived_at": None, "default": bool(fields.get("default")),
        "display_color": fields.get("display_color") or "#6C5BB9", "data_residency": residency,
        "external_key_id": fields.get("external_key_id"), "user_profile_id": fields.get("user_profile_id"),
        "tags": {k: v for k, v in (fields.get("tags") or {}).items() if v is not None},
        "inference_data_privacy": {**DEFAULT_DATA_PRIVACY, **(fields.get("inference_data_privacy") or {})},
    }


# A workspace's `inference_data_privacy` when the request names no member (the SDK's documented defaults).
DEFAULT_DATA_PRIVACY = {"human_review": {"type": "enabled"}, "safeguards_storage": {"type": "internal"},
                        "transcripts_storage": {"type": "internal"}}


def _insert_key(store: Store, key: dict[str, Any]) -> None:
    raw = key.get("key")
    hint = key.get("partial_key_hint") or (partial_hint(raw) if raw else None)
    store.insert("api_key", {
        "id": key["id"], "name": key["name"], "created_at": _time(key["created_at"]), "partial_key_hint": hint,
        "status": key.get("status", "active"), "workspace_id": key.get("workspace_id"),
        "created_by": key.get("created_by"), "principal": key.get("principal"),
        "expires_at": _time(key["expires_at"]) if key.get("expires_at") else None,
    })
    if raw:
        store.link_api_key(raw, key["id"])


def _time(value: Any) -> float:
    return parse_datetime("seed", str(value))
