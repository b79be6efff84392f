"""State in a data dir outlives the app: a second app on the same folder sees everything."""

from __future__ import annotations

from mockserver.resources.files import save_file

from ..helpers import MODEL
from .conftest import SKILL_MD, app_store, close


def test_a_restarted_app_sees_the_same_state(make_client, tmp_path, api_headers, admin_headers):
    first = make_client(data_dir=tmp_path)
    batch = first.post("/v1/messages/batches", headers=api_headers, json={"requests": [
        {"custom_id": "a", "params": {"model": MODEL, "max_tokens": 8, "messages": [{"role": "user", "content": "Hi"}]}}
    ]}).json()
    results = first.get(f"/v1/messages/batches/{batch['id']}/results", headers=api_headers).content
    uploaded = first.post("/v1/files", files={"file": ("a.txt", b"kept bytes", "text/plain")}, headers=api_headers).json()
    store = app_store(first)
    with store.new_blob() as blob:
        blob.write(b"tool output")
    made = save_file(store, filename="out.txt", mime_type="text/plain", blob=blob.name, size_bytes=blob.size,
                     now=1_795_000_000.0, downloadable=True)
    skill = first.post("/v1/skills", files=[("files[]", ("greeter/SKILL.md", SKILL_MD, "text/markdown"))],
                       headers=api_headers).json()
    workspace = first.post("/v1/organizations/workspaces", json={"name": "Kept"}, headers=admin_headers).json()
    users_before = first.get("/v1/organizations/users", headers=admin_headers).json()
    close(first)

    second = make_client(data_dir=tmp_path)
    assert second.get(f"/v1/messages/batches/{batch['id']}", headers=api_headers).json()["id"] == batch["id"]
    assert second.get(f"/v1/messages/batches/{batch['id']}/results", headers=api_headers).content == results
    assert second.get(f"/v1/files/{uploaded['id']}", headers=api_headers).json() == uploaded
    assert second.get(f"/v1/files/{made['id']}/content", headers=api_headers).content == b"tool output"
    assert second.get(f"/v1/skills/{skill['id']}", headers=api_headers).json() == skill
    zipped = second.get(f"/v1/skills/{skill['id']}/versions/latest/content", headers=api_headers)
    assert zipped.status_code == 200 and zipped.content.startswith(b"PK")
    assert second.get(f"/v1/organizations/workspaces/{workspace['id']}", headers=admin_headers).json() == workspace
    assert second.get("/v1/organizations/users", headers=admin_headers).json() == users_before  # seeded once

    another = second.post("/v1/files", files={"file": ("b.txt", b"new", "text/plain")}, headers=api_headers).json()
    assert another["id"] not in {uploaded["id"], made["id"]}
    assert (tmp_path / "mock.sqlite3").exists() and (tmp_path / "files").is_dir()
