"""The API-version side of the spec: x-mock-versions patches and the 2026-10-21 content split."""

from __future__ import annotations

import copy
from collections import OrderedDict

from mockserver.spec.loader import merge_patch
from tools.version_diff import REQUEST_ROOTS, request_differences

from .schemas import REF, canon, clean, ref, refs_in, rename_refs


def build_versions(b, v0, versions_src, header_fields):
    """x-mock-versions: merge patches on components.schemas per API version."""
    out = OrderedDict()
    out["2026-10-21"] = {}
    g0 = v0["groups"]["anthropic"]
    defs0 = g0["defs"]
    patch = OrderedDict()
    pairs = [
        ("MessageCreateParams", "MessageCreateParamsNonStreaming"),
        ("BatchMessageCreateParams", "MessageCreateParamsNonStreaming"),
        ("MessageCountTokensParams", "MessageCountTokensParams"),
    ]
    bounds = versions_src["2023-06-01"]["field_bounds"]
    for ours, theirs in pairs:
        old = defs0[theirs]["properties"]
        new = b.schemas[ours]["properties"]
        add = OrderedDict()
        for f in sorted(old):
            if f in new or f in header_fields:
                continue
            s = clean(old[f])
            s = rename_refs(s, {n: (n[4:] if n.startswith("Beta") else n) for n in defs0})
            for r in refs_in(s):
                if r not in b.schemas:
                    raise SystemExit(f"version patch needs schema {r} that the 2.14 SDK lacks")
            if f in bounds:
                s = merge_patch(s, bounds[f])
            add[f] = s
        if add:
            patch[ours] = {"properties": add}
    for n, p in relaxations_from_sdk_diff(b, v0, versions_src["2023-06-01"]["reviewed"]).items():
        patch[n] = merge_patch(patch.get(n, {}), p)
    # relax the 2026-10-21-only content rules
    for n, p in versions_src["2023-06-01"]["schema_patches"].items():
        patch[n] = merge_patch(patch.get(n, {}), p)
    out["2023-06-01"] = patch
    return out


def relaxations_from_sdk_diff(b, v0, reviewed_names):
    """Nested request fields the 0.x types have and the 2.x types dropped, and fields the 2.x types made
    required: 2023-06-01 still accepts them (top-level fields are handled by build_versions)."""
    defs0 = v0["groups"]["anthropic"]["defs"]
    names0 = {n: b.v2names.get(n, n[4:] if n.startswith("Beta") else n) for n in defs0}
    patch = OrderedDict()
    diffs = request_differences(v0, b.v2)
    reviewed = {name for names in reviewed_names.values() for name in names}
    unreviewed = [d.describe() for d in diffs if d.kind in ("only-v2", "changed", "required-v0")
                  and f"{d.definition}.{d.field}" not in reviewed]
    if unreviewed:
        raise SystemExit("review these request-type differences in openapi/src/versions.yaml:\n  "
                         + "\n  ".join(unreviewed))
    for diff in diffs:
        ours = b.v2names.get(diff.definition)
        if diff.definition in REQUEST_ROOTS or ours not in b.schemas or ours not in b.request_side:
            continue
        if diff.kind == "only-v0":
            field = rename_refs(clean(defs0[diff.definition]["properties"][diff.field]), names0)
            missing = refs_in(field) - set(b.schemas)
            if missing:
                raise SystemExit(f"2023-06-01 field {ours}.{diff.field} needs schemas the 2.x SDK lacks: {missing}")
            patch.setdefault(ours, {"properties": OrderedDict()})["properties"][diff.field] = field
        elif diff.kind == "required-v2":
            required = [f for f in b.schemas[ours].get("required", []) if f != diff.field]
            patch.setdefault(ours, {})["required"] = required
    return patch


def split_user_assistant(b):
    """Base (2026-10-21) rules: no `document` block in assistant turns; no non-empty `citations`
    on text blocks in user turns (directly or inside a search_result block)."""
    um = b.schemas["UserMessageParam"]
    am = b.schemas["AssistantMessageParam"]
    items = um["properties"]["content"]["anyOf"][1]["items"]
    assert canon(items) == canon(am["properties"]["content"]["anyOf"][1]["items"])
    b.schemas["ContentBlockParam"] = copy.deepcopy(items)
    members = items["anyOf"]
    user_members, asst_members = [], []
    for m in members:
        n = m["$ref"][len(REF):]
        if n == "TextBlockParam":
            user_members.append(ref("UserTextBlockParam"))
        elif n == "SearchResultBlockParam":
            user_members.append(ref("UserSearchResultBlockParam"))
        else:
            user_members.append(m)
        if n != "RequestDocumentBlockParam":
            asst_members.append(m)
    assert any(m["$ref"].endswith("/RequestDocumentBlockParam") for m in members), "document block not found"
    utb = copy.deepcopy(b.schemas["TextBlockParam"])
    utb["properties"]["citations"] = {"anyOf": [{"type": "array", "maxItems": 0}, {"type": "null"}]}
    b.schemas["UserTextBlockParam"] = utb
    usr = copy.deepcopy(b.schemas["SearchResultBlockParam"])
    assert usr["properties"]["content"]["items"] == ref("TextBlockParam"), usr["properties"]["content"]
    usr["properties"]["content"]["items"] = ref("UserTextBlockParam")
    b.schemas["UserSearchResultBlockParam"] = usr
    b.schemas["UserContentBlockParam"] = {"anyOf": user_members}
    b.schemas["AssistantContentBlockParam"] = {"anyOf": asst_members}
    um["properties"]["content"] = {"anyOf": [{"type": "string"}, {"type": "array", "items": ref("UserContentBlockParam")}]}
    am["properties"]["content"] = {
        "anyOf": [{"type": "string"}, {"type": "array", "items": ref("AssistantContentBlockParam")}]
    }
