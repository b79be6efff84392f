"""Request-type differences between the last 0.x SDK (API version 2023-06-01) and the 2.x SDK (2026-10-21).

Both SDK dumps (``tools/sdk_dump.py``) hold the pydantic JSON Schemas of the Messages request types.
This module compares every definition reachable from the request roots in both, by SDK name, and
lists what differs. ``build_spec.py`` encodes the differences that only relax 2023-06-01 (a field the
2.x types dropped, a field they made required) in ``x-mock-versions``; everything else is printed by
``tools/refresh_sdk.py`` for review, and the reviewed decisions live in ``openapi/src/versions.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

REQUEST_ROOTS = ("MessageCreateParamsNonStreaming", "MessageCountTokensParams", "BatchCreateParams")
ANNOTATIONS = {"title", "description", "default", "examples"}
# Differences a generation of SDK types always shows and that are no API-version rule: the `betas` /
# `workspace_id` pseudo-fields are headers, and model-name enums follow the model catalog.
NOT_A_RULE = {"betas", "workspace_id", "user_profile_id", "model"}


@dataclass(frozen=True, order=True)
class Difference:
    definition: str
    kind: str  # "only-v0" | "only-v2" | "required-v2" | "required-v0" | "changed" | "new-definition"
    field: str = ""

    def describe(self) -> str:
        where = f"{self.definition}.{self.field}" if self.field else self.definition
        return {
            "only-v0": f"{where}: only in 2023-06-01 (0.x)",
            "only-v2": f"{where}: only in 2026-10-21 (2.x)",
            "required-v2": f"{where}: required only in 2026-10-21",
            "required-v0": f"{where}: required only in 2023-06-01",
            "changed": f"{where}: type differs",
            "new-definition": f"{where}: definition only in 2.x",
        }[self.kind]


def _reachable(defs: dict, roots) -> set[str]:
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in defs:
            continue
        seen.add(name)
        todo.extend(re.findall(r"#/\$defs/([A-Za-z0-9_]+)", repr(defs[name])))
    return seen


def _plain(node):
    """The schema without annotations, and with SDK-internal twin names (`FooParamParam`) folded."""
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items() if k not in ANNOTATIONS}
    if isinstance(node, list):
        return [_plain(x) for x in node]
    if isinstance(node, str):
        return re.sub(r"(Param)+\b", "Param", node).replace("ErrorObject", "Error")
    return node


def request_differences(v0: dict, v2: dict) -> list[Difference]:
    d0 = v0["groups"]["anthropic"]["defs"]
    d2 = v2["groups"]["anthropic"]["defs"]
    r0, r2 = _reachable(d0, REQUEST_ROOTS), _reachable(d2, REQUEST_ROOTS)
    out = [Difference(name, "new-definition") for name in sorted(r2 - r0) if not name.endswith("Param")
           or re.sub(r"ParamParam$", "Param", name) not in r0]
    for name in sorted(r0 & r2):
        out.extend(_compare(name, d0[name], d2[name]))
    return sorted(out)


def _compare(name: str, old: dict, new: dict) -> list[Difference]:
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    out = []
    for field in sorted(set(old_props) | set(new_props)):
        if field in NOT_A_RULE:
            continue
        if field not in new_props:
            out.append(Difference(name, "only-v0", field))
        elif field not in old_props:
            out.append(Difference(name, "only-v2", field))
        elif _plain(old_props[field]) != _plain(new_props[field]):
            out.append(Difference(name, "changed", field))
    old_required, new_required = set(old.get("required", ())), set(new.get("required", ()))
    out += [Difference(name, "required-v2", f) for f in sorted(new_required - old_required) if f in old_props]
    out += [Difference(name, "required-v0", f) for f in sorted(old_required - new_required) if f in new_props]
    if not old_props and not new_props and _plain(old) != _plain(new):
        out.append(Difference(name, "changed"))
    return out
