"""Validators compiled once at start-up: one body validator per (operation, API version)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import jsonschema_rs

from ..http.errors import invalid_request
from .explain import Explainer, format_problem
from .loader import Spec, schemas_for_version, version_keys
from .nulls import NullPlan, null_plan
from .operations import Operation

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
        self._null_plans: dict[tuple[str, str], NullPlan | None] = {}
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


    def drop_null_options(self, operation_id: str, version: str, body: Any) -> None:
        """Remove the `null`s that stand for optional fields left out (see `spec.nulls`)."""
        key = (operation_id, version)
        if key not in self._null_plans:
            schema = self._schemas.get(operation_id)
            schemas = self._roots[version]["components"]["schemas"]
            self._null_plans[key] = null_plan(schema, schemas) if schema is not None else None
        plan = self._null_plans[key]
        if plan is not None:
            plan.apply(body)


def _body_validator(schema: dict, root: dict, explainer: Explainer) -> BodyValidator:
    # Compiling each body schema on its own only visits what it references: much faster
    # at start-up than compiling every component.
    validator = jsonschema_rs.validator_for({**schema, **root}, validate_formats=True)
    return BodyValidator(validator.is_valid, schema, explainer, validator)
