"""Operations indexed from the spec, and the router that finds one for (method, path)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..http.errors import ApiError
from .loader import Spec
from .refs import resolve

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
NO_BODY_LIMIT = 1 << 62


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    location: str  # "query" | "path" | "header"
    required: bool
    schema: dict[str, Any]

    @property
    def is_array(self) -> bool:
        return self.schema.get("type") == "array"


@dataclass(frozen=True, slots=True)
class Operation:
    operation_id: str
    method: str  # upper case
    path: str  # template, e.g. /v1/files/{file_id}
    parameters: tuple[Parameter, ...]
    body_media_type: str | None  # "application/json" | "multipart/form-data" | None
    body_schema: dict[str, Any] | None
    body_required: bool
    admin: bool
    max_body_bytes: int
    default_beta: str | None
    beta_fields: dict[str, tuple[str, ...]]
    error_style: str  # "anthropic" | "openai" (the OpenAI-compatible endpoint answers errors its way)
    shape_betas: tuple[str, ...]  # betas that change the 200 body's shape (`x-mock-beta-responses`)
    responses: dict[str, Any] = field(repr=False)
    public: bool = False  # `x-mock-auth: none`: the token endpoint takes no API key
    query: tuple[Parameter, ...] = field(init=False, repr=False)  # the query parameters, looked up per request
    query_required: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        query = tuple(p for p in self.parameters if p.location == "query")
        object.__setattr__(self, "query", query)
        object.__setattr__(self, "query_required", any(p.required for p in query))

    @property
    def streams(self) -> bool:
        content = self.responses.get("200", {}).get("content", {})
        return "text/event-stream" in content

    def field_missing_beta(self, body: dict[str, Any], betas: tuple[str, ...] | frozenset[str]) -> str | None:
        """The first field of `body` that only a beta enables when the request names none of its betas."""
        for name in body:
            enabling = self.beta_fields.get(name)
            if enabling and not any(b in betas for b in enabling):
                return name
        return None

    @property
    def requires_version(self) -> bool:
        return any(p.location == "header" and p.name.lower() == "anthropic-version" and p.required
                   for p in self.parameters)


def _parameters(spec: Spec, path_item: dict, operation: dict) -> tuple[Parameter, ...]:
    merged: dict[tuple[str, str], Parameter] = {}
    for raw in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        param = resolve(spec, raw)
        merged[(param["in"], param["name"])] = Parameter(
            name=param["name"],
            location=param["in"],
            required=bool(param.get("required", param["in"] == "path")),
            schema=param.get("schema", {}),
        )
    return tuple(merged.values())


def _body(spec: Spec, operation: dict) -> tuple[str | None, dict | None, bool]:
    raw = operation.get("requestBody")
    if raw is None:
        return None, None, False
    body = resolve(spec, raw)
    media_type, media = next(iter(body.get("content", {}).items()))
    return media_type, media.get("schema"), bool(body.get("required", False))


def index_operations(spec: Spec) -> list[Operation]:
    operations = []
    # the API's limit (openapi/src/operations.yaml api_facts) for operations that set none of their own;
    # a spec without the mock's extensions sets no limit
    body_limit = spec.get("x-mock-max-body-bytes", NO_BODY_LIMIT)
    for path, path_item in spec.get("paths", {}).items():
        for method in HTTP_METHODS:
            raw = path_item.get(method)
            if raw is None:
                continue
            media_type, schema, required = _body(spec, raw)
            operations.append(
                Operation(
                    operation_id=raw["operationId"],
                    method=method.upper(),
                    path=path,
                    parameters=_parameters(spec, path_item, raw),
                    body_media_type=media_type,
                    body_schema=schema,
                    body_required=required,
                    admin=raw.get("x-mock-auth") == "admin",
                    public=raw.get("x-mock-auth") == "none",
                    max_body_bytes=int(raw.get("x-mock-max-body-bytes", body_limit)),
                    default_beta=raw.get("x-mock-beta"),
                    beta_fields={k: tuple(v) for k, v in (raw.get("x-mock-beta-fields") or {}).items()},
                    error_style=raw.get("x-mock-error-style", "anthropic"),
                    shape_betas=_shape_betas(spec, raw),
                    responses={str(k): resolve(spec, v) for k, v in raw.get("responses", {}).items()},
                )
            )
    return operations


def _shape_betas(spec: Spec, operation: dict) -> tuple[str, ...]:
    ok = resolve(spec, operation.get("responses", {}).get("200", {}))
    media = ok.get("content", {}).get("application/json", {})
    return tuple(media.get("x-mock-beta-responses") or ())


@dataclass(slots=True)
class _Template:
    pattern: re.Pattern[str]
    methods: dict[str, Operation]


class Router:
    """Static paths are a dict lookup; templated paths are tried most-literal first."""

    def __init__(self, operations: list[Operation]) -> None:
        self._static: dict[str, dict[str, Operation]] = {}
        templates: dict[str, _Template] = {}
        for op in operations:
            if "{" not in op.path:
                self._static.setdefault(op.path, {})[op.method] = op
                continue
            template = templates.get(op.path)
            if template is None:
                template = templates[op.path] = _Template(_compile(op.path), {})
            template.methods[op.method] = op
        # deeper first; at one depth fewer parameters first (`/work/stats` before `/work/{work_id}`)
        self._templates = [templates[path] for path in sorted(
            templates, key=lambda path: (-path.count("/"), path.count("{")))]

    def methods_for(self, path: str) -> tuple[dict[str, Operation], dict[str, str]] | None:
        """The operations served at `path` by method, with the path's parameters; None if none."""
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/")
        methods = self._static.get(path)
        if methods is not None:
            return methods, {}
        for template in self._templates:
            found = template.pattern.fullmatch(path)
            if found:
                return template.methods, found.groupdict()
        return None

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        found = self.methods_for(path)
        if found is None:
            raise ApiError("not_found_error", "Not found")
        methods, params = found
        operation = methods.get(method)
        if operation is None and len(path) > 1 and path.endswith("/"):
            # `/items/{id}/` with the id left empty: the route it would name does not exist (a 404,
            # documented for every operation), rather than the collection's 405
            raise ApiError("not_found_error", "Not found")
        if operation is None:
            raise ApiError(
                "invalid_request_error",
                f"Method {method} is not allowed for {path}; allowed: {', '.join(sorted(methods))}",
                status=405,
                headers={"allow": ", ".join(sorted(methods))},
            )
        return operation, params


def _compile(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join(
        f"(?P<{part[1:-1]}>[^/]+)" if part.startswith("{") else re.escape(part) for part in parts
    )
    return re.compile(regex)
