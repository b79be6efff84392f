"""What the contract reads from the spec: operation facts (id, admin, cost), documented media and
their compiled validators."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
from ..spec.parsed import read_document
from ..spec.refs import resolve

COSTLY = frozenset({"messages_create", "batches_create", "completions_create", "chat_completions_create"})
READ_ONLY_POSTS = frozenset({"messages_count_tokens"})


def load_document(path: Path | str) -> dict[str, Any]:
    return read_document(path)


resolve_ref = resolve  # the spec's one resolver, under the name the contract modules use


def operation_id(operation: Any) -> str:
    return operation.definition.raw.get("operationId", operation.label)


def is_admin(operation: Any) -> bool:
    return operation.definition.raw.get("x-mock-auth") == "admin" or operation.path.startswith("/v1/organizations")


def cost_of(operation: Any) -> str | None:
    """Why running this operation against a real account is not free, or None."""
    if operation_id(operation) in COSTLY:
        return "costs money"
    if operation.method.upper() != "GET" and operation_id(operation) not in READ_ONLY_POSTS:
        return "changes the account" if not is_admin(operation) else "changes the organization"
    return None


_VALIDATORS: dict[tuple[int, str], tuple[dict[str, Any], Any]] = {}


def validator(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A compiled validator for a schema of `spec`; its `#/components/...` references resolve."""
    key = (id(spec), json.dumps(schema, sort_keys=True))
    cached = _VALIDATORS.get(key)
    if cached is not None and cached[0] is spec:
        return cached[1]
    compiled = jsonschema_rs.validator_for({**schema, "components": spec.get("components", {})},
                                           validate_formats=True)
    _VALIDATORS[key] = (spec, compiled)
    return compiled


def schema_errors(spec: dict[str, Any], schema: dict[str, Any], instance: Any, limit: int = 3) -> list[str]:
    errors = []
    for error in validator(spec, schema).iter_errors(instance):
        where = "/".join(str(part) for part in error.instance_path) or "(root)"
        errors.append(f"{where}: {error.message[:300]}")
        if len(errors) >= limit:
            break
    return errors


def media_object(operation: Any, status: int, media_type: str) -> dict[str, Any]:
    """The documented `content` entry of a response, {} when there is none."""
    responses = operation.definition.raw.get("responses", {})
    response = resolve_ref(operation.schema.raw_schema, responses.get(str(status)) or {})
    return response.get("content", {}).get(media_type) or {}


def beta_variant(media: dict[str, Any], request_headers: Any) -> dict[str, Any] | None:
    """The schema of a beta-shaped body (`x-mock-beta-responses`) when the request enabled that beta."""
    sent = {b.strip() for b in (request_headers.get("anthropic-beta") or "").split(",")}
    for beta, variant in (media.get("x-mock-beta-responses") or {}).items():
        if beta in sent:
            return variant.get("schema")
    return None
