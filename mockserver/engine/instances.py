"""Instances of a JSON Schema: tool inputs and structured outputs that always validate.

Covers what tool and output schemas use in practice: types (and type lists), enum, const,
formats, pattern, required/optional properties, additionalProperties, min/maxProperties,
dependentRequired, arrays with prefixItems/items/min/maxItems/uniqueItems/contains, string
lengths, number bounds and multipleOf, allOf/anyOf/oneOf, and $ref into $defs/definitions
(recursion is cut short by a depth limit). Values are drawn from the request's rng, with
plausible words for strings and hints from property names (`city`, `email`, `query`...).
"""

from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

from . import regexgen, samples

_MAX_DEPTH = 5
_DEFAULT_SPAN = 100


def generate(schema: Any, rng: random.Random, topic: str = "") -> Any:
    """One instance of `schema`; `topic` seeds free-text fields such as `query`."""
    return _Generator(schema, rng, topic).value(schema, 0, None)


def generate_object(schema: Any, rng: random.Random, topic: str = "") -> dict[str, Any]:
    value = generate(schema, rng, topic)
    return value if isinstance(value, dict) else {}


class _Generator:
    def __init__(self, root: Any, rng: random.Random, topic: str) -> None:
        self.root = root if isinstance(root, dict) else {}
        self.rng = rng
        self.topic = topic

    # -- dispatch -------------------------------------------------------------------------
    def value(self, schema: Any, depth: int, key: str | None) -> Any:
        if schema is True or schema is None:
            return samples.word(self.rng)
        if schema is False or not isinstance(schema, dict):
            return None
        schema = self._flatten(schema, depth)
        if "const" in schema:
            return copy.deepcopy(schema["const"])
        if "enum" in schema and schema["enum"]:
            return copy.deepcopy(self.rng.choice(schema["enum"]))
        if "anyOf" in schema:
            return self._any_of(schema, depth, key)
        if "oneOf" in schema:
            return self._one_of(schema, depth, key)
        kind = self._kind(schema, depth)
        return getattr(self, f"_{kind}")(schema, depth, key)

    def _flatten(self, schema: dict[str, Any], depth: int) -> dict[str, Any]:
        """Inline `$ref` and `allOf`, so the rest only sees plain keywords."""
        for _ in range(_MAX_DEPTH * 4):
            if "$ref" in schema:
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                schema = merge(self._resolve(schema["$ref"]), rest)
            elif "allOf" in schema:
                rest = {k: v for k, v in schema.items() if k != "allOf"}
                for part in schema["allOf"]:
                    rest = merge(rest, part if isinstance(part, dict) else {})
                schema = rest
            else:
                break
        return schema

    def _resolve(self, ref: str) -> dict[str, Any]:
        if not ref.startswith("#"):
            return {}
        node: Any = self.root
        for part in ref[1:].split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            node = node.get(part) if isinstance(node, dict) else None
        return node if isinstance(node, dict) else {}

    def _kind(self, schema: dict[str, Any], depth: int) -> str:
        kind = schema.get("type")
        if isinstance(kind, list):
            options = [k for k in kind if k != "null"] or ["null"]
            if "null" in kind and (depth >= _MAX_DEPTH or self.rng.random() < 0.2):
                return "null"
            kind = self.rng.choice(options)
        if isinstance(kind, str) and kind in _KINDS:
            return kind
        if {"properties", "required", "additionalProperties"} & schema.keys():
            return "object"
        if {"items", "prefixItems", "minItems", "maxItems"} & schema.keys():
            return "array"
        if {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"} & schema.keys():
            return "number"
        return "string"

    # -- combinators ----------------------------------------------------------------------
    def _branches(self, schema: dict[str, Any], keyword: str, depth: int) -> list[dict[str, Any]]:
        base = {k: v for k, v in schema.items() if k != keyword}
        branches = [merge(base, b) if isinstance(b, dict) else base for b in schema[keyword]]
        self.rng.shuffle(branches)
        if depth >= _MAX_DEPTH:  # prefer a branch that cannot recurse
            branches.sort(key=lambda b: "$ref" in json.dumps(b))
        return branches

    def _any_of(self, schema: dict[str, Any], depth: int, key: str | None) -> Any:
        return self.value(self._branches(schema, "anyOf", depth)[0], depth, key)

    def _one_of(self, schema: dict[str, Any], depth: int, key: str | None) -> Any:
        branches = self._branches(schema, "oneOf", depth)
        candidate = None
        for attempt in range(max(8, len(branches))):
            candidate = self.value(branches[attempt % len(branches)], depth, key)
            if sum(self._valid(candidate, b) for b in branches) == 1:
                return candidate
        return candidate

    def _valid(self, instance: Any, schema: dict[str, Any]) -> bool:
        import jsonschema_rs  # only oneOf needs a validator

        standalone = dict(schema)
        for defs in ("$defs", "definitions"):
            if defs in self.root and defs not in standalone:
                standalone[defs] = self.root[defs]
        try:
            return jsonschema_rs.validator_for(standalone).is_valid(instance)
        except Exception:
            return False

    # -- kinds ----------------------------------------------------------------------------
    def _null(self, schema: dict[str, Any], depth: int, key: str | None) -> None:
        return None

    def _boolean(self, schema: dict[str, Any], depth: int, key: str | None) -> bool:
        return self.rng.random() < 0.5

    def _object(self, schema: dict[str, Any], depth: int, key: str | None) -> dict[str, Any]:
        props = schema.get("properties") or {}
        required = [k for k in schema.get("required") or () if isinstance(k, str)]
        limit = schema.get("maxProperties", math.inf)
        wanted = set(required)
        for name in props:
            if name not in wanted and props[name] is not False and len(wanted) < limit:
                if depth < _MAX_DEPTH and self.rng.random() < 0.5:
                    wanted.add(name)
        for name, needs in (schema.get("dependentRequired") or {}).items():
            if name in wanted and isinstance(needs, list):
                wanted.update(needs)
        spare = [n for n in props if n not in wanted and props[n] is not False]
        while len(wanted) < schema.get("minProperties", 0) and spare:
            wanted.add(spare.pop(0))
        out: dict[str, Any] = {}
        for name in [n for n in props if n in wanted] + [n for n in required if n not in props]:
            out[name] = self.value(self._property_schema(schema, name), depth + 1, name)
        self._fill_extra(schema, out, depth)
        return out

    def _property_schema(self, schema: dict[str, Any], name: str) -> Any:
        props = schema.get("properties") or {}
        if name in props:
            return props[name]
        extra = schema.get("additionalProperties")
        return extra if isinstance(extra, dict) else True

    def _fill_extra(self, schema: dict[str, Any], out: dict[str, Any], depth: int) -> None:
        extra = schema.get("additionalProperties", True)
        if extra is False:
            return
        i = 0
        while len(out) < schema.get("minProperties", 0):
            i += 1
            name = f"{samples.word(self.rng)}_{i}"
            if name not in out:
                out[name] = self.value(extra if isinstance(extra, dict) else True, depth + 1, name)

    def _array(self, schema: dict[str, Any], depth: int, key: str | None) -> list[Any]:
        prefix = schema.get("prefixItems")
        items = schema.get("items", True)
        if isinstance(items, list):  # draft 7 tuple form
            prefix, items = items, schema.get("additionalItems", True)
        prefix = prefix if isinstance(prefix, list) else []
        low = schema.get("minItems", 0)
        high = schema.get("maxItems", math.inf)
        if items is False:
            high = min(high, len(prefix))
        if depth >= _MAX_DEPTH:
            count = low
        else:
            count = self.rng.randint(min(max(low, 1), high), min(high, max(low, 1) + 2))
        contains = schema.get("contains")
        out: list[Any] = []
        seen: set[str] = set()
        unique = schema.get("uniqueItems", False)
        for attempt in range(count * 6 + 6):
            if len(out) >= count:
                break
            index = len(out)
            if index < len(prefix):
                part = prefix[index]
            elif contains is not None and index == len(prefix) and attempt < count * 3:
                part = merge(items if isinstance(items, dict) else {}, contains)
            else:
                part = items
            item = self.value(part, depth + 1, key)
            if unique:
                fingerprint = json.dumps(item, sort_keys=True)
                if fingerprint in seen:
                    continue
                seen.add(fingerprint)
            out.append(item)
        return out

    def _string(self, schema: dict[str, Any], depth: int, key: str | None) -> str:
        fmt = schema.get("format")
        if fmt in samples.FORMATS:
            return samples.FORMATS[fmt](self.rng)
        if "pattern" in schema:
            matching = regexgen.matching_string(schema["pattern"], self.rng)
            if matching is not None:
                return matching
        text = samples.hinted(self.rng, key, self.topic) or samples.words(self.rng, 1 + self.rng.randrange(3))
        return _fit_length(text, schema, self.rng)

    def _integer(self, schema: dict[str, Any], depth: int, key: str | None) -> int:
        low, high = _bounds(schema, integer=True)
        step = schema.get("multipleOf")
        if step:
            for _ in range(50):
                k = self.rng.randint(math.ceil(low / step), max(math.ceil(low / step), math.floor(high / step)))
                value = k * step
                if value == int(value) and low <= value <= high:
                    return int(value)
            return int(math.ceil(low / step) * step)
        return self.rng.randint(int(low), int(max(low, high)))

    def _number(self, schema: dict[str, Any], depth: int, key: str | None) -> float | int:
        low, high = _bounds(schema, integer=False)
        step = schema.get("multipleOf")
        if step:
            first, last = math.ceil(low / step), math.floor(high / step)
            for _ in range(50):
                value = self.rng.randint(first, max(first, last)) * step
                if isinstance(step, int) or (value / step) == int(value / step):
                    return value
            return first * step
        value = round(self.rng.uniform(low, high), 2)
        if not _inside(value, schema):
            value = _middle(schema)
        return value


_KINDS = {"null", "boolean", "object", "array", "string", "integer", "number"}


def _fit_length(text: str, schema: dict[str, Any], rng: random.Random) -> str:
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", math.inf)
    while len(text) < low:
        text = f"{text} {samples.word(rng)}" if text else samples.word(rng)
    if len(text) > high:
        text = text[: int(high)].rstrip() or text[: int(high)]
    return text + "x" * (low - len(text)) if len(text) < low else text


def _bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
    """The closed range to draw from, honouring draft-4 (boolean) and draft-6+ exclusive bounds."""
    lows, highs = [], []
    ex_low, ex_high = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if "minimum" in schema:
        exclusive = ex_low is True
        lows.append(_above(schema["minimum"], integer) if exclusive else schema["minimum"])
    if "maximum" in schema:
        exclusive = ex_high is True
        highs.append(_below(schema["maximum"], integer) if exclusive else schema["maximum"])
    if ex_low is not None and not isinstance(ex_low, bool):
        lows.append(_above(ex_low, integer))
    if ex_high is not None and not isinstance(ex_high, bool):
        highs.append(_below(ex_high, integer))
    low = max(lows) if lows else None
    high = min(highs) if highs else None
    if low is None and high is None:
        low, high = 0, _DEFAULT_SPAN
    elif low is None:
        low = high - _DEFAULT_SPAN
    elif high is None:
        high = low + _DEFAULT_SPAN
    if integer:
        low, high = math.ceil(low), math.floor(high)
    return low, max(low, high)


def _above(bound: float, integer: bool) -> float:
    if integer:
        return math.floor(bound) + 1
    return bound + max(abs(bound) * 1e-9, 0.001)


def _below(bound: float, integer: bool) -> float:
    if integer:
        return math.ceil(bound) - 1
    return bound - max(abs(bound) * 1e-9, 0.001)


def _middle(schema: dict[str, Any]) -> float:
    lows = [schema[k] for k in ("minimum", "exclusiveMinimum") if not isinstance(schema.get(k, True), bool)]
    highs = [schema[k] for k in ("maximum", "exclusiveMaximum") if not isinstance(schema.get(k, True), bool)]
    low, high = max(lows, default=0), min(highs, default=_DEFAULT_SPAN)
    return (low + high) / 2


def _inside(value: float, schema: dict[str, Any]) -> bool:
    checks = (
        ("minimum", lambda b: value >= b), ("maximum", lambda b: value <= b),
        ("exclusiveMinimum", lambda b: isinstance(b, bool) or value > b),
        ("exclusiveMaximum", lambda b: isinstance(b, bool) or value < b),
    )
    return all(check(schema[name]) for name, check in checks if name in schema)


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Both schemas at once (as `allOf` means): properties and required are combined."""
    out = dict(base)
    for name, value in extra.items():
        if name == "properties" and isinstance(out.get(name), dict):
            props = dict(out[name])
            for prop, sub in value.items():
                props[prop] = {"allOf": [props[prop], sub]} if prop in props else sub
            out[name] = props
        elif name == "required" and isinstance(out.get(name), list):
            out[name] = out[name] + [r for r in value if r not in out[name]]
        elif name == "type" and name in out:
            out[name] = _common_type(out[name], value)
        else:
            out[name] = value
    return out


def _common_type(a: Any, b: Any) -> Any:
    left = set(a if isinstance(a, list) else [a])
    right = set(b if isinstance(b, list) else [b])
    if "number" in left:
        left.add("integer")
    if "number" in right:
        right.add("integer")
    both = sorted(left & right)
    return both[0] if len(both) == 1 else (both or b)
