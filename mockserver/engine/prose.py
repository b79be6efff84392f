"""Plausible English prose: sentences built once at import, picked per reply by the request's rng.

Two registers: answer prose (calm, helpful explanation) and reasoning prose (first-person
planning, used for thinking blocks). Each sentence's token count is precomputed, so a reply of
any length costs only a handful of random draws and one join.
"""

from __future__ import annotations

import random

from . import tokenizer

_OPENERS = (
    "In practice,", "In most cases,", "As a rule,", "For example,", "At the same time,",
    "More importantly,", "In short,", "Put simply,", "On the other hand,", "With that in mind,",
    "Over time,", "In this case,", "Generally,", "Even so,", "To start with,", "Similarly,",
)
_SUBJECTS = (
    "the simplest approach", "a careful review", "this method", "a small change", "the first step",
    "a clear plan", "the main idea", "a good design", "the existing setup", "a quick test",
    "the final result", "a well-chosen example", "the underlying model", "a consistent structure",
    "each component", "the team", "a short summary", "this pattern", "the data", "a second pass",
)
_VERBS = (
    ("keeps", "keep"), ("makes", "make"), ("helps", "help"), ("improves", "improve"),
    ("reduces", "reduce"), ("clarifies", "clarify"), ("supports", "support"),
    ("highlights", "highlight"), ("simplifies", "simplify"), ("protects", "protect"),
    ("reveals", "reveal"), ("shapes", "shape"), ("strengthens", "strengthen"),
    ("explains", "explain"), ("balances", "balance"),
)
_OBJECTS = (
    "the overall design", "the trade-offs", "the cost of mistakes", "the most important details",
    "the expected behaviour", "the edge cases", "the long-term plan", "the core requirements",
    "the rest of the system", "the user experience", "the key assumptions", "the next steps",
    "the final answer", "the available options", "the risk of confusion",
)
_TAILS = (
    "", " without much extra effort", " in a predictable way", " for everyone involved",
    " over the long run", " when the details change", " from the very beginning",
    " with fewer surprises", " at a reasonable cost", " in a way that is easy to follow",
)
_CONDITIONS = (
    "the goal is clarity", "time is limited", "the requirements change", "the results look unusual",
    "the context matters", "you want a reliable outcome", "several people are involved",
)
_ACTIONS = (
    "check the assumptions", "write down the goal", "compare a few alternatives",
    "test a small example", "gather the relevant facts", "outline the main steps",
    "ask what could go wrong", "measure the current state", "settle on a clear definition",
    "look at a concrete case",
)
_CONCERNS = (
    "what the question is really about", "the simplest way to answer", "which details matter most",
    "how to structure the reply", "whether any tools are needed", "the possible edge cases",
    "how much detail to include", "what a good example would be",
)
_CHECKS = (
    "the answer is accurate", "nothing important is missing", "the explanation stays clear",
    "the reply matches the question", "the steps are in a sensible order",
)


def _cap(text: str) -> str:
    return text[0].upper() + text[1:]


def _answer_sentence(r: random.Random) -> str:
    subject, (verb, base), obj, tail = (r.choice(_SUBJECTS), r.choice(_VERBS),
                                        r.choice(_OBJECTS), r.choice(_TAILS))
    form = r.randrange(8)
    if form == 0:
        return f"{r.choice(_OPENERS)} {subject} {verb} {obj}{tail}."
    if form == 1:
        verb2 = r.choice(_VERBS)[0]
        return _cap(f"{subject} {verb} {obj}, and {r.choice(_SUBJECTS)} {verb2} {r.choice(_OBJECTS)}.")
    if form == 2:
        return f"It is worth noting that {subject} {verb} {obj}{tail}."
    if form == 3:
        return f"If {r.choice(_CONDITIONS)}, {subject} {verb} {obj}."
    if form == 4:
        return f"One useful idea is to {r.choice(_ACTIONS)} before you {r.choice(_ACTIONS)}."
    if form == 5:
        return f"This is why {subject} {verb} {obj}{tail}."
    if form == 6:
        return f"A helpful way to think about it is that {subject} {verb} {obj}."
    return _cap(f"{subject} tends to {base} {obj}{tail}.")


def _reasoning_sentence(r: random.Random) -> str:
    form = r.randrange(7)
    if form == 0:
        return f"Let me think about {r.choice(_CONCERNS)}."
    if form == 1:
        return f"First, I should {r.choice(_ACTIONS)}."
    if form == 2:
        return f"Then I can {r.choice(_ACTIONS)} and {r.choice(_ACTIONS)}."
    if form == 3:
        return f"I want to make sure {r.choice(_CHECKS)}."
    if form == 4:
        return f"It might help to {r.choice(_ACTIONS)}."
    if form == 5:
        subject, (verb, _), obj = r.choice(_SUBJECTS), r.choice(_VERBS), r.choice(_OBJECTS)
        return f"Actually, {subject} {verb} {obj}, so I should keep that in mind."
    return f"So the plan is to {r.choice(_ACTIONS)} and then {r.choice(_ACTIONS)}."


def _table(make, size: int, seed: int) -> tuple[tuple[str, ...], tuple[int, ...]]:
    r = random.Random(seed)
    sentences = tuple(make(r) for _ in range(size))
    return sentences, tuple(tokenizer.count(s) for s in sentences)


_ANSWER, _ANSWER_TOKENS = _table(_answer_sentence, 1024, 1)
_REASONING, _REASONING_TOKENS = _table(_reasoning_sentence, 512, 2)


def _compose(r: random.Random, table: tuple[str, ...], costs: tuple[int, ...],
             target: int, paragraph: int) -> tuple[str, int]:
    """Sentences until `target` tokens; a blank line (one more token) every `paragraph` sentences."""
    parts: list[str] = []
    total = sentences = 0
    size = len(table)
    draw = r.random  # one C call per sentence (randrange is several Python-level calls)
    while total < target:
        i = int(draw() * size)
        if sentences:
            if paragraph and sentences % paragraph == 0:
                parts.append("\n\n")
                total += 1
            else:
                parts.append(" ")
        parts.append(table[i])
        total += costs[i]
        sentences += 1
    return "".join(parts), total


def answer(r: random.Random, target_tokens: int) -> tuple[str, int]:
    """Explanatory prose of about `target_tokens` tokens (never less), with its exact count."""
    return _compose(r, _ANSWER, _ANSWER_TOKENS, target_tokens, 2 + int(r.random() * 3))


def reasoning(r: random.Random, target_tokens: int) -> tuple[str, int]:
    """First-person thinking prose of about `target_tokens` tokens, with its exact count."""
    return _compose(r, _REASONING, _REASONING_TOKENS, target_tokens, 0)


def sentence(r: random.Random) -> str:
    return _ANSWER[r.randrange(len(_ANSWER))]
