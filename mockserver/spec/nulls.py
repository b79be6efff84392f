"""`null` for an optional field is the field left out, as the API reads it.

Clients built on the SDKs' types or on generic JSON encoders send `"stop_sequences": null`,
`"system": null`, `"temperature": null` for fields they leave unset, and the real API answers 200.
The SDK types (and so the spec's schemas) do not allow `null` there, so when a body fails validation
as sent, the gate drops every `null` that stands for an optional field of a request object and
validates again (a valid body is never walked). A required field sent as `null` stays, and is
refused as the API refuses it.

The plan of where to look is derived once per (operation, API version) from the schema: plain
objects and unions whose members have a constant `type` are followed; free-form objects (a tool's
`input_schema`, a `tool_use` block's `input`) are not, so a `null` the client means as
data is never touched.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_REF = "#/components/schemas/"
_MAX_DEPTH = 8  # request bodies nest blocks a few levels deep; recursive schemas stop here


@dataclass(slots=True)
class NullPlan:
    """For one object shape: optional fields whose `null` is dropped, and where to descend."""
    optional: frozenset[str] = frozenset()
    children: dict[str, NullPlan | UnionPlan] = field(default_factory=dict)

    def apply(self, value: Any) -> None:
        if type(value) is not dict:
            return
        optional, children, dropped = self.optional, self.children, None
        for name, item in value.items():  # one pass: this runs once per block of a long history
            if item is None:
                if name in optional:
                    dropped = [name] if dropped is None else [*dropped, name]
            elif name in children:
                child = children[name]
                if type(item) is list:
                    for element in item:
                        child.apply(element)
                else:
                    child.apply(item)
        for name in dropped or ():
            del value[name]


@dataclass(slots=True)
class UnionPlan:
    """A union told apart by its members' constant `type` (or `role`, for turns)."""
    key: str = "type"
    members: dict[str | None, NullPlan] = field(default_factory=dict)

    def apply(self, value: Any) -> None:
        if type(value) is list:
            for element in value:
                self.apply(element)
        elif type(value) is dict:
            kind = value.get(self.key)
            member = self.members.get(kind) if kind is None or type(kind) is str else None  # `[]` is no key
            if member is not None:
                member.apply(value)


def null_plan(schema: dict[str, Any], schemas: dict[str, Any]) -> NullPlan | None:
    """The plan for a body schema, or None when it has nothing to drop."""
    plan = _Planner(schemas).plan(schema, 0)
    return plan if isinstance(plan, NullPlan) and _useful(plan) else None


def _resolve(schema: Any, schemas: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema and schema["$ref"].startswith(_REF):
        schema = schemas.get(schema["$ref"][len(_REF):], {})
    return schema


class _Planner:
    """Builds plans once per named schema and depth, so shared block types are walked once."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas
        self.memo: dict[tuple[str, int], NullPlan | UnionPlan | None] = {}

    def plan(self, schema: Any, depth: int) -> NullPlan | UnionPlan | None:
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str):
            return _plan(schema, self, depth)
        key = (ref, depth)
        if key not in self.memo:
            self.memo[key] = _plan(_resolve(schema, self.schemas), self, depth)
        return self.memo[key]


def _plan(schema: Any, planner: _Planner, depth: int) -> NullPlan | UnionPlan | None:
    schemas = planner.schemas
    schema = _resolve(schema, schemas)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return None
    if schema.get("type") == "array":
        return planner.plan(schema.get("items"), depth)
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        return _union(members, planner, depth)
    properties = schema.get("properties")
    if not isinstance(properties, dict) or schema.get("additionalProperties") is not False:
        return None  # free-form: a null inside is data
    required = set(schema.get("required") or ())
    plan = NullPlan(frozenset(name for name in properties if name not in required))
    for name, sub in properties.items():
        child = planner.plan(sub, depth + 1)
        if child is not None and _useful(child):
            plan.children[name] = child
    return plan


def _union(members: list[Any], planner: _Planner, depth: int) -> NullPlan | UnionPlan | None:
    members = [m for m in members if _resolve(m, planner.schemas) != {"type": "null"}]
    if len(members) == 1:
        return planner.plan(members[0], depth)
    for key in ("type", "role"):
        union = UnionPlan(key)
        for ref in members:
            member = _resolve(ref, planner.schemas)
            if not isinstance(member, dict):
                continue
            if member.get("type") == "array":
                inner = planner.plan(member, depth)
                if isinstance(inner, UnionPlan) and inner.key == key:
                    union.members.update(inner.members)
                continue
            plan = planner.plan(ref, depth + 1)
            if isinstance(plan, NullPlan):
                for value in _discriminator_values(member, key, planner.schemas):
                    union.members.setdefault(value, plan)
        if union.members:
            return union
    return None


def _discriminator_values(member: dict[str, Any], key: str, schemas: dict[str, Any]) -> list[str | None]:
    """The `key` values that pick this member; None too when `key` may be left out (custom tools)."""
    kind = _resolve((member.get("properties") or {}).get(key), schemas)
    if not isinstance(kind, dict):
        return []
    options = [_resolve(k, schemas) for k in kind.get("anyOf", [kind])]
    values: list[str | None] = []
    for option in options:
        if not isinstance(option, dict):
            continue
        if isinstance(option.get("const"), str):
            values.append(option["const"])
        values.extend(v for v in option.get("enum") or () if isinstance(v, str))
    if values and key not in (member.get("required") or ()):
        values.append(None)
    return values


def _useful(plan: NullPlan | UnionPlan) -> bool:
    if isinstance(plan, UnionPlan):
        return any(_useful(member) for member in plan.members.values())
    return bool(plan.optional or plan.children)
