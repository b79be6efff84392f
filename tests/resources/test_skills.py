"""Skills and versions: upload rules, both wire shapes, addressing, download, delete order."""

from __future__ import annotations

import io
import zipfile

import pytest

from ..helpers import LEGACY, assert_api_error, headers
from .conftest import SKILL_MD

SCRIPT = b"print('hello')\n"


def files(*entries):
    return [("files[]", (path, data, "application/octet-stream")) for path, data in entries]


def create_skill(client, api_headers, *entries, title="Greeter"):
    entries = entries or (("greeter/SKILL.md", SKILL_MD),)
    response = client.post("/v1/skills", files=files(*entries), data={"display_name": title}, headers=api_headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_skill_with_two_versions(client, api_headers):
    skill = create_skill(client, api_headers, ("greeter/SKILL.md", SKILL_MD), ("greeter/scripts/run.py", SCRIPT))
    assert skill["id"].startswith("skill_")
    assert skill["type"] == "skill" and skill["source"] == {"type": "custom"} and skill["display_name"] == "Greeter"
    first_id = skill["latest_version_id"]
    assert first_id.startswith("skillver_")

    changed = SKILL_MD.replace(b"politely", b"warmly")
    response = client.post(f"/v1/skills/{skill['id']}/versions", files=files(("greeter/SKILL.md", changed)),
                           headers=api_headers)
    second = response.json()
    assert second["id"].startswith("skillver_") and second["skill_id"] == skill["id"]
    assert second["name"] == "greeter" and second["directory"] == "greeter"
    assert second["description"] == "Says hello warmly."
    assert second["version"].isdigit() and len(second["version"]) == 16

    current = client.get(f"/v1/skills/{skill['id']}", headers=api_headers).json()
    assert current["latest_version_id"] == second["id"]
    listed = client.get(f"/v1/skills/{skill['id']}/versions", headers=api_headers).json()
    assert [v["id"] for v in listed["data"]] == [second["id"], first_id] and listed["next_page"] is None
    for address in (second["id"], second["version"], "latest"):
        got = client.get(f"/v1/skills/{skill['id']}/versions/{address}", headers=api_headers).json()
        assert got == second

    content = client.get(f"/v1/skills/{skill['id']}/versions/{first_id}/content", headers=api_headers)
    assert content.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(content.content))
    assert sorted(archive.namelist()) == ["greeter/SKILL.md", "greeter/scripts/run.py"]
    assert archive.read("greeter/scripts/run.py") == SCRIPT


def test_skill_with_versions_cannot_be_deleted_until_they_are_gone(client, api_headers):
    skill = create_skill(client, api_headers)
    refused = client.delete(f"/v1/skills/{skill['id']}", headers=api_headers)
    assert_api_error(refused, 400, "invalid_request_error",
                     "Cannot delete skill with existing versions. Delete all versions first.")
    version = skill["latest_version_id"]
    deleted = client.delete(f"/v1/skills/{skill['id']}/versions/{version}", headers=api_headers).json()
    assert deleted == {"id": version, "type": "skill_version_deleted"}
    assert client.delete(f"/v1/skills/{skill['id']}", headers=api_headers).json() == \
        {"id": skill["id"], "type": "skill_deleted"}
    assert_api_error(client.get(f"/v1/skills/{skill['id']}", headers=api_headers), 404, "not_found_error")


def test_legacy_shape_and_version_strings(client):
    legacy = headers(LEGACY, anthropic_beta="skills-2025-10-02")
    response = client.post("/v1/skills", files=files(("greeter/SKILL.md", SKILL_MD)),
                           data={"display_title": "Greeter"}, headers=legacy)
    skill = response.json()
    assert skill["source"] == "custom" and skill["display_title"] == "Greeter"
    assert skill["latest_version"].isdigit()
    again = client.post("/v1/skills", files=files(("greeter/SKILL.md", SKILL_MD)),
                        data={"display_title": "Greeter"}, headers=legacy)
    assert_api_error(again, 400, "invalid_request_error", "Skill cannot reuse an existing display_title")
    path = f"/v1/skills/{skill['id']}/versions/{skill['latest_version']}"
    assert client.get(path, headers=legacy).json()["version"] == skill["latest_version"]
    assert client.delete(path, headers=legacy).json() == {"id": skill["latest_version"],
                                                          "type": "skill_version_deleted"}
    assert client.get(f"/v1/skills/{skill['id']}", headers=legacy).json()["latest_version"] is None


@pytest.mark.parametrize("entries, message", [
    ((("greeter/README.md", b"hi"),), "SKILL.md file must be exactly in the top-level folder."),
    ((("SKILL.md", SKILL_MD),), "SKILL.md file must be exactly in the top-level folder."),
    ((("greeter/SKILL.md", SKILL_MD), ("other/x.py", SCRIPT)), "All files must be inside a single top-level folder"),
    ((("greeter/SKILL.md", SKILL_MD), ("greeter/../x.py", SCRIPT)), "Invalid file path 'greeter/../x.py'"),
    ((("/greeter/SKILL.md", SKILL_MD),), "Invalid file path '/greeter/SKILL.md'"),
    ((("hello/SKILL.md", SKILL_MD),), "The folder name 'hello' must match the skill name 'greeter' in SKILL.md."),
    ((("greeter/SKILL.md", b"# no front matter\n"),), "SKILL.md must start with YAML frontmatter"),
    ((("greeter/SKILL.md", b"---\nname: greeter\n---\n"),), "SKILL.md frontmatter must include a non-empty"),
    ((("claude-x/SKILL.md", b"---\nname: claude-x\ndescription: d\n---\n"),), "name: must not contain"),
])
def test_bad_uploads_are_400(client, api_headers, entries, message):
    response = client.post("/v1/skills", files=files(*entries), headers=api_headers)
    body = assert_api_error(response, 400, "invalid_request_error")
    assert body["error"]["message"].startswith(message), body["error"]["message"]


def test_a_zip_upload_is_unpacked(client, api_headers):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("greeter/SKILL.md", SKILL_MD)
        archive.writestr("greeter/notes/more.md", b"more")
    skill = create_skill(client, api_headers, ("greeter.zip", buffer.getvalue()))
    version = client.get(f"/v1/skills/{skill['id']}/versions/latest", headers=api_headers).json()
    assert version["directory"] == "greeter"


def test_a_new_version_must_keep_the_name(client, api_headers):
    skill = create_skill(client, api_headers)
    other = b"---\nname: waver\ndescription: Waves.\n---\n"
    response = client.post(f"/v1/skills/{skill['id']}/versions", files=files(("waver/SKILL.md", other)),
                           headers=api_headers)
    assert_api_error(response, 400, "invalid_request_error")


def test_list_pages_with_tokens(client, api_headers):
    ids = [create_skill(client, api_headers, title=f"S{i}")["id"] for i in range(3)][::-1]
    first = client.get("/v1/skills", params={"limit": 2}, headers=api_headers).json()
    assert [s["id"] for s in first["data"]] == ids[:2] and first["has_more"] is True
    rest = client.get("/v1/skills", params={"limit": 2, "page": first["next_page"]}, headers=api_headers).json()
    assert [s["id"] for s in rest["data"]] == ids[2:] and rest["next_page"] is None
    anthropic_only = client.get("/v1/skills", params={"source": "anthropic"}, headers=api_headers).json()
    assert anthropic_only["data"] == []
    assert_api_error(client.get("/v1/skills", params={"page": "page_garbage!"}, headers=api_headers),
                     400, "invalid_request_error")


def test_unknown_skill_and_version_ids_are_404(client, api_headers):
    skill = create_skill(client, api_headers)
    missing = "skill_011CNotThere0000000000000"
    for method, path in (("GET", f"/v1/skills/{missing}"), ("DELETE", f"/v1/skills/{missing}"),
                         ("GET", f"/v1/skills/{missing}/versions"),
                         ("GET", f"/v1/skills/{skill['id']}/versions/skillver_011CNope00000000000000"),
                         ("GET", f"/v1/skills/{skill['id']}/versions/123/content"),
                         ("DELETE", f"/v1/skills/{skill['id']}/versions/123")):
        assert_api_error(client.request(method, path, headers=api_headers), 404, "not_found_error")
