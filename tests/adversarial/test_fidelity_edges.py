"""Issue 11, item 14: small fidelity gaps found while attacking the mock. A thinking budget below
1024, an impossible date as `anthropic-version`, a non-JSON content type on a JSON route and a
Windows path as an upload filename are refused as the API refuses them; files a crash left in
the data directory are removed at start-up."""

from __future__ import annotations

import os
import uuid

import httpx
import pytest

from mockserver.config import Config
from mockserver.store import Store

from ..helpers import LEGACY, MESSAGE_BODY, headers
from .servers import ServerThread
from .support import assert_envelope, assert_invalid_request, post, request_bytes, send_raw, while_misbehaving

BUDGET_MINIMUM = "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"
INVALID_FILENAME = ('file: Invalid filename. Filenames must be 1-255 characters long and must not contain '
                    '< > : " | ? * \\ / or control characters.')
JSON_BODY = httpx.Request("POST", "/", json=MESSAGE_BODY).read()  # the bytes httpx sends for json=


@pytest.fixture(scope="module")
def server():
    with ServerThread() as server:
        yield server


def _post(server, path: str, body: dict, version: str = LEGACY) -> httpx.Response:
    return post(server, path, body, version=version, timeout=10)


def _thinking(budget: int) -> dict:
    return {**MESSAGE_BODY, "max_tokens": 4096, "thinking": {"type": "enabled", "budget_tokens": budget}}


@pytest.mark.parametrize("budget", [-1, 1023])
def test_a_thinking_budget_below_1024_is_refused_everywhere(server, budget):
    refused = while_misbehaving(server, lambda: _post(server, "/v1/messages", _thinking(budget)))
    assert_envelope(refused, 400, "invalid_request_error", message=BUDGET_MINIMUM)
    counted = {k: v for k, v in _thinking(budget).items() if k != "max_tokens"}
    assert_envelope(_post(server, "/v1/messages/count_tokens", counted), 400, "invalid_request_error",
                    message=BUDGET_MINIMUM)
    batch = {"requests": [{"custom_id": "a", "params": _thinking(budget)}]}
    assert_invalid_request(_post(server, "/v1/messages/batches", batch), "budget_tokens")


def test_a_thinking_budget_of_1024_is_accepted(server):
    response = _post(server, "/v1/messages", _thinking(1024))
    assert response.status_code == 200, response.text
    assert response.json()["content"][0]["type"] == "thinking"


@pytest.mark.parametrize("version", ["2023-02-31", "2023-04-31", "2026-02-29"])
def test_an_impossible_date_is_not_a_version(server, version):
    refused = while_misbehaving(server, lambda: _post(server, "/v1/messages", MESSAGE_BODY, version))
    assert_envelope(refused, 400, "invalid_request_error",
                    message=f'anthropic-version: "{version}" is not a valid version')


def test_a_leap_day_is_a_version(server):
    assert _post(server, "/v1/messages", MESSAGE_BODY, "2024-02-29").status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp"])
def test_a_non_json_content_type_on_a_json_route_is_400(server, content_type):
    raw = request_bytes("POST", "/v1/messages", headers(LEGACY, content_type=content_type), JSON_BODY)
    refused = while_misbehaving(server, lambda: send_raw(server, raw))
    assert_envelope(refused, 400, "invalid_request_error", message=f'content-type: "{content_type}" is not '
                                                                  'supported; the request body must be JSON '
                                                                  '(application/json)')


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "Application/JSON", "application/vnd.api+json"])
def test_json_content_types_are_accepted(server, content_type):
    raw = request_bytes("POST", "/v1/messages", headers(LEGACY, content_type=content_type), JSON_BODY)
    assert send_raw(server, raw).status_code == 200


def test_a_body_without_a_content_type_is_still_read_as_json(server):
    raw = request_bytes("POST", "/v1/messages", headers(LEGACY), JSON_BODY)
    assert send_raw(server, raw).status_code == 200


@pytest.mark.parametrize("filename", ["C:\\win.ini", "\\\\host\\share\\win.ini"])
def test_a_windows_path_as_upload_filename_is_checked_as_sent(server, filename):
    def upload() -> httpx.Response:
        return httpx.post(f"{server.base_url}/v1/files", files={"file": (filename, b"[fonts]\n", "text/plain")},
                          headers=headers(LEGACY), timeout=10)

    assert_envelope(while_misbehaving(server, upload), 400, "invalid_request_error", message=INVALID_FILENAME)
    listed = httpx.get(f"{server.base_url}/v1/files", headers=headers(LEGACY))
    assert "win.ini" not in [f["filename"] for f in listed.json()["data"]]

    skill_md = b"---\nname: win\ndescription: x\n---\n"
    skill = httpx.post(f"{server.base_url}/v1/skills", files=[("files[]", (filename, skill_md, "text/markdown"))],
                       headers=headers(LEGACY), timeout=10)
    assert_invalid_request(skill, filename)


def test_a_plain_filename_is_kept(server):
    response = httpx.post(f"{server.base_url}/v1/files", files={"file": ("résumé v2.txt", b"x", "text/plain")},
                          headers=headers(LEGACY), timeout=10)
    assert response.status_code == 200 and response.json()["filename"] == "résumé v2.txt"


def _crash_leftovers(blob_dir) -> tuple[str, str]:
    partial, orphan = f".{uuid.uuid4().hex}.part", uuid.uuid4().hex
    (blob_dir / partial).write_bytes(b"half an upl")
    (blob_dir / orphan).write_bytes(b"never recorded")
    return partial, orphan


def test_leftovers_of_a_crash_are_removed_at_start_up(tmp_path):
    with ServerThread(data_dir=tmp_path) as server:
        kept = httpx.post(f"{server.base_url}/v1/files", files={"file": ("a.txt", b"kept", "text/plain")},
                          headers=headers(LEGACY), timeout=10).json()
    blob_dir = tmp_path / "files"
    partial, orphan = _crash_leftovers(blob_dir)
    (blob_dir / "notes.txt").write_text("not ours: left alone")
    with ServerThread(data_dir=tmp_path) as server:
        names = set(os.listdir(blob_dir))
        assert partial not in names and orphan not in names
        assert "notes.txt" in names
        got = httpx.get(f"{server.base_url}/v1/files/{kept['id']}", timeout=10, headers=headers(LEGACY))
        assert got.status_code == 200  # the recorded blob stayed


def test_leftovers_are_kept_while_another_process_has_the_directory_open(tmp_path):
    config = Config(data_dir=tmp_path)
    first = Store.open(config)  # like a live worker, which may be writing a .part file right now
    try:
        partial, orphan = _crash_leftovers(tmp_path / "files")
        second = Store.open(config)
        second.close()
        assert {partial, orphan} <= set(os.listdir(tmp_path / "files"))
    finally:
        first.close()
    Store.open(config).close()  # alone now: swept
    assert not {partial, orphan} & set(os.listdir(tmp_path / "files"))
