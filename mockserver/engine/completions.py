"""POST /v1/complete, the legacy Text Completions API, and its SSE events.

The prompt alternates `\n\nHuman:` and `\n\nAssistant:` turns (text before the first Human
turn is a system prompt) and ends with an Assistant turn. The completion always stops on
`\n\nHuman:`, reported as stop_reason "stop_sequence" with `stop` set; custom stop sequences
follow the Messages rule; max_tokens_to_sample cuts with stop_reason "max_tokens". Every
catalog model is accepted (the real API now rejects Claude 3+ models on this endpoint).
"""

from __future__ import annotations

from typing import Any

from ..http.errors import invalid_request
from ..ids import new_id
from . import checks, prose, tokenizer
from .answers import target_length, with_marker
from .context import EngineContext
from .conversation import Conversation
from .drafts import fit, text_draft

HUMAN = "\n\nHuman:"
ASSISTANT = "\n\nAssistant:"
TEXT_PIECES = 4


def create_completion(request: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    entry = checks.resolve_model(request.get("model"), ctx.catalog)
    checks.whole_numbers(request)
    prompt = request.get("prompt", "")
    _check_prompt(prompt)
    convo = _conversation(prompt, request)
    completion_id = new_id("compl_", ctx.rng)
    if ctx.reply_mode == "echo":
        text = convo.last_user_text
    else:
        text, _ = prose.answer(ctx.rng, target_length(convo.tokens(convo.last_user_text), ctx.rng))
    text = " " + with_marker(text, convo.request, convo.last_user_text)
    stops = list(request.get("stop_sequences") or ())
    fitted = fit([text_draft(text + HUMAN)], request.get("max_tokens_to_sample", 0), stops + [HUMAN], "stop_sequence")
    return {
        "type": "completion",
        "id": completion_id,
        "completion": fitted.content[0]["text"] if fitted.content else "",
        "stop_reason": fitted.stop_reason,
        "model": entry.id,
        "stop": fitted.stop_sequence,
        "log_id": completion_id,
    }


def _check_prompt(prompt: str) -> None:
    human, assistant = prompt.find(HUMAN), prompt.rfind(ASSISTANT)
    if human < 0:
        raise invalid_request(f'prompt must start with "{_shown(HUMAN)}" turn')
    if assistant < 0 or prompt.rfind(HUMAN) > assistant:
        raise invalid_request(f'prompt must end with "{_shown(ASSISTANT)}" turn')


def _shown(marker: str) -> str:
    return marker.replace("\n", "\\n")


def _conversation(prompt: str, request: dict[str, Any]) -> Conversation:
    last_human = prompt.rfind(HUMAN)
    user_text = prompt[last_human + len(HUMAN):prompt.rfind(ASSISTANT)].strip()
    system = prompt[:prompt.find(HUMAN)].strip()
    shaped = {"system": system, "stop_sequences": request.get("stop_sequences") or [],
              "messages": [{"role": "user", "content": user_text}]}
    return Conversation.of(shaped)


def completion_events(completion: dict[str, Any], ctx: EngineContext | None = None) -> list[tuple[str, dict[str, Any]]]:
    base = {"type": "completion", "id": completion["id"], "model": completion["model"]}
    events: list[tuple[str, dict[str, Any]]] = []
    for i, chunk in enumerate(tokenizer.chunks(completion["completion"], TEXT_PIECES)):
        events.append(("completion", {**base, "completion": chunk, "stop_reason": None, "stop": None,
                                      "log_id": completion["log_id"]}))
        if i == 0:
            events.append(("ping", {"type": "ping"}))
    events.append(("completion", {**base, "completion": "", "stop_reason": completion["stop_reason"],
                                  "stop": completion["stop"], "log_id": completion["log_id"]}))
    return events
