"""Instances of a JSON Schema: tool inputs and structured outputs that always validate.

Covers what tool and output schemas use in practice: types (and type lists), enum, const,
formats, pattern, required/optional properties, additionalProperties, min/maxProperties,
dependentRequired, arrays with prefixItems/items/min/maxItems/uniqueItems/contains, string
lengths, number bounds and multipleOf, allOf/anyOf/oneOf, and $ref into $defs/definitions
(optional recursion is cut short by a depth limit). Values are drawn from the request's rng, with
plausible words for strings and hints from property names (`city`, `email`, `query`...).

Generation is bounded, so one hostile schema cannot stall the server: a value larger than
`max_chars` raises TooLarge as soon as it passes the limit (callers derive it from max_tokens),
and a schema with no finite instance (a required `$ref` cycle, bounds nothing satisfies) or one
needing more than _MAX_STEPS subschema instances raises SchemaProblem, naming why.
"""

from __future__ import annotations

import copy
import json
import math
import random
from typing import Any

import orjson

from ..spec.refs import ref_target
from . import numbers, prompt_values, regexgen, samples
from .prompt_values import PromptFacts
from .schema_ops import least_instances, merge

_MAX_DEPTH = 5  # optional properties and items stop here
_HARD_DEPTH = 128  # deeper than any literal schema in a body (254 levels); only a `$ref` cycle gets here
_MAX_STEPS = 20_000  # subschema instances per value
_MAX_FLATTEN = 1_000  # `$ref` and `allOf` links inlined per subschema
DEFAULT_MAX_CHARS = 1_000_000


class TooLarge(Exception):
    """Every instance of the schema is larger than the size limit; `partial` is the value generated
    up to the limit (objects and arrays cut where it was reached), so a caller can show its start."""

    def __init__(self, partial: Any = None) -> None:
        super().__init__("the value is larger than the limit")
        self.partial = partial


class SchemaProblem(Exception):
    """The schema has no instance the generator can produce; the message says why."""


def max_chars_for(max_tokens: Any) -> int:
    """Characters that certainly hold more than `max_tokens` tokens (a token is at most 7)."""
    if isinstance(max_tokens, (int, float)) and math.isfinite(max_tokens):
        return max(0, int(max_tokens)) * 7 + 16
    return DEFAULT_MAX_CHARS


def generate(schema: Any, rng: random.Random, topic: str = "", max_chars: int = DEFAULT_MAX_CHARS,
             facts: PromptFacts | None = None) -> Any:
    """One instance of `schema`; `topic` seeds free-text fields such as `query`. With `facts` (tool
    inputs), every optional property is filled too, with the prompt's values where it has them."""
    try:
        return _Generator(schema, rng, topic, max_chars, facts).value(schema, 0, None)
    except numbers.NoNumber as error:
        raise SchemaProblem(str(error)) from None
    except RecursionError:
        raise SchemaProblem("subschemas are nested too deeply to instantiate") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ArithmeticError) as error:
        raise SchemaProblem(_malformed(schema, error)) from None


def _malformed(schema: Any, error: Exception) -> str:
    """Why a keyword of the wrong shape stopped generation: the metaschema's words when it objects."""
    import jsonschema_rs

    try:
        jsonschema_rs.meta.validate(schema)
    except jsonschema_rs.ValidationError as invalid:
        where = "/".join(str(p) for p in invalid.instance_path)
        return f"not a valid JSON Schema: {invalid.message}" + (f" (at {where})" if where else "")
    except Exception:  # the metaschema could not even be applied (draft unknown to it)
        pass
    return f"a keyword has a value the schema generator cannot use ({type(error).__name__})"


def generate_object(schema: Any, rng: random.Random, topic: str = "",
                    max_chars: int = DEFAULT_MAX_CHARS, facts: PromptFacts | None = None) -> dict[str, Any]:
    value = generate(schema, rng, topic, max_chars, facts)
    return value if isinstance(value, dict) else {}


class _Generator:
    def __init__(self, root: Any, rng: random.Random, topic: str, max_chars: int,
                 facts: PromptFacts | None = None) -> None:
        self.root = root if isinstance(root, dict) else {}
        self.facts = facts
        self.rng = rng
        self.topic = topic
        self.chars_left = max_chars
        self.steps_left = _MAX_STEPS
        self.on_path: dict[str, int] = {}  # `$ref`s being expanded on the way to the current value

    def _spend(self, chars: int) -> None:
        self.chars_left -= chars
        if self.chars_left < 0:
            raise TooLarge

    # -- dispatch -------------------------------------------------------------------------
    def value(self, schema: Any, depth: int, key: str | None) -> Any:
        self._step(depth)
        if schema is True or schema is None:
            return self._counted(samples.word(self.rng))
        if schema is False or not isinstance(schema, dict):
            return None
        schema, expanded = self._flatten(schema)
        if not expanded:
            return self._plain(schema, depth, key)
        for ref in expanded:
            self._enter(ref)
        try:
            return self._plain(schema, depth, key)
        finally:
            for ref in expanded:
                self.on_path[ref] -= 1

    def _plain(self, schema: dict[str, Any], depth: int, key: str | None) -> Any:
        if "const" in schema:
            return self._copied(schema["const"])
        if "enum" in schema and schema["enum"]:
            named = prompt_values.enum_value(schema, self.facts)
            return self._copied(self.rng.choice(schema["enum"]) if named is None else named)
        if "anyOf" in schema:
            return self._any_of(schema, depth, key)
        if "oneOf" in schema:
            return self._one_of(schema, depth, key)
        kind = self._kind(schema, depth)
        return getattr(self, f"_{kind}")(schema, depth, key)

    def _charge(self, steps: int) -> None:
        self.steps_left -= steps
        if self.steps_left < 0:
            raise SchemaProblem(f"an instance needs more than {_MAX_STEPS} subschema instances")

    def _enter(self, ref: str) -> None:
        """Optional recursion stops at _MAX_DEPTH: a `$ref` met more often on one path is required."""
        count = self.on_path.get(ref, 0) + 1
        if count > _MAX_DEPTH + 3:
            raise SchemaProblem(f"`$ref` {json.dumps(ref)} recurses through required properties or items "
                                "without end: the schema has no finite instance")
        self.on_path[ref] = count

    def _step(self, depth: int) -> None:
        self._charge(1)
        if depth > _HARD_DEPTH:
            raise SchemaProblem(f"required properties or items recurse more than {_HARD_DEPTH} levels "
                                "(a `$ref` cycle with no optional way out has no finite instance)")

    def _copied(self, value: Any) -> Any:
        self._spend(len(orjson.dumps(value)))  # a const may be as large as the request body
        return copy.deepcopy(value)

    def _counted(self, text: str) -> str:
        self._spend(len(text) + 2)
        return text

    def _flatten(self, schema: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """Inline `$ref` and `allOf`, so the rest only sees plain keywords; also the refs inlined."""
        seen: set[int] = set()
        expanded: list[str] = []
        for _ in range(_MAX_FLATTEN):
            if "$ref" in schema:
                rest = {k: v for k, v in schema.items() if k != "$ref"}
                target = self._resolve(schema["$ref"])
                if id(target) in seen:  # `{"$ref": "#"}`: a schema that only refers to itself allows anything
                    target = {}
                seen.add(id(target))
                expanded.append(str(schema["$ref"]))
                schema = merge(target, rest)
            elif "allOf" in schema:
                rest = {k: v for k, v in schema.items() if k != "allOf"}
                parts = schema["allOf"] if isinstance(schema["allOf"], list) else []
                for part in parts:
                    rest = merge(rest, part if isinstance(part, dict) else {})
                schema = rest
            else:
                return schema, expanded
        raise SchemaProblem(f"`$ref` and `allOf` chains longer than {_MAX_FLATTEN} links")

    def _resolve(self, ref: str) -> dict[str, Any]:
        """A ref's target; one that names nothing (or no schema object) allows anything."""
        try:
            node = ref_target(self.root, ref)
        except KeyError:
            return {}
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
        self._charge(len(branches))  # compiling a validator per branch is work too
        checks = [self._validator(b) for b in branches]
        candidate = None
        for attempt in range(max(8, len(branches))):
            candidate = self.value(branches[attempt % len(branches)], depth, key)
            self._charge(len(checks))
            if sum(check(candidate) for check in checks) == 1:
                return candidate
        return candidate

    def _validator(self, schema: dict[str, Any]) -> Any:
        import jsonschema_rs  # only oneOf needs a validator

        standalone = dict(schema)
        for defs in ("$defs", "definitions"):
            if defs in self.root and defs not in standalone:
                standalone[defs] = self.root[defs]
        try:
            return jsonschema_rs.validator_for(standalone).is_valid
        except Exception:
            return lambda instance: False

    # -- kinds ----------------------------------------------------------------------------
    def _null(self, schema: dict[str, Any], depth: int, key: str | None) -> None:
        self._spend(4)
        return None

    def _boolean(self, schema: dict[str, Any], depth: int, key: str | None) -> bool:
        self._spend(5)
        return self.rng.random() < 0.5

    def _fills(self, subschema: Any) -> bool:
        """Whether an optional property gets a value: a coin toss for plain instances; for tool inputs
        always, except a recursive one (a `$ref` already being expanded): a model does not invent
        subtrees nobody asked for."""
        if self.facts is None:
            return self.rng.random() < 0.5
        return not (isinstance(subschema, dict) and subschema.get("$ref") in self.on_path)

    def _object(self, schema: dict[str, Any], depth: int, key: str | None) -> dict[str, Any]:
        props = schema.get("properties") or {}
        required = [k for k in schema.get("required") or () if isinstance(k, str)]
        limit = schema.get("maxProperties", math.inf)
        wanted = set(required)
        for name in props:
            if name not in wanted and props[name] is not False and len(wanted) < limit:
                if depth < _MAX_DEPTH and self._fills(props[name]):
                    wanted.add(name)
        for name, needs in (schema.get("dependentRequired") or {}).items():
            if name in wanted and isinstance(needs, list):
                wanted.update(needs)
        spare = [n for n in props if n not in wanted and props[n] is not False]
        while len(wanted) < schema.get("minProperties", 0) and spare:
            wanted.add(spare.pop(0))
        out: dict[str, Any] = {}
        for name in [n for n in props if n in wanted] + [n for n in required if n not in props]:
            try:
                self._counted(name)
                out[name] = self.value(self._property_schema(schema, name), depth + 1, name)
            except TooLarge as full:
                if full.partial is not None:
                    out[name] = full.partial
                raise TooLarge(out) from None
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
            name = self._counted(f"{samples.word(self.rng)}_{i}")
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
        if count * least_instances(items) > self.steps_left:  # refuse before doing the work
            self._charge(count * least_instances(items))
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
            try:
                item = self.value(part, depth + 1, key)
            except TooLarge as full:
                raise TooLarge(out if full.partial is None else [*out, full.partial]) from None
            if unique:
                fingerprint = json.dumps(item, sort_keys=True)
                if fingerprint in seen:
                    continue
                seen.add(fingerprint)
            out.append(item)
        return out

    def _string(self, schema: dict[str, Any], depth: int, key: str | None) -> str:
        fmt = schema.get("format")
        offered = prompt_values.string_value(schema, key, self.facts) if fmt is not None else None
        if offered is not None:
            return self._counted(offered)
        if fmt in samples.FORMATS:
            return self._counted(samples.FORMATS[fmt](self.rng))
        if "pattern" in schema:
            try:
                matching = regexgen.matching_string(schema["pattern"], self.rng, limit=max(0, self.chars_left))
            except regexgen.TooLong:
                raise TooLarge from None
            if matching is not None:
                return self._counted(matching)
        low = schema.get("minLength", 0)
        if isinstance(low, (int, float)) and low > self.chars_left:
            raise TooLarge(samples.fit_length("", {"minLength": max(0, self.chars_left)}, self.rng))
        text = (prompt_values.string_value(schema, key, self.facts) or samples.hinted(self.rng, key, self.topic)
                or samples.words(self.rng, 1 + self.rng.randrange(3)))
        return self._counted(samples.fit_length(text, schema, self.rng))

    def _integer(self, schema: dict[str, Any], depth: int, key: str | None) -> int | float:
        self._spend(8)
        offered = prompt_values.number_value(schema, True, self.facts)
        return numbers.integer(schema, self.rng) if offered is None else offered

    def _number(self, schema: dict[str, Any], depth: int, key: str | None) -> float | int:
        self._spend(8)
        offered = prompt_values.number_value(schema, False, self.facts)
        return numbers.number(schema, self.rng) if offered is None else offered


_KINDS = {"null", "boolean", "object", "array", "string", "integer", "number"}
