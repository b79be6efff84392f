"""The shape check: every key of the real JSON is in ours, with the same JSON type, all the way down.

`null` on either side matches anything. Arrays are compared by each element's `type`: for each
block type both answers have, our blocks of that type must carry the keys the real ones carry; a
block type only the real answer has is one the real model chose freely and is not required. A
tool's `input` is the model's own choice: only its JSON type is compared.
"""

from __future__ import annotations

from typing import Any

FREE_INPUT_BLOCKS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


def shape_problems(real: Any, ours: Any) -> list[str]:
    """Each problem as one cause: "missing key usage.iterations", "type of content[text].text: ..."."""
    problems = []
    if isinstance(real, dict) and isinstance(ours, dict) and isinstance(real.get("type"), str):
        if ours.get("type") != real["type"]:
            problems.append(f"type is {ours.get('type')!r}, real {real['type']!r}")
    problems += _compare(real, ours, "")
    return list(dict.fromkeys(problems))


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", dict: "object", list: "array"}.get(type(value), "null")


def _compare_kinds(real: Any, ours: Any, path: str) -> list[str]:
    if real is None or ours is None or json_kind(real) == json_kind(ours):
        return []
    return [f"type of {path or '(top)'}: {json_kind(ours)}, real {json_kind(real)}"]


def _compare(real: Any, ours: Any, path: str) -> list[str]:
    problems = _compare_kinds(real, ours, path)
    if problems or real is None or ours is None:
        return problems
    if isinstance(real, dict):
        return _compare_objects(real, ours, path)
    if isinstance(real, list):
        return _compare_arrays(real, ours, path)
    return []


def _compare_objects(real: dict, ours: dict, path: str) -> list[str]:
    problems = []
    free_input = real.get("type") in FREE_INPUT_BLOCKS
    for key, value in real.items():
        where = f"{path}.{key}" if path else key
        if key not in ours:
            problems.append(f"missing key {where}")
        elif free_input and key == "input":
            problems += _compare_kinds(value, ours[key], where)
        else:
            problems += _compare(value, ours[key], where)
    return problems


def _compare_arrays(real: list, ours: list, path: str) -> list[str]:
    if real and all(_block_type(item) for item in real):
        problems = []
        for kind in dict.fromkeys(map(_block_type, real)):
            exemplar = _merged([item for item in real if _block_type(item) == kind])
            for mine in (item for item in ours if _block_type(item) == kind):
                problems += _compare(exemplar, mine, f"{path}[{kind}]")
        return problems
    if not real or not ours:
        return []  # how many items there are is the state's business, not the shape's
    exemplar = _merged(real) if all(isinstance(item, dict) for item in real) else real[0]
    return [problem for mine in ours for problem in _compare(exemplar, mine, f"{path}[]")]


def _block_type(item: Any) -> str | None:
    kind = item.get("type") if isinstance(item, dict) else None
    return kind if isinstance(kind, str) else None


def _merged(items: list[dict]) -> dict:
    """One object with every key any of `items` has; a key's first non-null value."""
    merged: dict = {}
    for item in items:
        for key, value in item.items():
            if merged.get(key) is None:
                merged[key] = value
    return merged
