"""The text a reply answers with: prose, an echo, structured JSON, or cited statements.

Length rule: prose of about 24 + prompt/4 (prompt = tokens of the last user text, capped at
400) + a random 0-47 tokens. The text depends on the conversation alone (never on max_tokens or
stop_sequences, which only cut it). Marker rule: when the last user text (else the system prompt)
asks for something to be written and names a marker (an ALL-CAPS word, an XML-like tag or a run of
`#`, `*`, `=`, `-` or `~`), the answer writes that marker right after its first sentence, as a
model following the instruction would; a stop sequence equal to it then stops the reply there.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any, Callable

from ..http.errors import invalid_request
from . import instances, prose, tokenizer
from .conversation import Conversation, system_text
from .drafts import UNFITTABLE, Draft, text_draft
from .prompt_values import PromptFacts
from .tools import prompted_value

_FIRST_SENTENCE = re.compile(r"[.!?](?=\s|$)")
# Matched against lowered text, and only when one of the words occurs in it at all: an IGNORECASE
# alternation costs Python's re several times as much. The fold first maps the three letters
# IGNORECASE would also take for i and s.
_WRITE_WORDS = ("write", "say", "print", "output", "type", "emit", "end", "finish", "then", "add", "append", "reply",
                "respond")
_ASKS_TO_WRITE = re.compile(r"\b(?:" + "|".join(_WRITE_WORDS) + r")\b")
_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})
_MARKER = re.compile(r"(?<!\S)(?:[A-Z][A-Z0-9_]+|</?[A-Za-z][\w-]*>|[#*=~-]{2,})(?=[\s.,;:!?]|$)")


def output_schema(request: dict[str, Any]) -> Any:
    fmt = (request.get("output_config") or {}).get("format") or request.get("output_format") or {}
    return fmt.get("schema") if fmt.get("type") == "json_schema" else None


def answer(convo: Conversation, rng: random.Random, echo: bool, lead: str | None = None,
           citations: list[dict[str, Any]] | None = None) -> list[Draft]:
    request = convo.request
    schema = output_schema(request)
    if schema is not None:
        return [structured_draft(request, schema, rng, convo.last_user_text)]
    if citations:
        return _cited(convo, rng, citations, lead)
    return [prose_draft(request, convo.last_user_text, convo.prefill, rng, echo, lead, convo.tokens)]


def structured_draft(request: dict[str, Any], schema: Any, rng: random.Random, topic: str) -> Draft:
    """JSON matching the output schema; when none fits in max_tokens, its start, cut there by `fit`."""
    try:
        facts = PromptFacts.of(topic, system_text(request))
        value = prompted_value(schema, rng, topic, instances.max_chars_for(request.get("max_tokens")), facts)
    except instances.TooLarge as full:
        start = "" if full.partial is None else json.dumps(full.partial, ensure_ascii=False)
        return text_draft(start, tokens=UNFITTABLE)
    except instances.SchemaProblem as problem:
        field = "output_config.format" if (request.get("output_config") or {}).get("format") else "output_format"
        raise invalid_request(f"{field}.schema: {problem}") from None
    return text_draft(json.dumps(value, ensure_ascii=False))


def prose_draft(request: dict[str, Any], user_text: str, prefill: str | None, rng: random.Random, echo: bool,
                lead: str | None = None, count: Callable[[str], int] = tokenizer.count) -> Draft:
    """The answer's text block: prose (or the echo), after the prefill, with a stop sequence put in."""
    tokens: int | None = None  # known only while the text is prose exactly as composed
    if echo:
        text = user_text
    else:
        text, tokens = prose.answer(rng, target_length(count(user_text), rng))
        if lead:
            text, tokens = f"{lead} {text}", None
    if prefill is not None and text and not text[0].isspace():
        text, tokens = " " + text, None
    final = with_marker(text, request, user_text)
    return text_draft(final, tokens=tokens if final is text else None)


def target_length(prompt_tokens: int, rng: random.Random) -> int:
    return 24 + min(prompt_tokens, 400) // 4 + int(rng.random() * 48)  # one C call, as in `prose`


def marker(request: dict[str, Any], user_text: str) -> str | None:
    """The marker the conversation asks the reply to write, if any (see the module doc)."""
    for text in (user_text, system_text(request)):
        if text and _asks_to_write(text):
            found = _MARKER.search(text)
            if found:
                return found.group(0)
    return None


def _asks_to_write(text: str) -> bool:
    lowered = (text if text.isascii() else text.translate(_FOLD)).lower()
    for word in _WRITE_WORDS:
        if word in lowered:
            return _ASKS_TO_WRITE.search(lowered) is not None
    return False


def with_marker(text: str, request: dict[str, Any], user_text: str) -> str:
    """`text` with the requested marker written after its first sentence."""
    found = marker(request, user_text)
    if found is None or found in text:
        return text
    match = _FIRST_SENTENCE.search(text)
    cut = match.end() if match else len(text)
    return text[:cut] + found + text[cut:]


def _cited(convo: Conversation, rng: random.Random, citations: list[dict[str, Any]], lead: str | None) -> list[Draft]:
    intro = lead or rng.choice(("Here is what I found.", "Based on the sources provided, here is a summary.",
                                "According to the sources, a few points stand out."))
    drafts = [text_draft(with_marker(intro + " ", convo.request, convo.last_user_text))]
    for citation in citations:
        drafts.append(text_draft(citation["cited_text"] or prose.sentence(rng), [citation]))
    closing, _ = prose.answer(rng, 12 + rng.randrange(24))
    drafts.append(text_draft(" " + closing))
    return drafts
