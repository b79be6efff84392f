"""`mockserver contract --cassettes DIR`: every recorded response checked against the spec, so
drift between the real API and our contract shows up as a failure that names the field."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import orjson

from ..contract.spec import beta_variant, schema_errors
from ..contract.sse import STREAM_GRAMMARS, SseEvent
from ..http.errors import ApiError
from ..spec import Router, load_spec
from ..spec.explain import Explainer, format_problem
from ..spec.operations import Operation, index_operations
from .cassette import Interaction, read_cassette


@dataclass(frozen=True, slots=True)
class Drift:
    cassette: Path
    index: int  # 1-based interaction number
    operation: str
    problem: str

    def __str__(self) -> str:
        return f"{self.cassette} #{self.index} {self.operation}: {self.problem}"


def check_cassettes(folder: Path, spec_path: Path) -> tuple[int, list[Drift]]:
    """(interactions checked, drifts found) for every *.yaml cassette under `folder`."""
    spec = load_spec(spec_path)
    router = Router(index_operations(spec))
    checked, drifts = 0, []
    for path in sorted(folder.rglob("*.yaml")):
        for number, interaction in enumerate(read_cassette(path).interactions, start=1):
            checked += 1
            drifts += [Drift(path, number, interaction.request.operation or "?", problem)
                       for problem in _problems(spec, router, interaction)]
    return checked, drifts


def _problems(spec: dict[str, Any], router: Router, interaction: Interaction) -> Iterator[str]:
    request, response = interaction.request, interaction.response
    try:
        operation, _ = router.match(request.method, urlsplit(request.uri).path)
    except ApiError:
        yield f"{request.method} {request.uri} is not an operation of the spec"
        return
    documented = operation.responses.get(str(response.status)) or operation.responses.get("default")
    if documented is None:
        yield f"status {response.status} is not documented for {operation.operation_id}"
        return
    media_type = (response.header("content-type") or "").split(";")[0].strip()
    media = documented.get("content", {}).get(media_type)
    if media is None:
        if documented.get("content"):
            yield f"status {response.status}: content-type {media_type!r} is not documented"
        return
    schema = beta_variant(media, request.headers) or media.get("schema")
    if schema is None:
        return
    if response.events is not None:
        yield from _stream_problems(spec, operation, schema, response.events)
    elif media_type == "application/json":
        yield from _json_problems(spec, schema, "the body", response.body)


def _stream_problems(spec: dict[str, Any], operation: Operation, schema: dict[str, Any],
                     events: list[Any]) -> Iterator[str]:
    for number, event in enumerate(events):
        if event.data != "[DONE]":
            yield from _json_problems(spec, schema, f"event #{number} ({event.name})", event.data.encode())
    grammar = STREAM_GRAMMARS.get(operation.operation_id)
    if grammar is not None:
        yield from grammar([SseEvent(e.name, e.data) for e in events])


def _json_problems(spec: dict[str, Any], schema: dict[str, Any], where: str, raw: bytes) -> Iterator[str]:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        yield f"{where} is not JSON"
        return
    errors = schema_errors(spec, schema, document)
    if not errors:
        return
    problem = Explainer(spec).explain(schema, document)  # names the field inside a union member
    yield from [f"{where}: {format_problem(problem)}"] if problem else (f"{where}: {e}" for e in errors)
