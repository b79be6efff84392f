"""A small JSON-path subset for rule conditions: `$.a.b`, `$.list[0]`, `$.list[-1]`, `$.list[*].name`,
`$['odd key']`. A path selects every value it reaches; a missing step selects nothing."""

from __future__ import annotations

import re
from typing import Any

Step = str | int | None  # a key, an index, or None for the `*` wildcard

_TOKEN = re.compile(r"""\.(?P<key>[^.\[\]]+)|\[(?P<index>-?\d+)\]|\[\*\]|\.\*|\[(?P<q>['"])(?P<quoted>.*?)(?P=q)\]""")


def compile_path(path: str) -> tuple[Step, ...]:
    text = path.strip()
    if not text.startswith("$"):
        raise ValueError(f"a JSON path starts with `$`: {path!r}")
    steps: list[Step] = []
    position = 1
    while position < len(text):
        found = _TOKEN.match(text, position)
        if found is None:
            raise ValueError(f"cannot read JSON path {path!r} at {text[position:]!r}")
        if found.group("key") is not None:
            steps.append(found.group("key"))
        elif found.group("index") is not None:
            steps.append(int(found.group("index")))
        elif found.group("quoted") is not None:
            steps.append(found.group("quoted"))
        else:
            steps.append(None)
        position = found.end()
    return tuple(steps)


def select(document: Any, steps: tuple[Step, ...]) -> list[Any]:
    current = [document]
    for step in steps:
        following: list[Any] = []
        for value in current:
            following.extend(_step(value, step))
        current = following
    return current


def _step(value: Any, step: Step) -> list[Any]:
    if step is None:
        if isinstance(value, dict):
            return list(value.values())
        return list(value) if isinstance(value, list) else []
    if isinstance(step, int):
        if isinstance(value, list) and -len(value) <= step < len(value):
            return [value[step]]
        return []
    if isinstance(value, dict) and step in value:
        return [value[step]]
    return []
