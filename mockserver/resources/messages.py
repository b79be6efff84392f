"""Messages, token counting, legacy completions and chat completions: the engine behind HTTP."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Awaitable, Callable

from .. import engine
from ..call import Call
from ..engine.context import EngineContext, MemoryPromptCache
from ..engine.tiers import service_tier
from ..http.replies import JsonReply, Pacing, Reply, StreamReply
from .services import engine_context, open_services
from .url_fetch import check_url_fetch_allowed
from .usage_ledger import record_message_usage

if TYPE_CHECKING:
    from ..state import AppState


def handlers(state: AppState) -> dict[str, Callable[[Call], Awaitable[Reply]]]:
    """The engine's work runs off the event loop for a large body (http/offload.py); its result is small."""
    if state.prompt_cache is None:
        state.prompt_cache = MemoryPromptCache()
    cache = state.prompt_cache
    store = open_services(state)  # usage feeds the admin usage and cost reports
    pacing = _pacing(state)

    priority_keys = state.config.priority_keys
    heavy = state.offload.for_body

    def context(call: Call) -> EngineContext:
        return engine_context(state, rng=call.rng(), now=call.received_at, betas=call.betas, version=call.version,
                              cache=cache, service_tier=service_tier(call.body, call.api_key, priority_keys),
                              beta_path=bool(call.betas) or call.query.get("beta") in (True, "true"))

    def synthesise(make: Callable[..., Any], call: Call) -> Any:  # the seed hashes the whole body: part of the work
        return make(call.body, context(call))

    async def create_message(call: Call) -> Reply:
        check_url_fetch_allowed(call.api_key, call.body)
        message = await heavy(call.raw_body, synthesise, engine.create_message, call)
        record_message_usage(store, model=message["model"], usage=message["usage"], at=call.received_at,
                             api_key=call.api_key, workspace_id=call.headers.get("anthropic-workspace-id"))
        if call.body.get("stream"):
            return StreamReply(engine.message_events(message), pacing=pacing)
        return JsonReply(message)

    async def count_tokens(call: Call) -> Reply:
        check_url_fetch_allowed(call.api_key, call.body)
        return JsonReply(await heavy(call.raw_body, synthesise, engine.count_tokens, call))

    async def create_completion(call: Call) -> Reply:
        ctx = context(call)
        completion = await heavy(call.raw_body, engine.create_completion, call.body, ctx)
        if call.body.get("stream"):
            return StreamReply(engine.completion_events(completion, ctx), pacing=pacing)
        return JsonReply(completion)

    async def chat_completion(call: Call) -> Reply:
        ctx = context(call)
        completion = await heavy(call.raw_body, engine.chat_completion, call.body, ctx)
        if call.body.get("stream"):
            chunks = engine.chat_completion_chunks(completion, call.body, ctx)
            events = [(None, chunk) for chunk in chunks] + [(None, "[DONE]")]
            return StreamReply(events, pacing=pacing)
        return JsonReply(completion)

    return {
        "messages_create": create_message,
        "messages_count_tokens": count_tokens,
        "completions_create": create_completion,
        "chat_completions_create": chat_completion,
    }


def _pacing(state: AppState) -> Pacing:
    config = state.config
    per_token = 1.0 / config.tokens_per_second if config.tokens_per_second > 0 else 0.0
    return Pacing(first_event_delay=config.ttft_ms / 1000.0, delta_delay=per_token)
