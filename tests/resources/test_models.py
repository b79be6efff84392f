"""Models: the catalog newest first, id-cursor paging, aliases, unknown ids, an extra models file."""

from __future__ import annotations

from ..helpers import assert_api_error


def test_list_is_newest_first_and_pages(client, api_headers):
    first = client.get("/v1/models", params={"limit": 3}, headers=api_headers).json()
    assert len(first["data"]) == 3 and first["has_more"] is True
    dates = [m["created_at"] for m in first["data"]]
    assert dates == sorted(dates, reverse=True)
    following = client.get("/v1/models", params={"limit": 3, "after_id": first["last_id"]},
                           headers=api_headers).json()
    assert following["data"][0]["created_at"] <= dates[-1]
    back = client.get("/v1/models", params={"limit": 3, "before_id": following["first_id"]},
                      headers=api_headers).json()
    assert back["data"] == first["data"] and back["has_more"] is False
    everything = client.get("/v1/models", params={"limit": 1000}, headers=api_headers).json()
    assert everything["has_more"] is False and all(m["type"] == "model" for m in everything["data"])
    assert_api_error(client.get("/v1/models", params={"after_id": "claude-nope"}, headers=api_headers),
                     400, "invalid_request_error")


def test_retrieve_by_id_or_alias(client, api_headers):
    by_alias = client.get("/v1/models/claude-haiku-4-5", headers=api_headers).json()
    assert by_alias["id"] == "claude-haiku-4-5-20251001" and by_alias["display_name"] == "Claude Haiku 4.5"
    assert client.get(f"/v1/models/{by_alias['id']}", headers=api_headers).json() == by_alias
    assert_api_error(client.get("/v1/models/claude-nope-1", headers=api_headers), 404, "not_found_error",
                     "model: claude-nope-1")


def test_lifecycle_filter_and_extra_models_file(make_client, tmp_path, api_headers):
    extra = tmp_path / "models.yaml"
    extra.write_text("models:\n  - {id: acme-model-1, display_name: Acme One, created_at: '2030-01-01T00:00:00Z',"
                     " lifecycle: deprecated, deprecated_at: '2030-02-01T00:00:00Z'}\n")
    client = make_client(models_file=extra)
    newest = client.get("/v1/models", params={"limit": 1}, headers=api_headers).json()["data"][0]
    assert newest["id"] == "acme-model-1" and newest["lifecycle"] == "deprecated"
    deprecated = client.get("/v1/models", params={"lifecycle[]": "deprecated"}, headers=api_headers).json()
    assert "acme-model-1" in {m["id"] for m in deprecated["data"]}
    assert all(m["lifecycle"] == "deprecated" for m in deprecated["data"])
