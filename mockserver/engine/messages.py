"""POST /v1/messages: the Message object for a request (streaming derives from it)."""

from __future__ import annotations

from typing import Any

from ..catalog import ModelEntry
from ..ids import new_id
from . import checks, compaction, context_edits, input_tokens, mcp, server_loop
from .answers import prose_draft
from .caching import CacheUse, breakpoint_count, cache_use
from .context import EngineContext
from .conversation import Conversation
from .drafts import Draft, Fitted, fit
from .input_tokens import Segment
from .limits import output_budget
from .plain import PlainRequest, read_plain
from .planner import Reply, pending_programmatic, plan_reply
from .refusals import refusal
from .tokenizer import Memo


def create_message(request: dict[str, Any], ctx: EngineContext) -> dict[str, Any]:
    # Responses carry the concrete model id: an alias such as `claude-haiku-4-5` is answered
    # as `claude-haiku-4-5-20251001`, as the API does.
    entry = checks.resolve_model(request.get("model"), ctx.catalog)
    checks.whole_numbers(request)
    plain = read_plain(request)
    if plain is not None:
        return _plain_message(request, ctx, entry, plain)
    managed = context_edits.manage(request, Memo()) if request.get("context_management") is not None else None
    convo = Conversation.of(managed.request if managed else request)
    segments = input_tokens.segments(convo.request, convo.tokens)
    _check(request, ctx, entry, convo, segments)
    message_id = new_id("msg_", ctx.rng)
    max_tokens = request.get("max_tokens", 0)
    refused = refusal(convo.last_user_text) if max_tokens > 0 else None
    reply = plan_reply(convo, ctx, max_tokens) if refused is None else Reply(natural_stop="refusal")
    fitted = _fit(request, reply.drafts, reply.natural_stop, sum(s.tokens for s in segments), entry)
    cached = cache_use(request, segments, entry.id, entry.min_cache_tokens, ctx.cache, ctx.now)
    container = reply.container if _kept_container(fitted, reply) else None
    message = _message(request, ctx, entry, message_id, fitted, cached, container, refused)
    if managed is not None:
        _manage_context(message, managed, convo.tokens)
    _bill_loop(message, convo, ctx.beta_path)
    return message


def _bill_loop(message: dict[str, Any], convo: Conversation, beta_path: bool) -> None:
    usage = message["usage"]
    if "iterations" in usage:  # compaction sets its own
        return
    loop = server_loop.iterations(message["content"], usage, input_tokens.counter(convo.request, convo.tokens))
    if loop is not None:
        server_loop.bill(usage, loop)
        if beta_path:
            usage["iterations"] = loop  # a beta field: the non-beta Usage types have none


def _manage_context(message: dict[str, Any], managed: context_edits.Managed, count: Memo) -> None:
    message["context_management"] = {"applied_edits": managed.applied}
    if compaction.triggered(managed):
        compaction.apply(message, managed, count)
        if message["stop_reason"] == "compaction":
            message["container"] = None


def _plain_message(request: dict[str, Any], ctx: EngineContext, entry: ModelEntry, plain: PlainRequest) -> dict[str, Any]:
    """What the general path gives a plain conversation: the checks that can object to one,
    then the same draws in the same order (the message id, then the answer)."""
    checks.check_max_tokens(request, entry, ctx.betas)
    checks.check_messages(request, entry, ctx.version)
    checks.check_prompt_length(plain.input_tokens, entry)
    message_id = new_id("msg_", ctx.rng)
    max_tokens = request.get("max_tokens", 0)
    refused = refusal(plain.last_user_text) if max_tokens > 0 else None
    if refused is not None:
        drafts, natural_stop = [], "refusal"
    elif max_tokens > 0:
        drafts, natural_stop = [prose_draft(request, plain.last_user_text, plain.prefill, ctx.rng,
                                            ctx.reply_mode == "echo")], "end_turn"
    else:
        drafts, natural_stop = [], "max_tokens"
    fitted = _fit(request, drafts, natural_stop, plain.input_tokens, entry)
    return _message(request, ctx, entry, message_id, fitted, CacheUse(plain.input_tokens), None, refused)


def _fit(request: dict[str, Any], drafts: list[Draft], natural_stop: str, input_tokens: int,
         entry: ModelEntry) -> Fitted:
    """The drafts cut by the stop sequences and the output budget (max_tokens or the window's room)."""
    budget, cut_reason = output_budget(request.get("max_tokens", 0), input_tokens, entry)
    return fit(drafts, budget, list(request.get("stop_sequences") or ()), natural_stop, cut_reason)


def _message(request: dict[str, Any], ctx: EngineContext, entry: ModelEntry, message_id: str, fitted: Fitted,
             cached: CacheUse, container: dict[str, Any] | None,
             stop_details: dict[str, Any] | None = None) -> dict[str, Any]:
    message = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": entry.id,
        "content": fitted.content,
        "stop_reason": fitted.stop_reason,
        "stop_sequence": fitted.stop_sequence,
        "stop_details": stop_details,
        "usage": usage(request, ctx, cached, fitted, _reports_thinking(request, entry)),
        "container": container,
    }
    if context_edits.BETA in ctx.betas:  # real replies report the edits (none yet) for the beta alone
        message["context_management"] = {"applied_edits": []}
    return message


def _check(request: dict[str, Any], ctx: EngineContext, entry: ModelEntry, convo: Conversation,
           segments: list[Segment]) -> None:
    checks.check_max_tokens(request, entry, ctx.betas)
    checks.check_thinking(request, entry, ctx.betas)
    checks.check_tool_choice(request)
    checks.check_output_options(request, entry)
    checks.check_messages(request, entry, ctx.version)
    checks.check_breakpoints(breakpoint_count(request, segments))
    checks.check_container(request, bool(pending_programmatic(convo)))
    mcp.check(request)
    checks.check_prompt_length(sum(s.tokens for s in segments), entry)


def _kept_container(fitted: Fitted, reply: Reply) -> bool:
    """A container is reported once the reply used it (not when max_tokens cut before)."""
    if reply.container is None:
        return False
    used = {"server_tool_use", "code_execution_tool_result", "bash_code_execution_tool_result"}
    return any(block.get("type") in used for block in fitted.content)


def _reports_thinking(request: dict[str, Any], entry: ModelEntry) -> bool:
    """Real replies count thinking tokens (0 when the model did not think) whenever thinking is on,
    and always on the models whose only thinking is adaptive (claude-sonnet-5 even with it disabled)."""
    if (request.get("thinking") or {}).get("type") in ("enabled", "adaptive"):
        return True
    return "adaptive" in entry.thinking and "enabled" not in entry.thinking


def usage(request: dict[str, Any], ctx: EngineContext, cached: CacheUse, fitted: Fitted,
          reports_thinking: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "input_tokens": cached.input_tokens,
        "cache_creation_input_tokens": cached.written,
        "cache_read_input_tokens": cached.read,
        "cache_creation": {"ephemeral_5m_input_tokens": cached.write_5m, "ephemeral_1h_input_tokens": cached.write_1h},
        "output_tokens": fitted.output_tokens,
        "service_tier": ctx.service_tier or "standard",
        "inference_geo": request.get("inference_geo") or "global",
    }
    server_use = _server_tool_use(fitted)
    if server_use is not None:  # real replies leave the key out (not null) when no server tool ran
        out["server_tool_use"] = server_use
    if fitted.thinking_tokens or reports_thinking:
        out["output_tokens_details"] = {"thinking_tokens": fitted.thinking_tokens}
    if request.get("speed"):
        out["speed"] = request["speed"]
    return out


def _server_tool_use(fitted: Fitted) -> dict[str, int] | None:
    """Counts of the server tools a reply ran; recorded replies that ran only MCP tools carry it too,
    with zero counts (activeagent's mcps.yml), and those that ran none leave it out."""
    kinds = [b.get("type") for b in fitted.content]
    names = [b.get("name") for b in fitted.content if b.get("type") == "server_tool_use"]
    if not names and "mcp_tool_use" not in kinds:
        return None
    return {"web_search_requests": names.count("web_search"), "web_fetch_requests": names.count("web_fetch")}
