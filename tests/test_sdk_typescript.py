"""The official TypeScript SDK (run with node) completes create, stream().finalMessage() and countTokens."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from mockserver.config import Config
from mockserver.server import MockServer

from .sdk_installs import node_sdk

CLIENT = Path(__file__).parent / "typescript" / "client.mjs"


def test_typescript_sdk_round_trip():
    assert shutil.which("node"), "node is required for the TypeScript SDK tests"
    folder = node_sdk()
    script = folder / "client.mjs"
    script.write_text(CLIENT.read_text())
    with MockServer(Config(seed=7)) as server:
        result = subprocess.run(["node", str(script), server.base_url], capture_output=True, text=True,
                                timeout=120, cwd=folder)
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout)
    created, final = seen["created"], seen["final"]
    assert created["id"].startswith("msg_")
    # Same request, same seed: the streamed reply accumulates to the non-streamed one.
    assert final["content"] == created["content"]
    assert final["usage"]["output_tokens"] == created["usage"]["output_tokens"]
    assert seen["counted"]["input_tokens"] == created["usage"]["input_tokens"]
