"""Rules documents (control-API bodies and rules files) parsed into plain JSON values, with limits.

YAML is scanned event by event before anything is built, so a billion-laughs body (aliases of
aliases) or a deeply nested one is refused after reading a few hundred bytes instead of
expanding in memory. Both formats must come out as JSON values: string keys, finite numbers
within 64 bits, no YAML-only types (!!binary, !!set, dates: `text: 2024-01-01` is refused by
name, `text: '2024-01-01'` is the text). Error messages never quote the body back.
"""

from __future__ import annotations

import math
from typing import Any

import orjson
import yaml

MAX_DEPTH = 64  # nesting of lists and objects
MAX_ALIASES = 100  # YAML `*alias` uses in one document
MAX_ALIAS_NODES = 10_000  # values those aliases stand for, counted as if written out
MAX_YAML_NODES = 100_000  # values in one YAML document (YAML is slow to build: ~20 us a value)
MAX_MESSAGE = 300  # characters of a parser's message we pass on
_INT_RANGE = (-(2**63), 2**64 - 1)  # what orjson stores
_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DocumentError(ValueError):
    """A document that is not a plain, bounded JSON value; the message names where."""


def load_yaml(text: bytes | str) -> Any:
    try:
        _scan(text)
        document = yaml.load(text, Loader=_BASE)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as error:
        raise DocumentError(f"cannot parse the YAML: {_yaml_message(error)}") from None
    except RecursionError:
        raise DocumentError(f"cannot parse the YAML: nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as error:  # int() of a literal longer than sys.get_int_max_str_digits() (4300)
        raise DocumentError(f"cannot parse the YAML: a number is out of range ({shorten(str(error), 120)}); "
                            f"numbers must fit in 64 bits") from None
    check_plain(document)
    return document


def load_json(raw: bytes) -> Any:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise DocumentError(f"cannot parse the JSON: {shorten(str(error))}") from None
    check_plain(document)
    return document


def check_plain(document: Any) -> None:
    """Raise DocumentError unless `document` is a JSON value nested at most MAX_DEPTH deep."""
    if not _is_plain(document):
        _explain(document, "", 0)  # the slow walk that names where: only for a document that fails


def _is_plain(document: Any) -> bool:
    """The fast check: no paths built, scalars in lists and objects checked where they sit."""
    pending: list[tuple[Any, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        kind = type(value)
        if kind is dict:
            if depth >= MAX_DEPTH or not all(type(key) is str for key in value):
                return False
            items = value.values()
        elif kind is list:
            if depth >= MAX_DEPTH:
                return False
            items = value
        else:
            items = (value,)
            depth -= 1
        for item in items:
            kind = type(item)
            if kind is dict or kind is list:
                pending.append((item, depth + 1))
            elif not (kind is str or kind is bool or item is None or _plain_number(item)):
                return False
    return True


def _plain_number(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return _INT_RANGE[0] <= value <= _INT_RANGE[1]
    return kind is float and math.isfinite(value)


def _explain(value: Any, where: str, depth: int) -> None:
    if isinstance(value, dict):
        if depth >= MAX_DEPTH:
            raise DocumentError(f"nested deeper than {MAX_DEPTH} levels")
        for key, item in value.items():
            if not isinstance(key, str):
                raise DocumentError(f"{where or '(top)'}: object keys must be strings, not {_kind(key)}")
            _explain(item, f"{where}/{shorten(key, 40)}", depth + 1)
    elif isinstance(value, list):
        if depth >= MAX_DEPTH:
            raise DocumentError(f"nested deeper than {MAX_DEPTH} levels")
        for index, item in enumerate(value):
            _explain(item, f"{where}/{index}", depth + 1)
    else:
        _check_scalar(value, where or "(top)")


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _check_scalar(value: Any, where: str) -> None:
    if value is None or isinstance(value, (str, bool)):
        return
    if isinstance(value, int):
        if not _INT_RANGE[0] <= value <= _INT_RANGE[1]:
            raise DocumentError(f"{where}: integer out of the 64-bit range")
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DocumentError(f"{where}: {value} is not a JSON number")
        return
    raise DocumentError(f"{where}: a YAML {_kind(value)} is not a JSON value (use a string)")


def _kind(value: Any) -> str:
    return {bytes: "!!binary", set: "!!set", tuple: "pair", float: "number", int: "number",
            bool: "boolean"}.get(type(value), type(value).__name__)


def _scan(text: bytes | str) -> None:
    """Walk the YAML events: refuse deep nesting and alias expansion before building anything."""
    sizes: dict[str, int] = {}  # anchor -> values it stands for
    open_nodes: list[list[Any]] = []  # [anchor, values so far] per open list or mapping
    aliases = alias_nodes = nodes = 0
    for event in yaml.parse(text, Loader=_BASE):
        nodes += 1
        if nodes > MAX_YAML_NODES:
            raise DocumentError(f"more than {MAX_YAML_NODES} values in one YAML document (send large ones as JSON)")
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            if len(open_nodes) >= MAX_DEPTH:
                raise DocumentError(f"nested deeper than {MAX_DEPTH} levels")
            open_nodes.append([event.anchor, 1])
            continue
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            anchor, size = open_nodes.pop()
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            anchor, size = None, sizes.get(event.anchor, 1)
            alias_nodes += size
            if aliases > MAX_ALIASES or alias_nodes > MAX_ALIAS_NODES:
                raise DocumentError(f"too many YAML aliases (at most {MAX_ALIASES}, standing for at most "
                                    f"{MAX_ALIAS_NODES} values)")
        elif isinstance(event, yaml.ScalarEvent):
            anchor, size = event.anchor, 1
        else:
            continue
        if anchor is not None:
            sizes[anchor] = size
        if open_nodes:
            open_nodes[-1][1] += size


def _yaml_message(error: yaml.YAMLError) -> str:
    """The problem and where, without the snippet of the body YAML would quote."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
        return shorten(f"{error.context + ': ' if error.context else ''}{error.problem or 'invalid'}{where}")
    return shorten(str(error).splitlines()[0] if str(error) else type(error).__name__)
