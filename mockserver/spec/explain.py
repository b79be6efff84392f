"""Turn a schema violation into the API's wording: `messages.0.content: Field required`.

Runs only after the compiled validator has said "invalid", so it may walk the schema.
Messages follow the API's (pydantic-style) phrasing; union members are entered by their
`type` tag, and the tag becomes part of the path (`tools.0.custom.name`), as the API does.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from .refs import resolve_schema

Path = list[str]
Problem = tuple[Path, str]

_UNTAGGED = object()

_TYPE_MESSAGES = {
    "string": "Input should be a valid string",
    "integer": "Input should be a valid integer",
    "number": "Input should be a valid number",
    "boolean": "Input should be a valid boolean",
    "object": "Input should be a valid dictionary",
    "array": "Input should be a valid list",
    "null": "Input should be None",
}


class Explainer:
    def __init__(self, root: dict[str, Any]) -> None:
        self._root = root

    def explain(self, schema: dict[str, Any], value: Any) -> Problem | None:
        """The first problem found, as (path, message); None when the value conforms."""
        return self._check(schema, value, [])

    def _resolve(self, schema: Any) -> dict[str, Any]:
        return resolve_schema(self._root, schema)

    def _check(self, schema: Any, value: Any, path: Path) -> Problem | None:
        if schema is True or schema == {}:
            return None
        if schema is False:
            return path, "Extra inputs are not permitted"
        schema = self._resolve(schema)
        for sub in schema.get("allOf", ()):
            problem = self._check(sub, value, path)
            if problem:
                return problem
        union = schema.get("anyOf") or schema.get("oneOf")
        if union:
            problem = self._check_union(schema, union, value, path)
            if problem:
                return problem
        return self._check_type(schema, value, path) or self._check_value(schema, value, path)

    def _check_union(self, schema: dict, members: list, value: Any, path: Path) -> Problem | None:
        non_null = [m for m in members if self._resolve(m).get("type") != "null"]
        if value is None and len(non_null) < len(members):
            return None
        wrong_role = self._unknown_discriminator_value(schema, non_null, value, path)
        if wrong_role:
            return wrong_role
        tagged = self._tagged_member(schema, non_null, value, path)
        if tagged is not _UNTAGGED:
            return tagged  # type: ignore[return-value]
        problems = []
        for member in non_null:
            problem = self._check(member, value, path)
            if problem is None:
                return None
            problems.append(problem)
        if not problems:
            return None
        # The member that got furthest into the value explains best.
        return max(problems, key=lambda p: len(p[0]))

    def _unknown_discriminator_value(self, schema: dict, members: list, value: Any, path: Path) -> Problem | None:
        """A turn's `role` (a discriminator other than `type`) outside the union: name every allowed value,
        in the union's order, as the API does."""
        name = (schema.get("discriminator") or {}).get("propertyName")
        if name in (None, "type") or not isinstance(value, dict) or name not in value:
            return None
        allowed = [self._resolve(m).get("properties", {}).get(name, {}).get("const") for m in members]
        if None in allowed or value[name] in allowed:
            return None
        return [*path, name], f"Input should be {_alternatives(allowed)}"

    def _tagged_member(self, schema: dict, members: list, value: Any, path: Path) -> object:
        """Descend into the member named by the value's `type` tag; _UNTAGGED if that can't be done."""
        if not isinstance(value, dict):
            return _UNTAGGED
        tags = {}
        for member in members:
            tag = _const_tag(self._resolve(member))
            if tag is not None:
                tags[tag] = member
        if len(tags) < 2 and not schema.get("discriminator"):
            return _UNTAGGED
        tag = value.get("type")
        if tag is None:
            optional = [t for t, m in tags.items() if "type" not in self._resolve(m).get("required", ())]
            if len(optional) == 1:
                tag = optional[0]
        if isinstance(tag, str) and tag in tags:  # a list or object `type` is no tag (and unhashable)
            return self._check(tags[tag], value, [*path, str(tag)])
        untagged = [m for m in members if _const_tag(self._resolve(m)) is None]
        if tag is None and not untagged:
            return [*path], "Unable to extract tag using discriminator 'type'"
        if tag is not None and not untagged:
            expected = ", ".join(f"'{t}'" for t in tags)
            return [*path], (
                f"Input tag '{tag}' found using 'type' does not match any of the expected tags: {expected}"
            )
        return _UNTAGGED

    def _check_type(self, schema: dict, value: Any, path: Path) -> Problem | None:
        expected = schema.get("type")
        if expected is None:
            return None
        types = expected if isinstance(expected, list) else [expected]
        if any(_is_type(value, t) for t in types):
            return None
        return path, _TYPE_MESSAGES.get(types[0], f"Input should be of type {types[0]}")

    def _check_value(self, schema: dict, value: Any, path: Path) -> Problem | None:
        if "const" in schema and value != schema["const"]:
            return path, f"Input should be {_literal(schema['const'])}"
        if "enum" in schema and value not in schema["enum"]:
            return path, f"Input should be {_alternatives(schema['enum'])}"
        if isinstance(value, dict):
            return self._check_object(schema, value, path)
        if isinstance(value, list):
            return self._check_array(schema, value, path)
        if isinstance(value, str):
            return _check_string(schema, value, path)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return _check_number(schema, value, path)
        return None

    def _check_object(self, schema: dict, value: dict, path: Path) -> Problem | None:
        properties = schema.get("properties", {})
        for name in schema.get("required", ()):
            if name not in value:
                return [*path, name], "Field required"
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in properties:
                problem = self._check(properties[name], item, [*path, name])
            elif extra is False:
                problem = [*path, name], "Extra inputs are not permitted"
            elif isinstance(extra, dict):
                problem = self._check(extra, item, [*path, name])
            else:
                problem = None
            if problem:
                return problem
        return None

    def _check_array(self, schema: dict, value: list, path: Path) -> Problem | None:
        bound = _size_bound(schema, "minItems", "maxItems", len(value), "item")
        if bound:
            return path, f"List should have {bound} after validation, not {len(value)}"
        items = schema.get("items")
        if items is not None:
            for index, item in enumerate(value):
                problem = self._check(items, item, [*path, str(index)])
                if problem:
                    return problem
        return None


def _size_bound(schema: dict, low_key: str, high_key: str, size: int, unit: str) -> str | None:
    """"at least 2 items" / "at most 1 character" when `size` breaks the schema's bound, else None."""
    low, high = schema.get(low_key), schema.get(high_key)
    if low is not None and size < low:
        return f"at least {low} {unit}{'s' if low != 1 else ''}"
    if high is not None and size > high:
        return f"at most {high} {unit}{'s' if high != 1 else ''}"
    return None


def _const_tag(member: dict) -> str | None:
    tag = member.get("properties", {}).get("type", {})
    options = [o for o in tag.get("anyOf", ()) if o.get("type") != "null"]
    if len(options) == 1:  # an optional tag, e.g. the custom tool's `type: custom | null`
        tag = options[0]
    if "const" in tag:
        return tag["const"]
    enum = tag.get("enum")
    return enum[0] if enum and len(enum) == 1 else None


def _is_type(value: Any, name: str) -> bool:
    if name == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return isinstance(value, _PY_TYPES[name])


_PY_TYPES: dict[str, Any] = {
    "string": str,
    "boolean": bool,
    "object": dict,
    "array": list,
    "null": type(None),
}


def _check_string(schema: dict, value: str, path: Path) -> Problem | None:
    bound = _size_bound(schema, "minLength", "maxLength", len(value), "character")
    if bound:
        return path, f"String should have {bound}"
    pattern = schema.get("pattern")
    if pattern and not re.search(pattern, value):
        return path, f"String should match pattern '{pattern}'"
    check = _FORMATS.get(schema.get("format", ""))
    message = check(value) if check else None
    return (path, message) if message else None


def _email_problem(value: str) -> str | None:
    local, at, domain = value.rpartition("@")
    if not at:
        return "value is not a valid email address: An email address must have an @-sign."
    if not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return "value is not a valid email address: The part after the @-sign is not valid."
    return None


def _datetime_problem(value: str) -> str | None:
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return "Input should be a valid datetime, invalid datetime format"
    return None


_FORMATS = {"email": _email_problem, "date-time": _datetime_problem}


def _check_number(schema: dict, value: float, path: Path) -> Problem | None:
    checks = (
        ("minimum", lambda b: value >= b, "greater than or equal to"),
        ("exclusiveMinimum", lambda b: value > b, "greater than"),
        ("maximum", lambda b: value <= b, "less than or equal to"),
        ("exclusiveMaximum", lambda b: value < b, "less than"),
    )
    for keyword, holds, words in checks:
        bound = schema.get(keyword)
        if bound is not None and not isinstance(bound, bool) and not holds(bound):
            return path, f"Input should be {words} {bound}"
    return None


def _literal(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def _alternatives(values: list) -> str:
    quoted = [_literal(v) for v in values]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def format_problem(problem: Problem) -> str:
    path, message = problem
    return f"{'.'.join(path)}: {message}" if path else message
