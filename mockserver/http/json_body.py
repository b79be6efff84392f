"""A JSON request body parsed, or the API's 400 naming what is wrong with it.

orjson parses (fast path). When it refuses, the stdlib parser is tried: it gives the API's own
wording for syntax errors ("Expecting value: line 1 column 1 (char 0)") and accepts what the API
accepts beyond strict JSON (NaN, Infinity, out-of-range floats). Bodies nothing downstream could
carry are refused by name: invalid UTF-8, lone surrogates, integers longer than the interpreter
converts, and nesting deeper than the server can write back (orjson serializes 254 levels; ids
are seeded from the body re-serialized, so a deeper body could not even be answered).
"""

from __future__ import annotations

import json
import sys
from array import array
from itertools import accumulate
from typing import Any

import orjson

from .errors import ApiError, invalid_request

MAX_DEPTH = 254  # the deepest value orjson serializes
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson reads (and writes) as an integer
_PREFIX = "The request body is not valid JSON: "


def parse_json(raw: bytes) -> Any:
    try:
        return _shallow(orjson.loads(raw), raw)
    except orjson.JSONDecodeError as error:
        refusal = _refusal(raw, str(error))
    if refusal is not None:
        raise refusal
    try:
        return _shallow(json.loads(raw.decode("utf-8"), parse_int=_integer), raw)
    except json.JSONDecodeError as error:
        raise invalid_request(f"{_PREFIX}{error}") from None
    except UnicodeDecodeError as error:
        raise _not_utf8(raw, error) from None
    except ValueError:  # int() refused a literal: sys.get_int_max_str_digits()
        digits = sys.get_int_max_str_digits()
        raise invalid_request(f"{_PREFIX}an integer has more than {digits} digits") from None
    except RecursionError:
        raise _too_deep() from None


def dumps(value: Any) -> bytes:
    """JSON bytes of anything a request may have put in `value`: orjson, or the stdlib when an
    integer is beyond 64 bits (the engine reads a float such as 1.8e19 back as an int)."""
    try:
        return orjson.dumps(value, default=str)
    except TypeError:
        return json.dumps(value, default=str, ensure_ascii=False, separators=(",", ":")).encode()


def _integer(literal: str) -> int | float:
    """An integer as orjson reads one: beyond 64 bits it is the float of equal value (or infinity)."""
    if len(literal.lstrip("-")) > sys.get_int_max_str_digits():
        raise ValueError(literal)
    value = int(literal)
    return value if _INT_RANGE[0] <= value <= _INT_RANGE[1] else float(literal)


def _shallow(body: Any, raw: bytes) -> Any:
    """`body`, unless nested deeper than MAX_DEPTH (only bodies with that many brackets are checked,
    first by the brackets alone, which counts those inside strings too, then by writing the body)."""
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and bracket_depth(raw) > MAX_DEPTH:
        try:
            orjson.dumps(body)
        except TypeError:  # "Recursion limit reached"
            raise _too_deep() from None
    return body


_OPENS_CLOSES = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[{]}"))


def bracket_depth(raw: bytes) -> int:
    """The deepest nesting of the brackets in `raw` (never less than the body's), in C-speed passes."""
    steps = array("b", raw.translate(_OPENS_CLOSES, _NOT_BRACKETS))
    return max(accumulate(steps), default=0)


def _refusal(raw: bytes, reason: str) -> ApiError | None:
    """The 400 for what orjson refused and the stdlib would wrongly accept (or crash on)."""
    if reason.startswith("str is not valid UTF-8"):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            return _not_utf8(raw, error)
    if "surrogate" in reason:
        return invalid_request(f"{_PREFIX}lone surrogate escape ({reason})")
    if reason.startswith("depth limit exceeded"):
        return _too_deep()
    return None


def _not_utf8(raw: bytes, error: UnicodeDecodeError) -> ApiError:
    byte = raw[error.start]
    return invalid_request(f"{_PREFIX}the body is not valid UTF-8 (byte 0x{byte:02x} at position {error.start})")


def _too_deep() -> ApiError:
    return invalid_request(f"The request body nests arrays and objects more than {MAX_DEPTH} levels deep")
