"""The output budget: max_tokens, or what is left of the model's context window if that is less.

As the API does, a request may ask for more output than the window has room for after its input;
generation then stops when the window is full, with stop_reason "model_context_window_exceeded"
(rather than "max_tokens"). A reply that ends before either limit is unaffected.
"""

from __future__ import annotations

from ..catalog import ModelEntry

WINDOW_FULL = "model_context_window_exceeded"


def output_budget(max_tokens: int, input_tokens: int, entry: ModelEntry) -> tuple[int, str]:
    """The tokens the reply may produce, and the stop reason when it is cut there."""
    room = max(0, entry.max_input_tokens - input_tokens)
    if max_tokens > room:
        return room, WINDOW_FULL
    return max_tokens, "max_tokens"
