"""Rules (stubs): `match` -> `respond` or `sequence`, parsed and checked once when loaded.

The shape is the `Rule` schema of openapi/control.yaml; this module adds the checks a schema
cannot express (one body per response, regexes that compile, durations that parse).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import jsonschema_rs

from ..config import DEFAULT_SPEC
from ..faults import Latency, StreamFault, parse_duration
from ..http.errors import ApiError
from ..http.replies import Pacing
from ..spec import load_spec
from .documents import DocumentError, load_yaml, shorten
from .headers import check_header, check_status_body
from .matching import Match, compile_match

CONTROL_SPEC = DEFAULT_SPEC.parent / "control.yaml"
DEFAULT_PRIORITY = 5
THEN = ("repeat_last", "fall_through", "loop")
_MESSAGE_SHORTHANDS = ("text", "thinking", "tool_use", "stop_reason", "usage")


class RuleError(ValueError):
    """A rule that cannot be used, with where it came from."""


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    type: str
    message: str | None = None
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    details: Any = None

    def error(self, extra_headers: Mapping[str, str] = {}) -> ApiError:
        return ApiError(self.type, self.message, status=self.status, headers={**self.headers, **extra_headers},
                        details=self.details)


@dataclass(frozen=True, slots=True)
class Response:
    kind: str  # "message" | "error" | "raw" | "fuzz" | "pass" (the usual answer, with the modifiers below)
    message: dict[str, Any] | None = None
    fuzz_seed: int | None = None
    error: ErrorSpec | None = None
    status: int = 200
    body: Any = None
    content_type: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: Latency | None = None
    fault: StreamFault | None = None
    pacing: Pacing | None = None


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    source: str  # "api" or "file:PATH"
    order: int  # files: position; api: insertion sequence
    match: Match
    responses: tuple[Response, ...]
    spec: Mapping[str, Any]  # as written, for listing back
    priority: int = DEFAULT_PRIORITY
    session: str | None = None
    scenario: str | None = None
    state: str | None = None
    next_state: str | None = None
    times: int | None = None
    then: str = "repeat_last"

    @property
    def stateful(self) -> bool:
        """Needs shared counters or scenario state to decide."""
        return bool(self.scenario or self.times or self.match.nth or len(self.responses) > 1)

    @property
    def answers(self) -> int | None:
        """How many times the rule answers at most (None: no limit): `times`, and a sequence that ends."""
        ends = None if self.then in ("repeat_last", "loop") else len(self.responses)
        limits = [n for n in (self.times, ends) if n is not None]
        return min(limits) if limits else None

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        from_api = self.source == "api"
        return (self.priority, self.session is None, not from_api, -self.order if from_api else self.order)

    def view(self) -> dict[str, Any]:
        return {**self.spec, "id": self.id, "source": self.source,
                **({"session": self.session} if self.session is not None else {})}


# -- parsing -------------------------------------------------------------------------------------

def parse_rule(spec: Any, *, source: str, order: int, default_id: str, session: str | None = None) -> Rule:
    check_schema(spec, "Rule", where=default_id)
    try:
        return _build(spec, source=source, order=order, default_id=default_id, session=session)
    except (ValueError, KeyError, TypeError, re.error) as error:
        raise RuleError(f"rule {spec.get('id', default_id)}: {error}") from None


def parse_rules(document: Any, *, source: str, first_order: int = 0, id_prefix: str = "rule",
                session: str | None = None) -> list[Rule]:
    """A list of rules, `{"rules": [...]}`, or a single rule."""
    items = rule_items(document, source=source)
    rules = [parse_rule(item, source=source, order=first_order + i, default_id=f"{id_prefix}-{i + 1}",
                        session=session) for i, item in enumerate(items)]
    _check_unique(rules, source)
    return rules


def rule_items(document: Any, *, source: str) -> list[Any]:
    """The rules a document holds: a list of rules, `{"rules": [...]}`, or a single rule."""
    if isinstance(document, dict) and "rules" in document:
        check_schema(document, "RulesFile", where=source)
        return document["rules"]
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        return [document]
    raise RuleError(f"{source}: expected a list of rules or {{rules: [...]}}")


def load_rules_file(path: Path, file_index: int = 0) -> list[Rule]:
    try:
        document = load_yaml(path.read_bytes())
    except (OSError, DocumentError) as error:
        raise RuleError(f"{path}: {error}") from None
    if document is None:
        return []
    return parse_rules(document, source=f"file:{path}", first_order=file_index * 100_000, id_prefix=path.name)


def _check_unique(rules: list[Rule], source: str) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{source}: two rules with id {rule.id!r}")
        seen.add(rule.id)


def _build(spec: Mapping[str, Any], *, source: str, order: int, default_id: str, session: str | None) -> Rule:
    if spec.get("next_state") is not None or spec.get("state") is not None:
        if not spec.get("scenario"):
            raise ValueError("`state` and `next_state` need a `scenario`")
    if "then" in spec and "sequence" not in spec:
        raise ValueError("`then` applies to a `sequence`")
    steps = spec["sequence"] if "sequence" in spec else [spec["respond"]]
    return Rule(
        id=spec.get("id") or default_id,
        source=source,
        order=order,
        match=compile_match(spec.get("match")),
        responses=tuple(parse_response(step) for step in steps),
        spec=spec,
        priority=int(spec.get("priority", DEFAULT_PRIORITY)),
        session=spec.get("session", session),
        scenario=spec.get("scenario"),
        state=spec.get("state"),
        next_state=spec.get("next_state"),
        times=spec.get("times"),
        then=spec.get("then", "repeat_last"),
    )


_BODY_KINDS = {"message": "message", "text": "text/thinking/tool_use", "thinking": "text/thinking/tool_use",
               "tool_use": "text/thinking/tool_use", "error": "error", "status": "status/body",
               "body": "status/body", "fuzz": "fuzz"}
_BODY_ORDER = ("message", "text/thinking/tool_use", "error", "status/body", "fuzz")
_MODIFIERS = frozenset(("headers", "delay", "fault", "pacing"))
_MESSAGE_KEYS = frozenset(("message", *_MESSAGE_SHORTHANDS))


def parse_response(spec: Mapping[str, Any]) -> Response:
    """One response; a sequence of 100k steps parses in well under a second (one pass over each step's keys)."""
    kinds = {_BODY_KINDS[key] for key in spec if key in _BODY_KINDS}
    if len(kinds) > 1:
        bodies = [kind for kind in _BODY_ORDER if kind in kinds]
        raise ValueError(f"a response has one body; this one has {' and '.join(bodies)}")
    if not kinds or not next(iter(kinds)).startswith(("message", "text")):
        extra = [k for k in ("stop_reason", "usage") if k in spec]
        if extra:
            raise ValueError(f"{', '.join(extra)} only go with message, text, thinking or tool_use")
    common = _modifiers(spec) if not _MODIFIERS.isdisjoint(spec) else {}
    if not _MESSAGE_KEYS.isdisjoint(spec):
        return Response("message", message=_message(spec), **common)
    if "error" in spec:
        return Response("error", error=_error(spec["error"]), **common)
    if "fuzz" in spec:
        return Response("fuzz", fuzz_seed=int(spec["fuzz"]), **common)
    if "status" in spec or "body" in spec:
        status = int(spec.get("status", 200))
        check_status_body(status, "body" in spec)
        content_type = spec.get("content_type")
        if content_type is not None:
            check_header("content_type", content_type)
        return Response("raw", status=status, body=spec.get("body"), content_type=content_type, **common)
    return Response("pass", **common)


def _modifiers(spec: Mapping[str, Any]) -> dict[str, Any]:
    return dict(
        headers=_headers(spec.get("headers") or {}),
        delay=Latency.parse(spec["delay"]) if "delay" in spec else None,
        fault=StreamFault.parse(spec["fault"]) if "fault" in spec else None,
        pacing=_pacing(spec["pacing"]) if "pacing" in spec else None,
    )


def _message(spec: Mapping[str, Any]) -> dict[str, Any]:
    if "message" in spec:
        message = dict(spec["message"])
    else:
        content: list[dict[str, Any]] = []
        if "thinking" in spec:
            content.append({"type": "thinking", "thinking": spec["thinking"]})
        if "text" in spec:
            content.append({"type": "text", "text": spec["text"]})
        tools = spec.get("tool_use") or []
        for tool in [tools] if isinstance(tools, dict) else tools:
            content.append({"type": "tool_use", **({"id": tool["id"]} if "id" in tool else {}),
                            "name": tool["name"], "input": tool.get("input", {})})
        message = {"content": content}
    for name in ("stop_reason", "usage"):
        if name in spec:
            message[name] = spec[name]
    return message


# An error response's retry advice: rule field -> response header (x-mock headers spell the field
# `x-mock-retry-after`, ..., see overrides.py).
RETRY_FIELDS = {"retry_after": "retry-after", "retry_after_ms": "retry-after-ms", "should_retry": "x-should-retry"}


def _error(spec: str | Mapping[str, Any]) -> ErrorSpec:
    if isinstance(spec, str):
        return ErrorSpec(spec)
    headers = {header: _header_value(spec[field]) for field, header in RETRY_FIELDS.items() if field in spec}
    return ErrorSpec(spec["type"], spec.get("message"), spec.get("status"), headers, spec.get("details"))


def _pacing(spec: Mapping[str, Any]) -> Pacing:
    return Pacing(first_event_delay=parse_duration(spec.get("first_event", 0)),
                  delta_delay=parse_duration(spec.get("between_events", 0)))


def _headers(spec: Mapping[str, Any]) -> dict[str, str]:
    headers = {}
    for name, raw in spec.items():
        value = _header_value(raw)
        headers[check_header(name, value)] = value
    return headers


def _header_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return _number_text(value) if isinstance(value, (int, float)) else str(value)


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# -- schema --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _validator(schema_name: str) -> Any:
    control = load_spec(CONTROL_SPEC)
    root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$ref": f"#/components/schemas/{schema_name}", "components": control["components"]}
    return jsonschema_rs.validator_for(root)


def check_schema(spec: Any, schema_name: str, where: str) -> None:
    validator = _validator(schema_name)
    if validator.is_valid(spec):
        return
    errors = sorted(validator.iter_errors(spec), key=lambda e: -len(list(e.instance_path)))
    error = errors[0]
    location = "/".join(str(p) for p in error.instance_path) or "(rule)"
    name = spec.get("id", where) if isinstance(spec, dict) else where
    raise RuleError(f"rule {shorten(str(name), 130)}: {location}: {shorten(error.message, 200)}")
