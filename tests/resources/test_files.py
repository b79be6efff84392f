"""Files: multipart upload to disk, metadata, listing styles, download rules, delete."""

from __future__ import annotations

import os

from mockserver.resources.files import save_file

from ..helpers import assert_api_error
from .conftest import app_store


def upload(client, headers, name="notes.txt", data=b"hello files", content_type="text/plain", **fields):
    response = client.post("/v1/files", files={"file": (name, data, content_type)}, data=fields, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_upload_metadata_list_delete(client, api_headers):
    meta = upload(client, api_headers)
    assert meta["id"].startswith("file_")
    assert meta | {"id": None, "created_at": None} == {
        "id": None, "type": "file", "filename": "notes.txt", "mime_type": "text/plain", "size_bytes": 11,
        "created_at": None, "downloadable": False, "expires_at": None}
    assert meta["created_at"].endswith("Z")
    assert client.get(f"/v1/files/{meta['id']}", headers=api_headers).json() == meta
    listed = client.get("/v1/files", headers=api_headers).json()
    assert listed == {"data": [meta], "has_more": False, "first_id": meta["id"], "last_id": meta["id"],
                      "next_page": None}

    deleted = client.delete(f"/v1/files/{meta['id']}", headers=api_headers)
    assert deleted.json() == {"id": meta["id"], "type": "file_deleted"}
    for method, path in (("GET", ""), ("GET", "/content"), ("DELETE", "")):
        assert_api_error(client.request(method, f"/v1/files/{meta['id']}{path}", headers=api_headers),
                         404, "not_found_error")


def test_uploaded_bytes_are_on_disk_unchanged(client, api_headers):
    payload = os.urandom(3 * 1024 * 1024 + 17)
    meta = upload(client, api_headers, name="blob.bin", data=payload, content_type="application/octet-stream")
    assert meta["size_bytes"] == len(payload)
    stored = app_store(client).get_file(meta["id"])
    with open(stored["path"], "rb") as handle:
        assert handle.read() == payload


def test_uploads_are_not_downloadable(client, api_headers):
    meta = upload(client, api_headers)
    body = assert_api_error(client.get(f"/v1/files/{meta['id']}/content", headers=api_headers),
                            400, "invalid_request_error")
    assert body["error"]["details"] == {"error_code": "file_not_downloadable"}


def test_tool_made_files_download_byte_for_byte(client, api_headers):
    store = app_store(client)
    payload = bytes(range(256)) * 1000
    with store.new_blob() as blob:
        blob.write(payload)
    meta = save_file(store, filename="chart.png", mime_type="image/png", blob=blob.name, size_bytes=blob.size,
                     now=1_790_000_000.0, downloadable=True)
    response = client.get(f"/v1/files/{meta['id']}/content", headers=api_headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == payload


def test_mime_type_is_guessed_when_the_part_does_not_say(client, api_headers):
    assert upload(client, api_headers, name="paper.pdf", content_type="application/octet-stream")["mime_type"] \
        == "application/pdf"
    assert upload(client, api_headers, name="data.weird", content_type="application/octet-stream")["mime_type"] \
        == "application/octet-stream"


def test_bad_filenames_and_missing_part_are_400(client, api_headers):
    response = client.post("/v1/files", files={"file": ("a|b.txt", b"x", "text/plain")}, headers=api_headers)
    assert_api_error(response, 400, "invalid_request_error")
    response = client.post("/v1/files", files={"other": ("a.txt", b"x", "text/plain")}, headers=api_headers)
    assert_api_error(response, 400, "invalid_request_error", "file: Field required")


def test_expiring_upload(client, api_headers):
    meta = upload(client, api_headers, expires_in_seconds="3600")
    assert meta["expires_at"] is not None and meta["expires_at"] > meta["created_at"]
    response = client.post("/v1/files", files={"file": ("a.txt", b"x", "text/plain")},
                           data={"expires_in_seconds": "5"}, headers=api_headers)
    assert_api_error(response, 400, "invalid_request_error")


def test_list_pages_with_tokens_and_ids(client, api_headers):
    ids = [upload(client, api_headers, name=f"f{i}.txt")["id"] for i in range(5)][::-1]
    seen, token = [], None
    while True:
        page = client.get("/v1/files", params={"limit": 2, **({"page": token} if token else {})},
                          headers=api_headers).json()
        seen += [f["id"] for f in page["data"]]
        token = page["next_page"]
        assert (token is not None) == page["has_more"]
        if token is None:
            break
    assert seen == ids
    after = client.get("/v1/files", params={"limit": 2, "after_id": ids[1]}, headers=api_headers).json()
    assert [f["id"] for f in after["data"]] == ids[2:4]
    chosen = client.get("/v1/files", params=[("ids[]", ids[4]), ("ids[]", "file_011CNope0000000000000"),
                                              ("ids[]", ids[0])], headers=api_headers).json()
    assert [f["id"] for f in chosen["data"]] == [ids[4], ids[0]] and chosen["has_more"] is False
