"""Refusals: the documented test string (and the mock's per-category phrases) end a reply at once.

The API ends a refused reply with stop_reason "refusal" and `stop_details`
{"type": "refusal", "category", "explanation"} (streamed in the message_delta event). The docs
give a test prompt that always triggers one; `MOCKSERVER_REFUSAL_<CATEGORY>` picks the category.
"""

from __future__ import annotations

from typing import Any

REFUSAL_TRIGGER = "ANTHROPIC_MAGIC_STRING_TRIGGER_REFUSAL_1FAEFB6177B4672DEE07F9D3AFC62588CCD2631EDCF22E8CCC1FB35B501C9C86"
CATEGORY_PREFIX = "MOCKSERVER_REFUSAL_"
EXPLANATIONS = {
    "cyber": "This request could enable cyber harm, such as malware or exploit development.",
    "bio": "This request could enable biological harm, such as dangerous lab methods.",
    "frontier_llm": "This request could assist the development of competing AI models.",
    "reasoning_extraction": "This request asks for the model's internal reasoning in the response text.",
    "general_harms": "This request could be related to an area that was determined as harmful.",
}
_PHRASES = {CATEGORY_PREFIX + category.upper(): category for category in EXPLANATIONS}


def refusal(user_text: str) -> dict[str, Any] | None:
    """The stop_details of a refused reply, or None when the last user text triggers none."""
    if "REFUSAL" not in user_text:  # one scan for the common case
        return None
    for phrase, category in _PHRASES.items():
        if phrase in user_text:
            return {"type": "refusal", "category": category, "explanation": EXPLANATIONS[category]}
    if REFUSAL_TRIGGER in user_text:
        return {"type": "refusal", "category": None, "explanation": None}
    return None
