"""Request matching: the `match:` block of a rule, also used to count journal entries."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .jsonpath import compile_path, select
from .patterns import compile_pattern

SESSION_HEADER = "x-mock-session"


@dataclass(slots=True)
class Seen:
    """A request as matching sees it, live or from the journal."""

    operation: str
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any

    _text: str | None = None

    @property
    def session(self) -> str:
        return self.headers.get(SESSION_HEADER, "")

    @property
    def last_user_text(self) -> str:
        """Found once per request, however many rules look at it."""
        if self._text is None:
            self._text = last_user_text(self.body)
        return self._text


Check = Callable[[Seen], bool]


@dataclass(frozen=True, slots=True)
class Match:
    checks: tuple[Check, ...] = ()
    nth: frozenset[int] = frozenset()
    operations: frozenset[str] | None = None  # the `operation` condition, by which the rule book indexes rules
    text_pattern: str | None = None  # the `last_user_text` pattern, which the book matches for all rules at once

    def matches(self, seen: Seen) -> bool:
        for check in self.checks:
            if not check(seen):
                return False
        return True


def compile_match(spec: Mapping[str, Any] | None) -> Match:
    spec = spec or {}
    checks: list[Check] = []
    for name, builder in _BUILDERS.items():
        if name in spec:
            checks.append(builder(spec[name]))
    nth = spec.get("nth")
    numbers = frozenset([nth] if isinstance(nth, int) else nth or ())
    return Match(tuple(checks), numbers, _names(spec["operation"]) if "operation" in spec else None,
                 spec.get("last_user_text"))


# -- string matchers -----------------------------------------------------------------------------

def string_matcher(spec: Any) -> Callable[[str | None], bool]:
    """`"exact"`, `"glob*"`, or one of {equals, contains, prefix, matches, present}."""
    if isinstance(spec, str):
        if "*" in spec:
            pattern = re.compile(fnmatch.translate(spec))
            return lambda value: value is not None and pattern.match(value) is not None
        return lambda value: value == spec
    (kind, expected), = spec.items()
    if kind == "equals":
        return lambda value: value == str(expected)
    if kind == "contains":
        return lambda value: value is not None and str(expected) in value
    if kind == "prefix":
        return lambda value: value is not None and value.startswith(str(expected))
    if kind == "matches":
        pattern = compile_pattern(expected)
        return lambda value: value is not None and pattern.search(value) is not None
    if kind == "present":
        return lambda value: (value is not None) == bool(expected)
    raise ValueError(f"unknown string condition {kind!r}")


# -- one builder per `match:` field --------------------------------------------------------------

def _names(spec: str | list[str]) -> frozenset[str]:
    return frozenset([spec] if isinstance(spec, str) else spec)


def _operation(spec: str | list[str]) -> Check:
    names = _names(spec)
    return lambda seen: seen.operation in names


def _method(spec: str) -> Check:
    method = spec.upper()
    return lambda seen: seen.method == method


def _path(spec: Any) -> Check:
    matcher = string_matcher(spec)
    return lambda seen: matcher(seen.path)


def _headers(spec: Mapping[str, Any]) -> Check:
    matchers = [(name.lower(), string_matcher(value)) for name, value in spec.items()]
    return lambda seen: all(matcher(seen.headers.get(name)) for name, matcher in matchers)


def _platform(spec: Any) -> Check:
    """Who spoke: `anthropic` (first-party), or the platform codec that translated the request."""
    matcher = string_matcher(spec)
    return lambda seen: matcher(seen.headers.get("x-mock-platform") or "anthropic")


def _model(spec: Any) -> Check:
    matcher = string_matcher(spec)
    return lambda seen: matcher(model_of(seen.body))


def _stream(spec: bool) -> Check:
    return lambda seen: wants_stream(seen.body) == spec


def _tools(spec: str | list[str]) -> Check:
    wanted = frozenset([spec] if isinstance(spec, str) else spec)
    return lambda seen: wanted <= tool_names(seen.body)


def _last_user_text(spec: str) -> Check:
    pattern = compile_pattern(spec)
    return lambda seen: pattern.search(seen.last_user_text) is not None


def _body(spec: list[Mapping[str, Any]]) -> Check:
    conditions = [body_condition(item) for item in spec]
    return lambda seen: all(condition(seen.body) for condition in conditions)


_BUILDERS: dict[str, Callable[[Any], Check]] = {
    "operation": _operation,
    "method": _method,
    "path": _path,
    "headers": _headers,
    "platform": _platform,
    "model": _model,
    "stream": _stream,
    "tools": _tools,
    "last_user_text": _last_user_text,
    "body": _body,
}


# -- JSON-path conditions ------------------------------------------------------------------------

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "equals": lambda value, expected: value == expected,
    "matches": lambda value, pattern: isinstance(value, str) and pattern.search(value) is not None,
    "contains": lambda value, expected: _contains(value, expected),
    "gt": lambda value, limit: _number(value) and value > limit,
    "gte": lambda value, limit: _number(value) and value >= limit,
    "lt": lambda value, limit: _number(value) and value < limit,
    "lte": lambda value, limit: _number(value) and value <= limit,
}


def _contains(value: Any, expected: Any) -> bool:
    if isinstance(value, str):
        return isinstance(expected, str) and expected in value
    return isinstance(value, (list, dict)) and expected in value


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def body_condition(spec: Mapping[str, Any]) -> Callable[[Any], bool]:
    """Every operator given must hold for at least one selected value (`exists` counts them)."""
    steps = compile_path(spec["path"])
    tests = []
    for operator, expected in spec.items():
        if operator in ("path", "exists"):
            continue
        if operator not in _COMPARE:
            raise ValueError(f"unknown body condition {operator!r}")
        if operator == "matches":
            expected = compile_pattern(expected)
        tests.append((_COMPARE[operator], expected))
    exists = spec.get("exists")

    def condition(body: Any) -> bool:
        values = select(body, steps)
        if exists is not None and bool(values) != exists:
            return False
        return all(any(test(value, expected) for value in values) for test, expected in tests)

    return condition


# -- request facts -------------------------------------------------------------------------------

def model_of(body: Any) -> str | None:
    model = body.get("model") if isinstance(body, dict) else None
    return model if isinstance(model, str) else None


def wants_stream(body: Any) -> bool:
    return isinstance(body, dict) and body.get("stream") is True


def tool_names(body: Any) -> frozenset[str]:
    tools = body.get("tools") if isinstance(body, dict) else None
    if not isinstance(tools, list):
        return frozenset()
    names = set()
    for tool in tools:
        if isinstance(tool, dict):
            name = tool.get("name") or (tool.get("function") or {}).get("name")
            if isinstance(name, str):
                names.add(name)
    return frozenset(names)


def last_user_text(body: Any) -> str:
    """Text of the last user turn: Messages, chat completions, or a legacy `Human:` prompt."""
    if not isinstance(body, dict):
        return ""
    messages = body.get("messages")
    if isinstance(messages, list):
        for message in reversed(messages):
            if isinstance(message, dict) and message.get("role") == "user":
                return _text_of(message.get("content"))
        return ""
    prompt = body.get("prompt")
    if isinstance(prompt, str):
        return prompt.rpartition("Human:")[2].partition("\n\nAssistant:")[0].strip()
    return ""


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(block.get("text", "") for block in content
                         if isinstance(block, dict) and block.get("type") == "text")
    return ""
