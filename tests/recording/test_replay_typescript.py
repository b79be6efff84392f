"""The official TypeScript SDK records a session through the proxy and gets the same answers
replayed with the upstream stopped."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from ..sdk_installs import node_sdk
from .support import cassette_text, dead_url, recorder, upstream

CLIENT = Path(__file__).parent / "replay_client.mjs"


def _session(folder: Path, base_url: str) -> dict:
    result = subprocess.run(["node", str(folder / CLIENT.name), base_url], capture_output=True, text=True,
                            timeout=120, cwd=folder)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout)


def test_typescript_sdk_replays_a_recorded_session_with_the_upstream_stopped(tmp_path):
    assert shutil.which("node"), "node is required for the TypeScript SDK tests"
    folder = node_sdk()
    (folder / CLIENT.name).write_text(CLIENT.read_text())
    with upstream() as real, recorder(tmp_path, real.base_url, "once") as proxy:
        recorded = _session(folder, proxy.base_url)
    assert recorded["polls"][-1] == "ended" and recorded["results"][0]["custom_id"] == "only"
    assert recorded["final"]["content"] == recorded["created"]["content"]
    assert "typescript-secret" not in cassette_text(tmp_path)
    with recorder(tmp_path, dead_url(), "none") as replayer:
        replayed = _session(folder, replayer.base_url)
    assert replayed == recorded
