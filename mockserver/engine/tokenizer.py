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
        tokens = _subn("", text)[1] if len(text) < _LONG else _count_long(text)
        if len(text) <= _COUNTS_TEXT:
            if len(_COUNTS) >= _COUNTS_SIZE:
                _COUNTS.clear()
            _COUNTS[text] = tokens
    return tokens


_LONG = 512  # from here on counting by character classes beats one regex match per piece


def _class_of(code: int) -> str:
    """a: ASCII letter, d: decimal digit (regex \\d), s: the space, w: other whitespace (\\s), o: other."""
    char = chr(code)
    if code < 128 and char.isalpha():
        return "a"
    if char.isdecimal():
        return "d"
    if char == " ":
        return "s"
    return "w" if char.isspace() else "o"


class _Classes(dict[int, str]):
    """str.translate's table: each character's class; other characters are looked up once (bounded)."""

    def __missing__(self, code: int) -> str:
        value = _class_of(code)
        if len(self) < 65_536:
            self[code] = value
        return value


_CLASSES = _Classes({code: _class_of(code) for code in range(128)})
_ONLY_LETTERS = str.maketrans("dswo", "....")
_ONLY_DIGITS = str.maketrans("aswo", "....")
_ONLY_SPACES = str.maketrans("adso", "..w.")


def _count_long(text: str) -> int:
    """What `_subn` counts, in a few C-speed passes (linear, ~15 ms for 1 MB): a run of L letters is
    ceil(L/6) pieces, of L digits ceil(L/3), a whitespace run one, less the single spaces that join the
    letters after them, and every other character one. A run's first character is marked ("b", "e") so
    that counting six (three) more of its kind finds its extra pieces."""
    classes = "." + text.translate(_CLASSES)
    letters = classes.translate(_ONLY_LETTERS).replace(".a", ".b")
    digits = classes.translate(_ONLY_DIGITS).replace(".d", ".e")
    spaces = classes.translate(_ONLY_SPACES)
    joined = classes.count("sa") - classes.count("ssa") - classes.count("wsa")
    return (letters.count("b") + letters.count("aaaaaa") + digits.count("e") + digits.count("ddd")
            + spaces.count(".w") - joined + classes.count("o"))


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
