"""Reply blocks before the output budget is applied, and the rule that applies it.

A reply is planned as a list of drafts (complete blocks with their output-token cost); `fit`
then enforces stop sequences and max_tokens the way generation would have: text stops right
before the first stop sequence it contains, text and thinking are cut at a token boundary when
the budget runs out, and a tool call that does not fit is left out. Whatever follows the stop
point is dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import tokenizer

TEXT, THINKING, CALL, RESULT = "text", "thinking", "call", "result"
UNFITTABLE = 2**40  # the token cost of a block larger than any max_tokens allows: `fit` always cuts it


@dataclass(slots=True)
class Draft:
    kind: str
    block: dict[str, Any]
    tokens: int
    hidden: bool = False  # thinking whose text is omitted: cost stays, nothing to cut


@dataclass(slots=True)
class Fitted:
    content: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = "end_turn"
    stop_sequence: str | None = None
    output_tokens: int = 0
    thinking_tokens: int = 0


def text_draft(text: str, citations: list[dict[str, Any]] | None = None, tokens: int | None = None) -> Draft:
    """`tokens`: the text's count when the caller already knows it (prose is counted when built)."""
    if tokens is None:
        tokens = tokenizer.count(text)
    return Draft(TEXT, {"type": "text", "text": text, "citations": citations}, tokens)


def fit(drafts: list[Draft], max_tokens: int, stop_sequences: list[str], natural_stop: str,
        cut_reason: str = "max_tokens") -> Fitted:
    """`cut_reason`: the stop reason when the budget runs out (see `limits.output_budget`)."""
    drafts, sequence = _apply_stop_sequences(drafts, stop_sequences)
    out = Fitted(stop_reason="stop_sequence" if sequence is not None else natural_stop, stop_sequence=sequence)
    budget = max_tokens
    for draft in drafts:
        if draft.tokens > budget:
            _cut(draft, budget, out)
            out.stop_reason, out.stop_sequence = cut_reason, None
            break
        _take(draft, draft.tokens, out)
        budget -= draft.tokens
    if max_tokens > 0 and out.output_tokens == 0:
        out.output_tokens = 1  # the API never bills zero for a generation
    return out


def _take(draft: Draft, tokens: int, out: Fitted) -> None:
    if draft.kind == TEXT and not draft.block["text"] and not draft.block.get("citations"):
        return
    out.content.append(draft.block)
    out.output_tokens += tokens
    if draft.kind == THINKING:
        out.thinking_tokens += tokens


def _cut(draft: Draft, budget: int, out: Fitted) -> None:
    if budget <= 0 or draft.kind in (CALL, RESULT) or draft.hidden:
        return
    if draft.kind == TEXT:
        draft.block["text"] = tokenizer.head(draft.block["text"], budget)
    else:
        draft.block["thinking"] = tokenizer.head(draft.block["thinking"], budget)
    _take(draft, budget, out)


def _apply_stop_sequences(drafts: list[Draft], sequences: list[str]) -> tuple[list[Draft], str | None]:
    sequences = [s for s in sequences if s]
    if not sequences:
        return drafts, None
    for i, draft in enumerate(drafts):
        if draft.kind != TEXT:
            continue
        hit = _earliest(draft.block["text"], sequences)
        if hit is not None:
            position, sequence = hit
            kept = draft.block["text"][:position]
            draft.block["text"] = kept
            draft.tokens = tokenizer.count(kept)
            if not kept:
                draft.block["citations"] = None
            return drafts[: i + 1], sequence
    return drafts, None


def _earliest(text: str, sequences: list[str]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for sequence in sequences:
        at = text.find(sequence)
        if at >= 0 and (best is None or at < best[0]):
            best = (at, sequence)
    return best
