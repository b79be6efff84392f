"""`--compare-spec`: the operations, parameters, schemas and fields in which two OpenAPI files differ."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .spec import resolve_ref

Fields = dict[str, str]  # dotted field path -> short description of its type ("string", "integer?" ...)


def spec_operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """`METHOD /path` -> operation. A `?beta=true` duplicate path is the same operation; its beta
    definition (a superset) wins, as in our spec."""
    found: dict[str, dict[str, Any]] = {}
    for raw_path, item in spec.get("paths", {}).items():
        path, _, query = raw_path.partition("?")
        for method in ("get", "post", "put", "patch", "delete"):
            if isinstance(item.get(method), dict) and (query or f"{method.upper()} {path}" not in found):
                found[f"{method.upper()} {path}"] = {**item[method], "parameters": [
                    *item.get("parameters", []), *item[method].get("parameters", [])]}
    return found


def schema_fields(spec: dict[str, Any], schema: Any, prefix: str = "", depth: int = 0,
                  seen: tuple[str, ...] = ()) -> Fields:
    """Every field under a schema, as `a.b[].c` paths (union members as `a<variant>.b`), to a small depth."""
    fields: Fields = {}
    if not isinstance(schema, dict) or depth > 6:
        return fields
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return fields
        return schema_fields(spec, resolve_ref(spec, schema), prefix, depth, (*seen, name))
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []):
            variant = _variant(spec, member)
            sub = f"{prefix}<{variant}>" if variant and key != "allOf" else prefix
            fields.update(schema_fields(spec, member, sub, depth, seen))
    required = set(schema.get("required", []))
    for name, sub in (schema.get("properties") or {}).items():
        path = f"{prefix}.{name}".lstrip(".")
        fields[path] = _describe(spec, sub) + ("" if name in required else "?")
        fields.update(schema_fields(spec, sub, path, depth + 1, seen))
    if isinstance(schema.get("items"), dict):
        fields.update(schema_fields(spec, schema["items"], f"{prefix}[]", depth + 1, seen))
    return fields


def _variant(spec: dict[str, Any], member: Any) -> str | None:
    resolved = resolve_ref(spec, member) if isinstance(member, dict) else {}
    properties = resolved.get("properties") or {}
    for key in ("type", "role"):
        const = (properties.get(key) or {}).get("const")
        if isinstance(const, str):
            return const
    return None


def _describe(spec: dict[str, Any], schema: Any) -> str:
    kinds = _kinds(spec, schema)
    return "|".join(sorted(kinds - {"null"})) + ("|null" if "null" in kinds else "") or "any"


def _kinds(spec: dict[str, Any], schema: Any, depth: int = 0) -> set[str]:
    schema = resolve_ref(spec, schema) if isinstance(schema, dict) else {}
    kind = schema.get("type")
    kinds = set(kind if isinstance(kind, list) else [kind] if kind else [])
    if "properties" in schema and not kinds:
        kinds.add("object")
    if "const" in schema and not kinds:
        kinds.add(type(schema["const"]).__name__.replace("str", "string"))
    for key in ("anyOf", "oneOf", "allOf"):
        for member in schema.get(key, []) if depth < 4 else []:
            kinds |= _kinds(spec, member, depth + 1)
    return kinds


def _parameters(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, str]:
    params = {}
    for raw in operation.get("parameters", []):
        param = resolve_ref(spec, raw)
        params[f"{param.get('in')} {param.get('name')}"] = "required" if param.get("required") else "optional"
    return params


def _body_fields(spec: dict[str, Any], operation: dict[str, Any]) -> Fields:
    body = resolve_ref(spec, operation.get("requestBody") or {})
    media = next(iter((body.get("content") or {}).values()), {})
    return schema_fields(spec, media.get("schema"))


def _response_fields(spec: dict[str, Any], operation: dict[str, Any]) -> Fields:
    response = resolve_ref(spec, (operation.get("responses") or {}).get("200") or {})
    media = (response.get("content") or {}).get("application/json") or {}
    return schema_fields(spec, media.get("schema"))


@dataclass(slots=True)
class SpecDiff:
    only_ours: list[str]
    only_theirs: list[str]
    operations: dict[str, list[str]]  # operation -> readable differences
    schemas: dict[str, list[str]]  # schema name -> readable differences
    schemas_only_ours: list[str]
    schemas_only_theirs: list[str]
    beta_duplicates: int

    @property
    def empty(self) -> bool:
        return not (self.only_ours or self.only_theirs or self.operations or self.schemas
                    or self.schemas_only_ours or self.schemas_only_theirs)


def compare_specs(ours: dict[str, Any], theirs: dict[str, Any]) -> SpecDiff:
    mine, other = spec_operations(ours), spec_operations(theirs)
    operations = {}
    for key in sorted(set(mine) & set(other)):
        lines = _compare_operation(ours, mine[key], theirs, other[key])
        if lines:
            operations[key] = lines
    our_schemas = ours.get("components", {}).get("schemas", {})
    their_schemas = theirs.get("components", {}).get("schemas", {})
    schemas = {}
    for name in sorted(set(our_schemas) & set(their_schemas)):
        lines = _compare_fields("", schema_fields(ours, our_schemas[name]), schema_fields(theirs, their_schemas[name]))
        if lines:
            schemas[name] = lines
    duplicates = sum(1 for path in theirs.get("paths", {}) if "?" in path)
    return SpecDiff(sorted(set(mine) - set(other)), sorted(set(other) - set(mine)), operations, schemas,
                    sorted(set(our_schemas) - set(their_schemas)), sorted(set(their_schemas) - set(our_schemas)),
                    duplicates)


def _compare_operation(ours: dict[str, Any], mine: dict[str, Any], theirs: dict[str, Any],
                       other: dict[str, Any]) -> list[str]:
    lines = _compare_fields("parameter ", _parameters(ours, mine), _parameters(theirs, other))
    lines += _compare_fields("request field ", _body_fields(ours, mine), _body_fields(theirs, other))
    lines += _compare_fields("response field ", _response_fields(ours, mine), _response_fields(theirs, other))
    our_statuses, their_statuses = set(map(str, mine.get("responses", {}))), set(map(str, other.get("responses", {})))
    if our_statuses != their_statuses:
        lines.append(f"statuses: ours {', '.join(sorted(our_statuses))}; theirs {', '.join(sorted(their_statuses))}")
    return lines


def _compare_fields(kind: str, mine: dict[str, str], other: dict[str, str]) -> list[str]:
    lines = []
    only_mine, only_other = sorted(set(mine) - set(other)), sorted(set(other) - set(mine))
    if only_mine:
        lines.append(f"{kind}only in ours: {_listing(only_mine)}".lstrip())
    if only_other:
        lines.append(f"{kind}only in theirs: {_listing(only_other)}".lstrip())
    for name in sorted(set(mine) & set(other)):
        if mine[name] != other[name]:
            lines.append(f"{kind}{name}: {mine[name]} in ours, {other[name]} in theirs".lstrip())
    return lines


def _listing(items: list[str], limit: int = 12) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" … and {len(items) - limit} more" if len(items) > limit else "")


def format_spec_diff(diff: SpecDiff, ours_name: str, theirs_name: str) -> str:
    lines = [f"Spec comparison: ours = {ours_name}, theirs = {theirs_name}",
             f"(theirs: {diff.beta_duplicates} `?beta=true` duplicate paths merged into their plain operations;"
             " `?` after a field type means optional)", ""]
    if diff.only_ours:
        lines += [f"Operations only in ours ({len(diff.only_ours)}):", *(f"  {op}" for op in diff.only_ours), ""]
    if diff.only_theirs:
        lines += [f"Operations only in theirs ({len(diff.only_theirs)}):", *(f"  {op}" for op in diff.only_theirs), ""]
    for operation, differences in diff.operations.items():
        lines += [operation, *(f"  {line}" for line in differences), ""]
    if diff.schemas:
        lines.append(f"Schemas defined in both, with different fields ({len(diff.schemas)}):")
        for name, differences in diff.schemas.items():
            lines += [f"  {name}", *(f"    {line}" for line in differences)]
        lines.append("")
    lines += [f"Schemas only in ours ({len(diff.schemas_only_ours)}): {_listing(diff.schemas_only_ours, 20)}",
              f"Schemas only in theirs ({len(diff.schemas_only_theirs)}): {_listing(diff.schemas_only_theirs, 20)}", "",
              "No differences." if diff.empty else
              f"Summary: {len(diff.only_ours)} operations only in ours, {len(diff.only_theirs)} only in theirs, "
              f"{len(diff.operations)} shared operations differ, {len(diff.schemas)} shared schemas differ."]
    return "\n".join(lines)
