"""The text a reply answers with: prose, an echo, structured JSON, or cited statements.

Length rule: prose of about 24 + prompt/4 (prompt = tokens of the last user text, capped at
400) + a random 0-47 tokens. Stop-sequence rule: if one of the request's stop sequences occurs
in the last user text or the system prompt, the answer contains it right after its first
sentence, so generation stops there (stop_reason "stop_sequence").
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

_FIRST_SENTENCE = re.compile(r"[.!?](?=\s|$)")


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
        value = instances.generate(schema, rng, topic, instances.max_chars_for(request.get("max_tokens")))
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
    final = with_stop_sequence(text, request, user_text)
    return text_draft(final, tokens=tokens if final is text else None)


def target_length(prompt_tokens: int, rng: random.Random) -> int:
    return 24 + min(prompt_tokens, 400) // 4 + int(rng.random() * 48)  # one C call, as in `prose`


def with_stop_sequence(text: str, request: dict[str, Any], user_text: str) -> str:
    sequences = [s for s in request.get("stop_sequences") or () if s]
    if not sequences:
        return text
    context = user_text + "\n" + system_text(request)
    for sequence in sequences:
        if sequence in context and sequence not in text:
            match = _FIRST_SENTENCE.search(text)
            cut = match.end() if match else len(text)
            return text[:cut] + sequence + text[cut:]
    return text


def _cited(convo: Conversation, rng: random.Random, citations: list[dict[str, Any]], lead: str | None) -> list[Draft]:
    intro = lead or rng.choice(("Here is what I found.", "Based on the sources provided, here is a summary.",
                                "According to the sources, a few points stand out."))
    drafts = [text_draft(with_stop_sequence(intro + " ", convo.request, convo.last_user_text))]
    for citation in citations:
        drafts.append(text_draft(citation["cited_text"] or prose.sentence(rng), [citation]))
    closing, _ = prose.answer(rng, 12 + rng.randrange(24))
    drafts.append(text_draft(" " + closing))
    return drafts
