"""Requests known to be accepted: where link walks start, and what makes the stream grammar and the
pair checks run whatever the generated requests reach."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any, Iterable

DEFAULT_MODEL = "claude-haiku-4-5"


@dataclass(frozen=True, slots=True)
class Sample:
    """A request body known to be accepted: JSON, or multipart parts (field, filename, content, type)."""

    json: Any = None
    parts: tuple[tuple[str, str | None, bytes, str | None], ...] = ()

    def case_kwargs(self) -> dict[str, Any]:
        if not self.parts:
            return {"body": self.json, "media_type": "application/json"}
        boundary = "contract-suite-boundary"
        return {"body": _multipart(self.parts, boundary), "media_type": "multipart/form-data",
                "headers": {"Content-Type": f"multipart/form-data; boundary={boundary}"}}


def _multipart(parts: Iterable[tuple[str, str | None, bytes, str | None]], boundary: str) -> bytes:
    out = io.BytesIO()
    for name, filename, content, content_type in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out.write(f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode())
        if content_type:
            out.write(f"Content-Type: {content_type}\r\n".encode())
        out.write(b"\r\n" + content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue()


SKILL_MD = b"---\nname: contract-suite-skill\ndescription: Exercises the skills routes.\n---\n\n# Contract\n"


def samples(model: str = DEFAULT_MODEL) -> dict[str, Sample]:
    """Known-good bodies for the operations link walks start from or pass through."""
    message = {"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "Say hello."}]}
    skill = (("files[]", "contract-suite-skill/SKILL.md", SKILL_MD, "text/markdown"),)
    return {
        "batches_create": Sample({"requests": [{"custom_id": "contract-1", "params": message}]}),
        "files_upload": Sample(parts=(("file", "contract.txt", b"contract suite\n", "text/plain"),)),
        "skills_create": Sample(parts=(*skill, ("display_title", None, b"Contract suite", None))),
        "skill_versions_create": Sample(parts=skill),
        "invites_create": Sample({"email": "contract-suite@example.com", "role": "user"}),
        "workspaces_create": Sample({"name": "contract-suite"}),
        "workspaces_update": Sample({"name": "contract-suite-renamed"}),
    }


def request_samples(model: str = DEFAULT_MODEL) -> dict[str, list[dict[str, Any]]]:
    """Valid bodies per operation, each plain and streamed where the operation streams: they make sure
    the stream grammar and the pair checks run, whatever the generated requests happen to reach."""
    tool = {"name": "get_weather", "description": "Weather in a city",
            "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    cached = {"type": "text", "text": "Cache me " * 300, "cache_control": {"type": "ephemeral"}}
    base = {"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hello there, héllo 👋"}]}
    messages = [
        base,
        {**base, "system": "Answer briefly.", "stop_sequences": ["END"]},
        {**base, "max_tokens": 3},
        {**base, "tools": [tool], "tool_choice": {"type": "any"}},
        {**base, "max_tokens": 2048, "thinking": {"type": "enabled", "budget_tokens": 1024}},
        {**base, "messages": [{"role": "user", "content": [cached]}]},
    ]
    completion = {"model": model, "prompt": "\n\nHuman: Hello\n\nAssistant:", "max_tokens_to_sample": 32}
    chat = {"model": model, "max_tokens": 32, "messages": [{"role": "user", "content": "Hello"}]}
    return {
        "messages_create": [*messages, *({**m, "stream": True} for m in messages)],
        "messages_count_tokens": [{k: v for k, v in m.items() if k not in ("max_tokens", "stop_sequences")}
                                  for m in messages],
        "completions_create": [completion, {**completion, "stream": True}],
        "chat_completions_create": [chat, {**chat, "stream": True}],
    }
