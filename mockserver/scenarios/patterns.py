"""The regular expressions users write in rules and verifications, run by RE2: matching time is
linear in the text, whatever the pattern (`(a+)+$` cannot backtrack). What RE2 does not offer
(back-references, look-around) is refused when the rule is loaded, naming the pattern."""

from __future__ import annotations

from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # the refusal names the pattern; RE2's own stderr line would be noise


class PatternError(ValueError):
    """A pattern RE2 cannot run, with the pattern in the message."""


def compile_pattern(pattern: Any) -> Any:
    """A compiled pattern with `search(text)`, or PatternError naming `pattern` and why."""
    if not isinstance(pattern, str):
        raise PatternError(f"pattern {pattern!r} is not a string")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode(errors="replace") if error.args and isinstance(error.args[0], bytes) else error
        raise PatternError(f"pattern {repr(pattern)[:200]} is not supported: {reason} (patterns run on "
                           "RE2, in linear time: no back-references or look-around)") from None


class PatternSet:
    """Many patterns searched in one linear pass: which of them occur in a text. `None` from
    `hits` when RE2 could not build the set (memory): then every pattern must be tried alone."""

    def __init__(self, patterns: list[str]) -> None:
        self._set: Any = re2.Set.SearchSet(_OPTIONS)
        try:
            for pattern in patterns:
                self._set.Add(pattern)
            self._built = self._set.Compile() is not False  # google-re2 returns None, older bindings a bool
        except re2.error:
            self._built = False

    def hits(self, text: str) -> frozenset[int] | None:
        """The indexes (in the order given) of the patterns found in `text`."""
        if not self._built:
            return None
        try:
            return frozenset(self._set.Match(text) or ())
        except re2.error:
            return None
