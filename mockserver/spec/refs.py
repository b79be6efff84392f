"""Local `$ref`s (`#/components/schemas/Message`): the one resolver every spec reader uses."""

from __future__ import annotations

from typing import Any


def ref_target(root: Any, ref: str) -> Any:
    """What the local JSON pointer `ref` names inside `root`; KeyError when it names nothing."""
    if not isinstance(ref, str) or not ref.startswith("#"):
        raise KeyError(ref)
    node = root
    for part in ref[1:].split("/"):
        if not part:
            continue
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(ref)
    return node


def resolve(root: Any, node: Any) -> Any:
    """`node`, or what its `$ref` chain points to; keywords beside a `$ref` are kept (JSON Schema 2020)."""
    while isinstance(node, dict) and "$ref" in node:
        target = ref_target(root, node["$ref"])
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**target, **extra} if extra and isinstance(target, dict) else target
    return node


def resolve_schema(root: Any, node: Any) -> dict[str, Any]:
    """As `resolve`, for readers that want a schema object: `True`, `False` and the like give `{}`."""
    schema = resolve(root, node)
    return schema if isinstance(schema, dict) else {}
