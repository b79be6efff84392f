"""A string that matches a regular expression, for JSON Schema `pattern` keywords.

Walks the parse tree of Python's own regex parser and picks, with the request's rng, one string
from each construct: literals, classes, categories, repeats (kept short), groups, branches and
back-references. Anchors and lookarounds are ignored, which is enough for the patterns tool
schemas use (identifiers, codes, dates, phone numbers). A pattern whose shortest match is longer
than the caller's `limit` (at most MAX_CHARS), such as `((a{100}){100}){1000}`, raises TooLong:
before emitting anything when the parser's widths tell, else as soon as the output passes it.
"""

from __future__ import annotations

import random
import string
from typing import Any

try:
    from re import _constants as c, _parser as parser  # Python >= 3.11
except ImportError:  # pragma: no cover
    import sre_constants as c  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

_CATEGORY = {
    c.CATEGORY_DIGIT: string.digits,
    c.CATEGORY_NOT_DIGIT: string.ascii_letters,
    c.CATEGORY_SPACE: " ",
    c.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    c.CATEGORY_NOT_WORD: " -.,",
}
_ANY = string.ascii_letters + string.digits
_PRINTABLE = [chr(i) for i in range(32, 127)]
_MAX_EXTRA_REPEATS = 3
MAX_CHARS = 100_000  # the longest match emitted, whatever max_tokens allows: bounds the time spent


def _shortest(tree: Any) -> int:
    try:
        return tree.getwidth()[0]
    except Exception:  # widths of exotic constructs: let the budget decide while emitting
        return 0


class TooLong(Exception):
    """Every string the pattern matches is longer than the limit."""


class _Budget:
    __slots__ = ("left",)

    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self, text: str) -> str:
        self.left -= len(text)
        if self.left < 0:
            raise TooLong
        return text


def matching_string(pattern: str, rng: random.Random, limit: int = MAX_CHARS) -> str | None:
    try:
        tree = parser.parse(pattern)
    except Exception:
        return None
    limit = min(limit, MAX_CHARS)
    if _shortest(tree) > limit:  # known before emitting a character
        raise TooLong
    groups: dict[int, str] = {}
    try:
        return _emit(tree, rng, groups, _Budget(limit))
    except RecursionError:  # groups nested hundreds deep: treated like a pattern we cannot parse
        return None


def _emit(items: Any, rng: random.Random, groups: dict[int, str], budget: _Budget) -> str:
    return "".join(_one(op, av, rng, groups, budget) for op, av in items)


def _one(op: Any, av: Any, rng: random.Random, groups: dict[int, str], budget: _Budget) -> str:
    if op is c.LITERAL:
        return budget.spend(chr(av))
    if op is c.NOT_LITERAL:
        return budget.spend(rng.choice([ch for ch in _ANY if ord(ch) != av]))
    if op is c.ANY:
        return budget.spend(rng.choice(_ANY))
    if op is c.IN:
        return budget.spend(_from_class(av, rng))
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
        low, high, body = av
        high = min(high, low + _MAX_EXTRA_REPEATS)
        if low and _shortest(body) * low > budget.left:
            raise TooLong
        return "".join(_emit(body, rng, groups, budget) for _ in range(rng.randint(low, high)))
    if op is c.SUBPATTERN:
        group, _, _, body = av
        text = _emit(body, rng, groups, budget)
        if group is not None:
            groups[group] = text
        return text
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _emit(av, rng, groups, budget)
    if op is c.BRANCH:
        return _emit(rng.choice(av[1]), rng, groups, budget)
    if op is c.GROUPREF:
        return budget.spend(groups.get(av, ""))
    if op is c.GROUPREF_EXISTS:
        group, yes, no = av
        return _emit(yes if group in groups else (no or []), rng, groups, budget)
    return ""  # anchors, lookarounds


def _from_class(items: Any, rng: random.Random) -> str:
    allowed: list[str] = []
    negate = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            allowed.append(chr(av))
        elif op is c.RANGE:
            low, high = av
            allowed.extend(chr(i) for i in range(low, min(high, low + 200) + 1))
        elif op is c.CATEGORY:
            allowed.extend(_CATEGORY.get(av, _ANY))
    if negate:
        banned = set(allowed)
        allowed = [ch for ch in _PRINTABLE if ch not in banned]
    return rng.choice(allowed) if allowed else ""
