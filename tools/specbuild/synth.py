"""A deterministic, schema-valid example for a JSON Schema (responses of the SDK-derived operations)."""

from __future__ import annotations

from typing import Any

from .schemas import REF

_FORMATS = {"date-time": "2026-01-01T00:00:00Z", "date": "2026-01-01", "uri": "https://example.com",
            "email": "user@example.com", "uuid": "00000000-0000-4000-8000-000000000000", "time": "00:00:00Z"}
SHALLOW = 8  # below this depth arrays are empty and nullable values null: recursive schemas end
MAX_DEPTH = 24


class Synth:
    def __init__(self, schemas: dict[str, dict]) -> None:
        self.schemas = schemas
        self.active: list[str] = []  # $refs being expanded: a repeat means recursion

    def example(self, schema: dict, depth: int = 0, name: str = "") -> Any:
        if depth > MAX_DEPTH:
            return None
        if "$ref" in schema:
            target = schema["$ref"][len(REF):]
            self.active.append(target)
            try:
                return self.example(self.schemas[target], depth, name)
            finally:
                self.active.pop()
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            return schema["enum"][0]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                return self._union(schema[key], depth, name)
        if "allOf" in schema:
            merged: dict = {}
            for part in schema["allOf"]:
                value = self.example(part, depth, name)
                merged.update(value if isinstance(value, dict) else {})
            return merged
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        return self._typed(kind, schema, depth, name)

    def _union(self, members: list[dict], depth: int, name: str) -> Any:
        concrete = [m for m in members if m.get("type") != "null"]
        if not concrete or (len(concrete) < len(members) and self._winding_down(depth)):
            return None
        return self.example(concrete[0], depth, name)

    def _typed(self, kind: str | None, schema: dict, depth: int, name: str) -> Any:
        if kind == "object" or "properties" in schema:
            return self._object(schema, depth)
        if kind == "array":
            count = max(schema.get("minItems", 0), 0 if self._winding_down(depth) else 1)
            return [self.example(schema.get("items", {}), depth + 1, name) for _ in range(count)]
        if kind == "string":
            return self._string(schema, name)
        if kind == "integer":
            return int(max(schema.get("minimum", 0), schema.get("exclusiveMinimum", -1) + 1))
        if kind == "number":
            return float(max(schema.get("minimum", 0), 0))
        if kind == "boolean":
            return True
        if kind == "null":
            return None
        return {}

    def _winding_down(self, depth: int) -> bool:
        return depth >= SHALLOW or len(self.active) != len(set(self.active))

    def _object(self, schema: dict, depth: int) -> dict:
        """Every declared property (clients generated with all fields required expect each one)."""
        return {prop: self.example(sub, depth + 1, prop) for prop, sub in schema.get("properties", {}).items()}

    @staticmethod
    def _string(schema: dict, name: str) -> str:
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        value = f"{name}_example" if name else "example"
        minimum = schema.get("minLength", 0)
        value = value.ljust(minimum, "x")
        return value[: schema["maxLength"]] if "maxLength" in schema else value
