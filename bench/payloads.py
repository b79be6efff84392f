"""The requests every server is measured with, written once to files that wrk's Lua script reads."""

from __future__ import annotations

from pathlib import Path

import orjson

API_KEY = "sk-ant-bench-0000"
VERSION = "2023-06-01"
HEADERS = {"content-type": "application/json", "x-api-key": API_KEY, "anthropic-version": VERSION}

# About 270 bytes: a plain single-turn Messages call, as an SDK sends it. No `temperature`: valid under
# both API versions, so Prism and Steady serving our spec (which carries no version overlay) accept it.
MESSAGE = {
    "model": "claude-haiku-4-5",
    "max_tokens": 256,
    "messages": [{
        "role": "user",
        "content": "Hello! In two or three sentences, why does a fast and faithful mock server help "
                   "when testing an HTTP client library against the Messages API?",
    }],
    "metadata": {"user_id": "bench-user-0001"},
}

# A streamed reply of 100 text deltas (106 events): the mock runs with `--reply echo`, which answers
# with the last user text; 420 words are cut at max_tokens=400, streamed 4 tokens per delta.
# (Prose replies stay under ~170 tokens whatever the prompt, so no prose request reaches 100 deltas.)
_WORDS = "the quick brown fox jumps over the lazy dog while a mock server answers every request".split()
STREAM = {
    "model": "claude-haiku-4-5",
    "max_tokens": 400,
    "stream": True,
    "messages": [{"role": "user", "content": " ".join(_WORDS[i % len(_WORDS)] for i in range(420))}],
}
STREAM_DELTAS = 100


def write(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {"message": folder / "message.json", "stream": folder / "stream.json"}
    files["message"].write_bytes(orjson.dumps(MESSAGE))
    files["stream"].write_bytes(orjson.dumps(STREAM))
    return files
