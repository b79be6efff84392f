"""What never reaches a cassette (secrets, hop-by-hop headers, configured body paths) and the
--normalize rules that turn volatile values (ids, dates) into stable placeholders."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

import orjson

from ..scenarios.jsonpath import Step, compile_path

SECRET_HEADERS = frozenset({"x-api-key", "authorization", "anthropic-admin-key", "proxy-authorization",
                            "cookie", "set-cookie"})
# Transport details, written afresh on replay (uvicorn dates every response), or the mock's own
# per-test isolation key.
UNRECORDED_HEADERS = frozenset({"date", "server", "host", "content-length", "connection", "keep-alive", "transfer-encoding",
                                "accept-encoding", "content-encoding", "x-mock-session", "x-mock-cassette",
                                "user-agent"})
REDACTED = "<redacted>"

PRESETS = {
    "ids": r"\b(msg|msgbatch|toolu|srvtoolu|file|req|compact|skill|skillver|user|apikey|wrkspc|invite)_"
           r"[0-9A-Za-z]{12,}=>{1}_normalized{n}",
    "dates": r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})=>2000-01-01T00:00:00Z",
    "http-dates": r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT"
                  r"=>Sat, 01 Jan 2000 00:00:00 GMT",
}


# The client's own description of itself (SDK version, OS, runtime, retry count): it changes with
# every upgrade and machine, and matching never reads it.
VOLATILE_PREFIXES = ("x-stainless-",)


def recorded_headers(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in headers
            if name not in SECRET_HEADERS and name not in UNRECORDED_HEADERS
            and not name.startswith(VOLATILE_PREFIXES)]


class BodyRedactor:
    """Replaces the values at configured JSON paths (`$.metadata.user_id`) with `<redacted>`."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.paths = [compile_path(p) for p in paths]

    def __call__(self, raw: bytes) -> bytes:
        if not self.paths or not raw.startswith((b"{", b"[")):
            return raw
        try:
            document = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return raw
        changed = False
        for steps in self.paths:
            changed = replace_at(document, steps, REDACTED) or changed
        return orjson.dumps(document) if changed else raw


def replace_at(document: Any, steps: tuple[Step, ...], value: Any, *, delete: bool = False) -> bool:
    """Set (or delete) what `steps` reaches; True when something was there."""
    if not steps:
        return False
    parents = [document]
    for step in steps[:-1]:
        parents = [child for parent in parents for child in _children(parent, step)]
    last, found = steps[-1], False
    for parent in parents:
        for key in _keys(parent, last):
            found = True
            if delete:
                del parent[key]
            else:
                parent[key] = value
    return found


def _keys(parent: Any, step: Step) -> list[Any]:
    if isinstance(parent, dict):
        return list(parent) if step is None else [step] if step in parent else []
    if isinstance(parent, list):
        if step is None:
            return list(range(len(parent)))[::-1]  # from the end: deleting keeps earlier indexes valid
        if isinstance(step, int) and -len(parent) <= step < len(parent):
            return [step]
    return []


def _children(parent: Any, step: Step) -> list[Any]:
    return [parent[key] for key in _keys(parent, step)]


@dataclass(slots=True)
class _Rule:
    name: str
    pattern: re.Pattern[str]
    template: str


class Normalizer:
    """Each distinct volatile value gets one placeholder per cassette (`{n}` counts 1, 2, ...), so
    the same request recorded twice gives the same text."""

    def __init__(self, rules: Iterable[str], counters: dict[str, int] | None = None) -> None:
        self.rules = [_parse_rule(r) for r in rules]
        self.counters = counters if counters is not None else {}
        self._seen: dict[str, str] = {}

    def __bool__(self) -> bool:
        return bool(self.rules)

    def text(self, value: str) -> str:
        for rule in self.rules:
            value = rule.pattern.sub(lambda m, r=rule: self._placeholder(r, m), value)  # type: ignore[misc]
        return value

    def raw(self, value: bytes) -> bytes:
        if not self.rules or not value:
            return value
        try:
            return self.text(value.decode("utf-8")).encode("utf-8")
        except UnicodeDecodeError:
            return value

    def _placeholder(self, rule: _Rule, match: re.Match[str]) -> str:
        original = match.group(0)
        known = self._seen.get(original)
        if known is not None:
            return known
        text = rule.template
        if "{n}" in text:  # numbered per rule and first group: msg_...1, req_...1
            counter = f"{rule.name}:{match.group(1)}" if match.groups() else rule.name
            number = self.counters.get(counter, 0) + 1
            self.counters[counter] = number
            text = text.replace("{n}", f"{number:06d}")
        for index, group in enumerate(match.groups(), start=1):
            text = text.replace(f"{{{index}}}", group or "")
        self._seen[original] = text
        return text


def _parse_rule(rule: str) -> _Rule:
    spec = PRESETS.get(rule, rule)
    pattern, separator, template = spec.partition("=>")
    if not separator:
        raise ValueError(f"--normalize {rule!r}: expected a preset ({', '.join(PRESETS)}) or REGEX=>PLACEHOLDER")
    try:
        return _Rule(rule, re.compile(pattern), template)
    except re.error as error:
        raise ValueError(f"--normalize {rule!r}: {error}") from None
