"""The one tokenizer behind every token count: usage, count_tokens and max_tokens cuts.

A word-piece heuristic, not Claude's vocabulary: a token is a run of up to six ASCII letters
(with the space before it), up to three digits, a run of whitespace, or any other single
character (so CJK text costs a token per character). English prose comes out near four
characters per token. The first `n` pieces of a text re-tokenize to exactly `n` tokens, so
cutting and counting always agree.
"""

from __future__ import annotations

import functools
import re

_PATTERN = r" ?[a-zA-Z]{1,6}|\d{1,3}|\s+|[^a-zA-Z\d\s]"
_PIECE = re.compile(_PATTERN)
_findall = _PIECE.findall
_subn = _PIECE.subn


_COUNTS: dict[str, int] = {}  # clients resend the same prompts and histories turn after turn
_COUNTS_SIZE, _COUNTS_TEXT = 4096, 4096


def count(text: str) -> int:
    tokens = _COUNTS.get(text)
    if tokens is None:
        tokens = _subn("", text)[1] if text else 0  # counts the matches without building a list of pieces
        if len(text) <= _COUNTS_TEXT:
            if len(_COUNTS) >= _COUNTS_SIZE:
                _COUNTS.clear()
            _COUNTS[text] = tokens
    return tokens


class Memo(dict[str, int]):
    """Token counts of the texts of one request: the prompt is counted for usage, then reused."""

    def __missing__(self, text: str) -> int:
        tokens = self[text] = count(text)
        return tokens

    def __call__(self, text: str) -> int:
        return self[text]


def pieces(text: str) -> list[str]:
    return _findall(text)


def chunks(text: str, size: int) -> list[str]:
    """`text` in runs of `size` tokens (the last run may be shorter), one regex match per run."""
    return _runs(size).findall(text)


@functools.cache
def _runs(size: int) -> re.Pattern[str]:
    return re.compile(f"(?:{_PATTERN}){{1,{size}}}")


def head(text: str, n: int) -> str:
    """The first `n` tokens of `text`."""
    if n <= 0:
        return ""
    return "".join(_findall(text)[:n])
