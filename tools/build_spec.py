#!/usr/bin/env python3
"""Build ``openapi/anthropic.yaml`` (OpenAPI 3.1) for the mock server.

Inputs
  * JSON Schemas of the official SDK types, dumped by ``tools/sdk_dump.py``
    inside two throwaway venvs (anthropic 2.14.0 + openai, and anthropic 0.125.0).
  * Hand-written parts in ``openapi/src/*.yaml`` (our own words): document head,
    shared components, operations, examples, schema overlays, version patches.

Usage
    python3 tools/build_spec.py --py2 /tmp/spec-v2/bin/python --py0 /tmp/spec-v0/bin/python
    python3 tools/build_spec.py --dump-dir /tmp/specbuild      # reuse v2.json / v0.json dumps

The output is deterministic for a given pair of SDK versions.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import OrderedDict

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mockserver.spec.loader import merge_patch  # noqa: E402  (RFC 7386, the server's own)
from tools.specbuild.builder import Builder  # noqa: E402
from tools.specbuild.operations import build_operation, compute_beta_fields  # noqa: E402
from tools.specbuild.output import write_spec  # noqa: E402
from tools.specbuild.schemas import REF, iter_dicts, ref, refs_in, rename_refs  # noqa: E402
from tools.specbuild.surface import Surface, add_surface_paths  # noqa: E402
from tools.specbuild.versions import build_versions, split_user_assistant  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "openapi", "src")
OUT = os.path.join(ROOT, "openapi", "anthropic.yaml")

# Request bodies of the beta admin operations (compliance review, Claude Code managed settings,
# external storage, Google data controls).
BETA_ADMIN_BODIES = (
    "ComplianceReviewCaseRespondParams", "ClaudeCodeManagedSettingsConfigurationUpdateParams",
    "ClaudeCodeRBACGroupDefaultUpdateParams", "ClaudeCodeRBACGroupSetParams", "ExternalStorageCreateParams",
    "ExternalStorageUpdateParams", "GoogleProjectDataControlUpdateParams", "GoogleUserProfileDataControlUpdateParams",
)
REQUEST_ROOTS = tuple(sorted({
    "MessageCreateParams", "BatchMessageCreateParams", "MessageCountTokensParams", "BatchCreateParams",
    "CompletionCreateParams", "APIKeyUpdateParams", "UserUpdateParams", "InviteCreateParams", "WorkspaceCreateParams",
    "WorkspaceUpdateParams", "WorkspaceMemberCreateParams", "WorkspaceMemberUpdateParams", *BETA_ADMIN_BODIES,
}))
# Friendly names for important unions: (name, owner schema, pointer inside it).
HOISTS = (
    ("MessageParam", "MessageCreateParams", "properties/messages/items"),
    ("ContentBlock", "Message", "properties/content/items"),
    ("ToolUnionParam", "MessageCreateParams", "properties/tools/items"),
    ("ToolChoiceParam", "MessageCreateParams", "properties/tool_choice"),
    ("ThinkingConfigParam", "MessageCreateParams", "properties/thinking"),
    ("ContentBlockDelta", "ContentBlockDeltaEvent", "properties/delta"),
    ("MessageBatchResult", "MessageBatchIndividualResponse", "properties/result"),
    ("CitationParam", "TextBlockParam", "properties/citations/anyOf/0/items"),
    ("Citation", "TextBlock", "properties/citations/anyOf/0/items"),
)
# Operations whose request bodies accept the beta-only Messages fields: operationId -> dump kind.
BETA_FIELD_OPERATIONS = {"messages_create": "create", "messages_count_tokens": "count_tokens",
                         "batches_create": "create"}


def load_src(name):
    with open(os.path.join(SRC, name)) as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)


# SDK dumps


def get_dumps(args):
    if args.dump_dir and os.path.exists(os.path.join(args.dump_dir, "v2.json")):
        with open(os.path.join(args.dump_dir, "v2.json")) as f:
            v2 = json.load(f)
        with open(os.path.join(args.dump_dir, "v0.json")) as f:
            v0 = json.load(f)
        return v2, v0
    dumper = os.path.join(ROOT, "tools", "sdk_dump.py")
    v2 = json.loads(subprocess.run([args.py2, dumper, "v2"], check=True, capture_output=True, text=True).stdout)
    v0 = json.loads(subprocess.run([args.py0, dumper, "v0"], check=True, capture_output=True, text=True).stdout)
    if args.dump_dir:
        os.makedirs(args.dump_dir, exist_ok=True)
        with open(os.path.join(args.dump_dir, "v2.json"), "w") as f:
            json.dump(v2, f, sort_keys=True)
        with open(os.path.join(args.dump_dir, "v0.json"), "w") as f:
            json.dump(v0, f, sort_keys=True)
    return v2, v0



# --------------------------------------------------------------------------------------
# the build, step by step


def get_routes(args):
    """The SDK's resource methods (tools/sdk_routes.py), cached in the dump directory like the schemas."""
    cached = os.path.join(args.dump_dir or "", "routes.json")
    if args.dump_dir and os.path.exists(cached):
        with open(cached) as f:
            return json.load(f)
    script = os.path.join(ROOT, "tools", "sdk_routes.py")
    routes = json.loads(subprocess.run([args.py2, script], check=True, capture_output=True, text=True).stdout)
    if args.dump_dir:
        with open(cached, "w") as f:
            json.dump(routes, f, sort_keys=True)
    return routes


def build(args):
    v2, v0 = get_dumps(args)
    src = {name: load_src(f"{name}.yaml") for name in
           ("head", "components", "operations", "examples", "overlay", "versions", "descriptions")}
    facts = src["operations"]["api_facts"]
    add_hand_written_extras(src, load_src("oauth.yaml"))
    b = import_sdk_schemas(v2, v0, src["components"])
    surface = Surface(b, get_routes(args))
    list_params = take_list_params(b)
    shape_request_side(b, facts["header_fields"])
    apply_our_schema_words(b, src["overlay"], src["descriptions"])
    paths = build_paths(src, facts, list_params)
    add_surface_paths(paths, surface, facts)
    add_beta_fields(paths, compute_beta_fields(v2, v0, src["operations"]["beta_field_betas"],
                                               facts["header_fields"]["MessageCreateParams"]))
    versions = build_versions(b, v0, src["versions"], facts["header_fields"]["MessageCreateParams"])
    versions = prune_schemas(b, paths, src["components"]["responses"], versions)
    return assemble(src, paths, b, versions, known_betas(v2, v0, src["operations"], paths), facts), b


def add_hand_written_extras(src, extra):
    """A source file of its own (operations, their schemas and examples) joins the main sources."""
    src["operations"]["operations"] = src["operations"]["operations"] + extra["operations"]
    src["examples"] = {**src["examples"], **extra["examples"]}
    src["components"]["schemas"] = {**src["components"].get("schemas", {}), **extra["schemas"]}


def import_sdk_schemas(v2, v0, comps):
    b = Builder(v2, v0)
    b.import_anthropic_v2()
    b.import_openai()
    b.import_legacy_completions()
    # hand-written schemas go in first so SDK-derived ones can reference them
    for n, s in comps.get("schemas", {}).items():
        b.schemas[n] = s
    return b


def take_list_params(b):
    """The SDK's *ListParams TypedDicts leave the schemas: they become query parameters."""
    return {n: b.schemas.pop(n) for n in list(b.schemas) if n.endswith("ListParams")}


def shape_request_side(b, header_fields):
    """Drop SDK pseudo-fields that are really headers, close request schemas, split user/assistant content."""
    for n, fields in header_fields.items():
        for f in fields:
            b.schemas[n]["properties"].pop(f, None)
    b.fix_request_side(REQUEST_ROOTS, {"ToolInputSchemaParam"})
    b.open_response_models()
    # chat completions request ignores unknown OpenAI fields: keep those open (SDK models are open too)
    split_user_assistant(b)


def apply_our_schema_words(b, overlay, descriptions):
    """Our overlays, friendly union names, the full stream-event union and our short descriptions."""
    for n, patch in (overlay or {}).items():
        if n not in b.schemas:
            raise SystemExit(f"overlay for unknown schema {n}")
        b.schemas[n] = merge_patch(b.schemas[n], patch)
    b.add_discriminators()
    for name, owner, ptr in HOISTS:
        b.hoist(name, owner, ptr)
    ev = b.schemas["MessageStreamEvent"]  # stream events: SDK union + ping + error
    b.schemas["MessageStreamEvent"] = {"anyOf": (ev.get("anyOf") or ev.get("oneOf")) + [ref("PingEvent"),
                                                                                      ref("ErrorEvent")]}
    b.add_discriminators()
    for n, text in sorted(descriptions.items()):
        if n not in b.schemas:
            raise SystemExit(f"description for unknown schema {n}")
        b.schemas[n] = dict([("description", text)] + [(k, v) for k, v in b.schemas[n].items() if k != "description"])


def build_paths(src, facts, list_params):
    paths = OrderedDict()
    for op in src["operations"]["operations"]:
        o = build_operation(op, facts, list_params, src["examples"])
        paths.setdefault(op["path"], OrderedDict())[op["method"]] = o
    return paths


def add_beta_fields(paths, beta_fields):
    for methods in paths.values():
        for o in methods.values():
            kind = BETA_FIELD_OPERATIONS.get(o["operationId"])
            if kind:
                o["x-mock-beta-fields"] = beta_fields[kind]


def known_betas(v2, v0, ops_src, paths):
    """Every beta name the mock accepts."""
    known = set(v2.get("betas", [])) | set(v0.get("betas", [])) | set(ops_src.get("extra_known_betas", []))
    for names in ops_src["beta_field_betas"].values():
        known |= set(names)
    for methods in paths.values():
        for o in methods.values():
            if o.get("x-mock-beta"):
                known.add(o["x-mock-beta"])
    return sorted(known)


def prune_schemas(b, paths, responses, versions):
    """Keep the schemas something refers to, merge duplicates; returns the versions with renamed refs."""
    used = set()
    for d in (*iter_dicts(paths), *iter_dicts(responses)):
        r = d.get("$ref")
        if isinstance(r, str) and r.startswith(REF):
            used.add(r[len(REF):])
    for patch in versions.values():
        used |= set(patch.keys())
        used |= refs_in(patch)
    keep = b.reachable(used)
    for n in list(b.schemas):
        if n not in keep:
            del b.schemas[n]
    b.dedupe(set(used))
    dm = getattr(b, "dedupe_map", {})  # version patches may reference deduped names
    return {k: rename_refs(v, dm, prefix=REF) for k, v in versions.items()} if dm else versions


def assemble(src, paths, b, versions, known, facts):
    comps = src["components"]
    spec = OrderedDict(src["head"])
    spec["paths"] = paths
    spec["x-mock-known-betas"] = known
    spec["components"] = OrderedDict((key, comps[key]) for key in
                                     ("securitySchemes", "parameters", "headers", "responses"))
    spec["components"]["schemas"] = OrderedDict((n, b.schemas[n]) for n in sorted(b.schemas))
    spec["x-mock-versions"] = versions
    # `error.details.error_code` values the SDK raises typed errors for, with their status
    spec["x-mock-error-codes"] = OrderedDict((code, status) for status, code in sorted(b.v2.get("error_codes", []),
                                                                                   key=lambda p: p[1]))
    spec["x-mock-max-body-bytes"] = facts["max_body_bytes"]
    spec["x-generated"] = {
        "by": "tools/build_spec.py",
        "sdk": {"anthropic": b.v2["sdk"]["anthropic"], "anthropic_legacy": b.v0["sdk"]["anthropic"],
                "openai": b.v2["sdk"]["openai"]},
    }
    return spec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--py2", default=os.environ.get("SPEC_PY_V2", "/tmp/spec-v2/bin/python"))
    ap.add_argument("--py0", default=os.environ.get("SPEC_PY_V0", "/tmp/spec-v0/bin/python"))
    ap.add_argument("--dump-dir", default=None, help="cache directory for the SDK schema dumps")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--notes", action="store_true")
    args = ap.parse_args()
    spec, b = build(args)
    size = write_spec(spec, args.out)
    if args.notes:
        for n in b.notes:
            print("note:", n, file=sys.stderr)
    print(f"wrote {args.out}: {size} bytes, {len(spec['components']['schemas'])} schemas", file=sys.stderr)


if __name__ == "__main__":
    main()
