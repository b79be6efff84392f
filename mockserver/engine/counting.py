"""POST /v1/messages/count_tokens: the input tokens create_message would bill for the request."""

from __future__ import annotations

from typing import Any

from . import checks, context_edits, input_tokens
from .caching import breakpoint_count
from .context import EngineContext
from .tokenizer import Memo


def count_tokens(request: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    entry = checks.resolve_model(request.get("model"), ctx.catalog)
    checks.check_thinking(request, entry, ctx.betas, counting=True)
    checks.check_tool_choice(request)
    segments = input_tokens.segments(request)
    checks.check_breakpoints(breakpoint_count(request, segments))
    if request.get("context_management") is not None:  # counted after the edits, as the model sees it
        managed = context_edits.manage(request, Memo())
        return {"input_tokens": managed.tokens, "context_management": {"original_input_tokens": managed.original_tokens}}
    return {"input_tokens": sum(s.tokens for s in segments)}
