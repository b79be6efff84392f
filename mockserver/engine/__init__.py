"""Deterministic reply synthesis: pure functions from a parsed request and a context to a reply."""

from .chat import chat_completion, chat_completion_chunks
from .completions import completion_events, create_completion
from .context import EngineContext, MemoryPromptCache, PromptCache
from .counting import count_tokens
from .messages import create_message
from .streaming import message_events

__all__ = [
    "EngineContext",
    "MemoryPromptCache",
    "PromptCache",
    "chat_completion",
    "chat_completion_chunks",
    "completion_events",
    "count_tokens",
    "create_completion",
    "create_message",
    "message_events",
]
