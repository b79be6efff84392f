"""Two server processes on one data dir: parallel creates lose nothing and duplicate nothing."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from mockserver.testing import free_port

from ..helpers import ADMIN_KEY, MODEL, headers

REPO = Path(__file__).resolve().parents[2]
CREATES_PER_KIND = 120


def start_server(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--data-dir", str(data_dir), "--port", str(port),
         "--batch-seconds", "0"], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        try:
            if httpx.get(f"{base_url}/_mock/health", timeout=1).status_code == 200:
                return process, base_url
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not start")


@pytest.fixture
def two_servers(tmp_path):
    started = [start_server(tmp_path) for _ in range(2)]
    clients = [httpx.Client(base_url=url, timeout=30) for _, url in started]
    yield clients
    for client in clients:
        client.close()
    for process, _ in started:
        process.terminate()
        process.wait(timeout=10)


def collect(client: httpx.Client, path: str, hdrs: dict[str, str]) -> list[str]:
    ids, after = [], None
    while True:
        page = client.get(path, params={"limit": 7, **({"after_id": after} if after else {})}, headers=hdrs).json()
        ids += [item["id"] for item in page["data"]]
        if not page["has_more"]:
            return ids
        after = page["last_id"]


def test_parallel_creates_through_two_processes(two_servers):
    api = headers()
    batch_body = {"requests": [{"custom_id": "a", "params": {"model": MODEL, "max_tokens": 4,
                                                             "messages": [{"role": "user", "content": "Hi"}]}}]}

    def create(n: int) -> tuple[str, str]:
        client = two_servers[n % 2]
        if n % 4 < 2:
            response = client.post("/v1/files", files={"file": (f"f{n}.txt", f"file {n}".encode(), "text/plain")},
                                   headers=api)
            kind = "file"
        else:
            response = client.post("/v1/messages/batches", json=batch_body, headers=api)
            kind = "batch"
        assert response.status_code == 200, response.text
        return kind, response.json()["id"]

    with ThreadPoolExecutor(max_workers=32) as pool:
        created = list(pool.map(create, range(2 * CREATES_PER_KIND)))

    files = {id_ for kind, id_ in created if kind == "file"}
    batches = {id_ for kind, id_ in created if kind == "batch"}
    assert len(files) == len(batches) == CREATES_PER_KIND  # no id handed out twice
    for client in two_servers:
        listed_files = collect(client, "/v1/files", api)
        listed_batches = collect(client, "/v1/messages/batches", api)
        assert len(listed_files) == len(set(listed_files)) and set(listed_files) == files
        assert len(listed_batches) == len(set(listed_batches)) and set(listed_batches) == batches
    assert collect(two_servers[0], "/v1/files", api) == collect(two_servers[1], "/v1/files", api)
    users = [client.get("/v1/organizations/users", headers=headers(key=ADMIN_KEY)).json() for client in two_servers]
    assert users[0] == users[1] and len(users[0]["data"]) == 5  # seeded once, not once per process


def test_an_answered_upload_survives_sigkill(tmp_path):
    from mockserver.store import Store

    process, base_url = start_server(tmp_path)
    try:
        payload = bytes(range(256)) * 4096
        response = httpx.post(f"{base_url}/v1/files", files={"file": ("k.bin", payload, "application/octet-stream")},
                              headers=headers(), timeout=30)
        assert response.status_code == 200
    finally:
        process.kill()
        process.wait(timeout=10)
    store = Store(str(tmp_path / "mock.sqlite3"), tmp_path / "files")
    try:
        stored = store.get_file(response.json()["id"])
        assert stored is not None and Path(stored["path"]).read_bytes() == payload
    finally:
        store.close()
