"""The TypeScript platform SDKs (@anthropic-ai/bedrock-sdk, vertex-sdk, foundry-sdk) against the mock,
run with node over a real socket: create, stream, tool use, count tokens and a retried 5xx."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.sdk_installs import node_platform_sdks

from .support import started

CLIENT = Path(__file__).resolve().parent.parent / "typescript" / "platforms.mjs"


def test_every_typescript_platform_client_round_trips():
    assert shutil.which("node"), "node is required for the TypeScript SDK tests"
    folder = node_platform_sdks()
    script = folder / "platforms.mjs"
    script.write_text(CLIENT.read_text())
    server = started()
    try:
        result = subprocess.run(["node", str(script), server.base_url], capture_output=True, text=True,
                                timeout=180, cwd=folder)
    finally:
        server.stop()
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout)
    assert set(seen) == {"bedrock", "vertex", "foundry"}
    texts = {name: platform["text"] for name, platform in seen.items()}
    assert len(set(texts.values())) == 1  # the same request, the same seed: the same reply on every platform
    for platform in seen.values():
        assert platform["streamed"] == platform["text"] and platform["tool"] == "get_weather"
        assert platform["retried"] is True
    assert seen["vertex"]["counted"] == seen["vertex"]["input"] == seen["foundry"]["counted"]
