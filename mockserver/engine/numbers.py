"""Numbers and integers inside a schema's bounds and `multipleOf`, or the schema problem why none is.

Draws stay near the bounds the schema gives (a span of 100 when one side is open). Extreme
schemas (bounds of 1e308, `multipleOf: 1e-320`) overflow the arithmetic; then a few exact
candidates are tried (0, the bounds, their middle) and checked the way a validator would. An
integer beyond the 64-bit range is written as the float of equal value, which JSON Schema still
counts as an integer.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

DEFAULT_SPAN = 100
_INT_RANGE = (-(2**63), 2**64 - 1)  # what a JSON encoder writes as an integer literal


class NoNumber(Exception):
    """No number satisfies the schema's bounds and multipleOf (as far as floats can tell)."""


def integer(schema: dict[str, Any], rng: random.Random) -> int | float:
    return _drawn(_draw_integer, schema, rng, integer=True)


def number(schema: dict[str, Any], rng: random.Random) -> float | int:
    return _drawn(_draw_number, schema, rng, integer=False)


def _drawn(draw: Callable[[dict[str, Any], random.Random], Any], schema: dict[str, Any], rng: random.Random,
           integer: bool) -> int | float:
    try:
        value: Any = draw(schema, rng)
    except (ArithmeticError, ValueError):  # bounds or steps past what floats hold
        value = None
    return _checked(value, schema, integer)


def _draw_integer(schema: dict[str, Any], rng: random.Random) -> int:
    low, high = bounds(schema, integer=True)
    step = schema.get("multipleOf")
    if step:
        for _ in range(50):
            k = rng.randint(math.ceil(low / step), max(math.ceil(low / step), math.floor(high / step)))
            value = k * step
            if value == int(value) and low <= value <= high:
                return int(value)
        return int(math.ceil(low / step) * step)
    return rng.randint(int(low), int(max(low, high)))


def _draw_number(schema: dict[str, Any], rng: random.Random) -> float | int:
    low, high = bounds(schema, integer=False)
    step = schema.get("multipleOf")
    if step:
        first, last = math.ceil(low / step), math.floor(high / step)
        for _ in range(50):
            value = rng.randint(first, max(first, last)) * step
            if isinstance(step, int) or (value / step) == int(value / step):
                return value
        return first * step
    value = round(rng.uniform(low, high), 2)
    if not _inside(value, schema):
        value = _middle(schema)
    return value


def _checked(value: Any, schema: dict[str, Any], integer: bool) -> int | float:
    """`value` if it satisfies the schema, else the first exact candidate that does."""
    for candidate in (value, 0, *_edges(schema)):
        written = _writable(candidate, integer)
        if written is not None and _satisfies(written, schema):
            return written
    kind = "integer" if integer else "number"
    limits = {k: schema[k] for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
              if k in schema}
    raise NoNumber(f"no {kind} satisfies {limits}")


def _edges(schema: dict[str, Any]) -> list[Any]:
    out = [schema[k] for k in ("minimum", "maximum") if isinstance(schema.get(k), (int, float))]
    try:
        out.append(_middle(schema))
    except ArithmeticError:
        pass
    return out


def _writable(value: Any, integer: bool) -> int | float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if integer:
        if isinstance(value, float) and value != int(value):
            return None
        if isinstance(value, float) or not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            as_float = float(value) if abs(value) < 1e309 else math.inf
            if not math.isfinite(as_float):
                return None
            return int(as_float) if _INT_RANGE[0] <= as_float <= _INT_RANGE[1] else as_float
    return value


def _satisfies(value: int | float, schema: dict[str, Any]) -> bool:
    if not _inside(value, schema):
        return False
    step = schema.get("multipleOf")
    if not step or isinstance(step, bool) or not isinstance(step, (int, float)):
        return True
    import jsonschema_rs  # rare: only schemas with multipleOf reach here

    try:
        return jsonschema_rs.validator_for({"multipleOf": step}).is_valid(value)
    except Exception:  # a multipleOf the validator itself refuses (0, negative)
        return False


def bounds(schema: dict[str, Any], integer: bool) -> tuple[float, float]:
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
        low, high = 0, DEFAULT_SPAN
    elif low is None:
        low = high - DEFAULT_SPAN
    elif high is None:
        high = low + DEFAULT_SPAN
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
    low, high = max(lows, default=0), min(highs, default=DEFAULT_SPAN)
    middle = (low + high) / 2
    return middle if math.isfinite(middle) else low / 2 + high / 2  # the sum overflows near 1e308


def _inside(value: float, schema: dict[str, Any]) -> bool:
    checks = (
        ("minimum", lambda b: value >= b), ("maximum", lambda b: value <= b),
        ("exclusiveMinimum", lambda b: isinstance(b, bool) or value > b),
        ("exclusiveMaximum", lambda b: isinstance(b, bool) or value < b),
    )
    try:
        return all(check(schema[name]) for name, check in checks if name in schema)
    except TypeError:  # a bound that is not a number: nothing can satisfy it
        return False
