"""Query strings read the way the client serialised them: arrays and objects have several wire forms.

Stainless SDKs differ per language (`ids[]=a&ids[]=b`, `ids=a,b`, `ids=a&ids=b`, `f[k]=v`, `f.k=v`),
and Steady lets a server fix one with `--validator-query-array-format` / `--validator-query-object-format`.
`auto` (the default) accepts the bracket and repeated forms of arrays and the bracket and dot forms
of objects, as this mock always did. The parameter's name in the spec may carry `[]`; its wire name
is the name without it.
"""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import parse_qsl

from ..http.errors import invalid_request
from .explain import Explainer, format_problem
from .operations import Parameter

ARRAY_FORMATS = ("auto", "brackets", "repeat", "comma", "indices", "space", "pipe")
OBJECT_FORMATS = ("auto", "brackets", "dots", "flat", "flat-comma", "comma")

Raw = dict[str, list[str]]  # wire key -> its values, in order


def _array_auto(raw: Raw, name: str) -> list[str] | None:
    found = [*raw.get(name, ()), *raw.get(name + "[]", ())]
    return found if (name in raw or name + "[]" in raw) else None


def _array_brackets(raw: Raw, name: str) -> list[str] | None:
    return raw.get(name + "[]")


def _array_repeat(raw: Raw, name: str) -> list[str] | None:
    return raw.get(name)


def _array_indices(raw: Raw, name: str) -> list[str] | None:
    prefix = name + "["
    indexed = [(key[len(prefix):-1], values[-1]) for key, values in raw.items()
               if key.startswith(prefix) and key.endswith("]")]
    indexed = [(int(index), value) for index, value in indexed if index.isdigit()]
    return [value for _, value in sorted(indexed)] if indexed else None


def _array_split(separator: str) -> Callable[[Raw, str], list[str] | None]:
    def read(raw: Raw, name: str) -> list[str] | None:
        values = raw.get(name)
        if values is None:
            return None
        return values[-1].split(separator) if values[-1] else []
    return read


_ARRAY_READERS: dict[str, Callable[[Raw, str], list[str] | None]] = {
    "auto": _array_auto, "brackets": _array_brackets, "repeat": _array_repeat, "indices": _array_indices,
    "comma": _array_split(","), "space": _array_split(" "), "pipe": _array_split("|"),
}


def _members(raw: Raw, opening: str, closing: str) -> dict[str, str] | None:
    found = {key[len(opening):len(key) - len(closing)]: values[-1] for key, values in raw.items()
             if key.startswith(opening) and key.endswith(closing) and len(key) > len(opening) + len(closing)}
    return found or None


def _object_brackets(raw: Raw, name: str, schema: dict) -> dict[str, str] | None:
    return _members(raw, name + "[", "]")


def _object_dots(raw: Raw, name: str, schema: dict) -> dict[str, str] | None:
    return _members(raw, name + ".", "")


def _object_auto(raw: Raw, name: str, schema: dict) -> dict[str, str] | None:
    brackets, dots = _object_brackets(raw, name, schema), _object_dots(raw, name, schema)
    return {**(dots or {}), **(brackets or {})} if (brackets or dots) else None


def _object_flat(raw: Raw, name: str, schema: dict) -> dict[str, str] | None:
    found = {key: raw[key][-1] for key in schema.get("properties", {}) if key in raw}
    return found or None


def _object_comma(raw: Raw, name: str, schema: dict) -> dict[str, str] | None:
    values = raw.get(name)
    if values is None:
        return None
    parts = values[-1].split(",") if values[-1] else []
    if len(parts) % 2:
        raise invalid_request(f"{name}: expected comma-separated key,value pairs")
    return dict(zip(parts[::2], parts[1::2]))


_OBJECT_READERS: dict[str, Callable[[Raw, str, dict], dict[str, str] | None]] = {
    "auto": _object_auto, "brackets": _object_brackets, "dots": _object_dots, "flat": _object_flat,
    "flat-comma": _object_comma, "comma": _object_comma,
}


class QueryReader:
    """Reads one operation's query parameters in the formats chosen at start-up."""

    def __init__(self, array_format: str = "auto", object_format: str = "auto") -> None:
        if array_format not in _ARRAY_READERS:
            raise ValueError(f"query array format {array_format!r}: choose one of {', '.join(ARRAY_FORMATS)}")
        if object_format not in _OBJECT_READERS:
            raise ValueError(f"query object format {object_format!r}: choose one of {', '.join(OBJECT_FORMATS)}")
        self._array = _ARRAY_READERS[array_format]
        self._object = _OBJECT_READERS[object_format]

    def read(self, parameters: tuple[Parameter, ...], query_string: str) -> dict[str, Any]:
        raw: Raw = {}
        for key, value in parse_qsl(query_string, keep_blank_values=True):
            raw.setdefault(key, []).append(value)
        result: dict[str, Any] = {}
        for param in parameters:
            name = param.name.removesuffix("[]")
            value = self._value(param, name, raw)
            if value is None:
                if param.required:
                    raise invalid_request(f"{param.name}: Field required")
                continue
            result[name] = value
        return result

    def _value(self, param: Parameter, name: str, raw: Raw) -> Any:
        kind = param.schema.get("type")
        if kind == "array":
            items = self._array(raw, name)
            return None if items is None else _array(param, items)
        if kind == "object":
            members = self._object(raw, name, param.schema)
            return None if members is None else _object(param, members)
        values = raw.get(name)
        return None if values is None else coerce(param.name, param.schema, values[-1])


def _array(param: Parameter, values: list[str]) -> list[Any]:
    schema = param.schema
    items = [coerce(param.name, schema.get("items", {}), value) for value in values]
    problem = Explainer({}).explain({k: v for k, v in schema.items() if k != "items"}, items)
    if problem:
        raise invalid_request(format_problem(([param.name, *problem[0]], problem[1])))
    return items


def _object(param: Parameter, members: dict[str, str]) -> dict[str, Any]:
    properties = param.schema.get("properties", {})
    extra = param.schema.get("additionalProperties", {})
    value = {key: coerce(f"{param.name}.{key}", properties.get(key, extra if isinstance(extra, dict) else {}), text)
             for key, text in members.items()}
    problem = Explainer({}).explain(param.schema, value)
    if problem:
        raise invalid_request(format_problem(([param.name, *problem[0]], problem[1])))
    return value


def coerce(name: str, schema: dict, value: str) -> Any:
    """A query string as the scalar its schema declares, or the API's 400."""
    kind = _scalar_type(schema)
    try:
        if kind == "integer":
            result: Any = int(value)
        elif kind == "number":
            result = float(value)
        elif kind == "boolean":
            if value.lower() not in ("true", "false", "1", "0"):
                raise ValueError
            result = value.lower() in ("true", "1")
        else:
            result = value
    except ValueError:
        raise invalid_request(f"{name}: {_PARSE_MESSAGES[kind]}") from None
    problem = Explainer({}).explain(_scalar_schema(schema), result)
    if problem:
        raise invalid_request(format_problem(([name, *problem[0]], problem[1])))
    return result


_PARSE_MESSAGES = {
    "integer": "Input should be a valid integer, unable to parse string as an integer",
    "number": "Input should be a valid number, unable to parse string as a number",
    "boolean": "Input should be a valid boolean, unable to interpret input",
}


def _scalar_type(schema: dict) -> str:
    if "type" in schema and isinstance(schema["type"], str):
        return schema["type"]
    for member in schema.get("anyOf", ()):
        if member.get("type") not in (None, "null"):
            return member["type"]
    return "string"


def _scalar_schema(schema: dict) -> dict:
    members = [m for m in schema.get("anyOf", ()) if m.get("type") != "null"]
    return members[0] if len(members) == 1 else schema
