"""Pure operations on JSON Schemas that generation needs: two schemas merged as `allOf` means,
and a lower bound on the work one instance of a schema takes."""

from __future__ import annotations

from typing import Any


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Both schemas at once (as `allOf` means): properties and required are combined."""
    out = dict(base)
    for name, value in extra.items():
        if name == "properties" and isinstance(out.get(name), dict):
            props = dict(out[name])
            for prop, sub in value.items():
                props[prop] = {"allOf": [props[prop], sub]} if prop in props else sub
            out[name] = props
        elif name == "required" and isinstance(out.get(name), list):
            out[name] = out[name] + [r for r in value if r not in out[name]]
        elif name == "type" and name in out:
            out[name] = _common_type(out[name], value)
        else:
            out[name] = value
    return out


def _common_type(a: Any, b: Any) -> Any:
    left = set(a if isinstance(a, list) else [a])
    right = set(b if isinstance(b, list) else [b])
    if "number" in left:
        left.add("integer")
    if "number" in right:
        right.add("integer")
    both = sorted(left & right)
    return both[0] if len(both) == 1 else (both or b)


def least_instances(schema: Any, depth: int = 0) -> int:
    """A lower bound on the subschema instances one value of `schema` needs, from the minItems
    of directly nested arrays and required properties (references and combinators count 1)."""
    if not isinstance(schema, dict) or depth > 8:
        return 1
    if schema.get("type") == "array" or "items" in schema:
        low = schema.get("minItems", 0)
        return 1 + (low * least_instances(schema.get("items"), depth + 1) if isinstance(low, int) else 0)
    properties = schema.get("properties")
    required = schema.get("required")
    if isinstance(properties, dict) and isinstance(required, list):
        return 1 + sum(least_instances(properties.get(name), depth + 1) for name in required
                       if isinstance(name, str))
    return 1
