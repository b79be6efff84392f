"""Validators compiled once at start-up: one body validator per (operation, API version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jsonschema_rs

from ..http.errors import invalid_request
from .explain import Explainer, format_problem
from .loader import Spec, schemas_for_version, version_keys
from .operations import Operation, Parameter

_DRAFT = "https://json-schema.org/draft/2020-12/schema"


@dataclass(frozen=True, slots=True)
class BodyValidator:
    is_valid: Callable[[Any], bool]
    schema: dict[str, Any]
    explainer: Explainer
    fallback: Any  # the compiled validator, whose own message is used if the explainer finds nothing

    def check(self, body: Any) -> None:
        """Raise the API's 400 when the body does not conform."""
        if self.is_valid(body):
            return
        problem = self.explainer.explain(self.schema, body)
        if problem is not None:
            raise invalid_request(format_problem(problem))
        error = next(iter(self.fallback.iter_errors(body)), None)
        where = ".".join(str(p) for p in error.instance_path) if error else ""
        message = error.message if error else "Invalid request body"
        raise invalid_request(f"{where}: {message}" if where else message)


class Validators:
    """Body validators for every operation and API version, each compiled once.

    A compiled validator of a large body (Messages) holds several MB, and a server usually sees one
    API version and a few operations, so each is compiled on first use; the hot one (Messages in the
    current version) is compiled at start-up. Nothing is walked per request after that.
    """

    WARM = ("messages_create",)

    def __init__(self, spec: Spec, operations: list[Operation]) -> None:
        self.versions = version_keys(spec)
        self._schemas = {op.operation_id: op.body_schema for op in operations
                         if op.body_schema is not None and op.body_media_type == "application/json"}
        self._roots = {version: {"$schema": _DRAFT, "components": {"schemas": schemas_for_version(spec, version)}}
                       for version in self.versions}
        self._explainers = {version: Explainer(root) for version, root in self._roots.items()}
        self._compiled: dict[tuple[str, str], BodyValidator] = {}
        for operation_id in self.WARM:
            self.body(operation_id, self.versions[-1])

    def body(self, operation_id: str, version: str) -> BodyValidator | None:
        validator = self._compiled.get((operation_id, version))
        if validator is None:
            schema = self._schemas.get(operation_id)
            if schema is None:
                return None
            validator = _body_validator(schema, self._roots[version], self._explainers[version])
            self._compiled[(operation_id, version)] = validator
        return validator


def _body_validator(schema: dict, root: dict, explainer: Explainer) -> BodyValidator:
    # Compiling each body schema on its own only visits what it references: much faster
    # at start-up than compiling every component.
    validator = jsonschema_rs.validator_for({**schema, **root}, validate_formats=True)
    return BodyValidator(validator.is_valid, schema, explainer, validator)


# -- query parameters ------------------------------------------------------------------------

def parse_query(parameters: tuple[Parameter, ...], pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Coerce query strings to their declared types; `name[]=a&name[]=b` and `name=a&name=b` both work."""
    raw: dict[str, list[str]] = {}
    for key, value in pairs:
        raw.setdefault(key.removesuffix("[]"), []).append(value)
    result: dict[str, Any] = {}
    for param in parameters:
        name = param.name.removesuffix("[]")
        values = raw.get(name)
        if values is None:
            if param.required:
                raise invalid_request(f"{param.name}: Field required")
            continue
        result[name] = _coerce_parameter(param, values)
    return result


def _coerce_parameter(param: Parameter, values: list[str]) -> Any:
    schema = param.schema
    if param.is_array:
        item_schema = schema.get("items", {})
        items = [_coerce(param.name, item_schema, value) for value in values]
        problem = Explainer({}).explain({k: v for k, v in schema.items() if k != "items"}, items)
        if problem:
            raise invalid_request(format_problem(([param.name, *problem[0]], problem[1])))
        return items
    return _coerce(param.name, schema, values[-1])


def _coerce(name: str, schema: dict, value: str) -> Any:
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
