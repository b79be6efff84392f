"""The one tokenizer behind every token count: usage, count_tokens and max_tokens cuts.

A word-piece heuristic, not Claude's vocabulary: a token is a run of up to six ASCII letters
(with the space before it), up to three digits, a run of whitespace, or any other single
character (so CJK text costs a token per character). English prose comes out near four
characters per token. The first `n` pieces of a text re-tokenize to exactly `n` tokens, so
cutting and counting always agree.
"""

from __future__ import annotations

import re

_PIECE = re.compile(r" ?[a-zA-Z]{1,6}|\d{1,3}|\s+|[^a-zA-Z\d\s]")
_findall = _PIECE.findall


def count(text: str) -> int:
    return len(_findall(text)) if text else 0


def pieces(text: str) -> list[str]:
    return _findall(text)


def head(text: str, n: int) -> str:
    """The first `n` tokens of `text`."""
    if n <= 0:
        return ""
    return "".join(_findall(text)[:n])
