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
import copy
import json
import os
import re
import subprocess
import sys
from collections import OrderedDict

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mockserver.spec.loader import merge_patch  # noqa: E402  (RFC 7386, the server's own)
from tools.version_diff import REQUEST_ROOTS, request_differences  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "openapi", "src")
OUT = os.path.join(ROOT, "openapi", "anthropic.yaml")
REF = "#/components/schemas/"

# --------------------------------------------------------------------------------------
# small helpers


def _root_names(roots) -> dict:
    """Definition name -> the root key that refers to it."""
    return {sch["$ref"].split("/")[-1]: key for key, sch in roots.items() if sch.get("$ref")}


def canon(o) -> str:
    return json.dumps(o, sort_keys=True, separators=(",", ":"))


def walk(o, fn):
    """Post-order rewrite: fn(node) -> node, applied to every dict."""
    if isinstance(o, dict):
        o = {k: walk(v, fn) for k, v in o.items()}
        return fn(o)
    if isinstance(o, list):
        return [walk(x, fn) for x in o]
    return o


def iter_dicts(o):
    if isinstance(o, dict):
        yield o
        for v in o.values():
            yield from iter_dicts(v)
    elif isinstance(o, list):
        for x in o:
            yield from iter_dicts(x)


def refs_in(o):
    out = set()
    for d in iter_dicts(o):
        r = d.get("$ref")
        if isinstance(r, str) and r.startswith(REF):
            out.add(r[len(REF):])
    return out


def ref(name):
    return {"$ref": REF + name}


def load_src(name):
    with open(os.path.join(SRC, name)) as f:
        return yaml.load(f, Loader=yaml.CSafeLoader)



def pascal(s):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[_\-]", s) if p)


# --------------------------------------------------------------------------------------
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
# Schema normalisation

DROP_KEYS = {"title", "description", "default", "examples"}


def is_model_def(s):
    """pydantic marks SDK response models (BaseModel, extra=allow) with additionalProperties: true."""
    return isinstance(s, dict) and s.get("additionalProperties") is True and "properties" in s


def clean(o):
    """Drop SDK annotation keywords (title/description/default/examples), never property *names*."""

    def rec(o, in_props=False):
        if isinstance(o, dict):
            out = {}
            for k, v in o.items():
                if not in_props and k in DROP_KEYS:
                    continue
                out[k] = rec(v, in_props=(k in ("properties", "$defs", "patternProperties") and not in_props))
            return out
        if isinstance(o, list):
            return [rec(x) for x in o]
        return o

    return rec(o)


def rename_refs(o, mapping, prefix="#/$defs/"):
    def fn(d):
        r = d.get("$ref")
        if isinstance(r, str) and r.startswith(prefix):
            n = r[len(prefix):]
            d = dict(d)
            d["$ref"] = REF + mapping.get(n, n)
        disc = d.get("discriminator")
        if isinstance(disc, dict) and "mapping" in disc:
            disc = dict(disc)
            disc["mapping"] = {
                k: (REF + mapping.get(v[len(prefix):], v[len(prefix):]) if v.startswith(prefix) else v)
                for k, v in disc["mapping"].items()
            }
            d["discriminator"] = disc
        return d

    return walk(o, fn)


def type_consts(s, prop="type"):
    """Discriminator values of an object schema's `prop` property ([] if not const)."""
    if not isinstance(s, dict):
        return []
    p = (s.get("properties") or {}).get(prop)
    if not isinstance(p, dict):
        return []
    if "const" in p:
        return [p["const"]]
    if isinstance(p.get("enum"), list) and all(isinstance(x, str) for x in p["enum"]):
        return list(p["enum"])
    return []


def type_required(s, prop="type"):
    return prop in (s.get("required") or [])


# --------------------------------------------------------------------------------------


class Builder:
    def __init__(self, v2, v0):
        self.v2 = v2
        self.v0 = v0
        self.schemas: dict[str, dict] = {}
        self.request_side: set[str] = set()
        self.notes: list[str] = []

    # ---- import the SDK groups -------------------------------------------------------

    def import_anthropic_v2(self):
        g = self.v2["groups"]["anthropic"]
        defs = g["defs"]
        roots = g["roots"]
        names = {}
        root_names = _root_names(roots)
        special = {
            "MessageCreateParamsNonStreaming": "BatchMessageCreateParams",
            "Request": "BatchRequestParam",
            "Delta": "MessageDeltaEventDelta",
            "InputSchemaTyped": "ToolInputSchemaParam",
        }
        taken = set()
        for n in sorted(defs):
            if n in special:
                new = special[n]
            elif n in root_names:
                new = root_names[n]
            else:
                new = n[4:] if n.startswith("Beta") and n[4:5].isupper() else n
                if new.startswith("Raw") and new.endswith("Event"):
                    new = new[3:]
            names[n] = new
        # resolve collisions deterministically: keep the original SDK name for the later one
        seen = {}
        for n in sorted(names):
            new = names[n]
            if new in seen:
                names[n] = n
                self.notes.append(f"name collision {new}: kept SDK name {n}")
            seen[names[n]] = n
        for n, s in defs.items():
            new = names[n]
            s = clean(s)
            s = rename_refs(s, names)
            self.schemas[new] = s
        # roots that are not plain refs become components named by their key
        for key, sch in roots.items():
            if "$ref" not in sch:
                self.schemas[key] = rename_refs(clean(sch), names)
        self.v2names = names
        # Merge streaming / non-streaming message params into one schema with `stream: boolean`.
        ns = copy.deepcopy(self.schemas["BatchMessageCreateParams"])
        ns["properties"]["stream"] = {"type": "boolean"}
        self.schemas["MessageCreateParams"] = ns
        self.schemas.pop("MessageCreateParamsStreaming", None)

    def import_openai(self):
        g = self.v2["groups"]["openai"]
        defs, roots = g["defs"], g["roots"]
        names = {}
        root_names = _root_names(roots)
        for n in sorted(defs):
            if n in root_names:
                base = root_names[n]
            elif "__" in n:
                parts = n.split("__")
                base = pascal(parts[-2]) + parts[-1]
            else:
                base = n
            if base.endswith("-Input"):
                base = base[: -len("-Input")] + "Param"
            elif base.endswith("-Output"):
                base = base[: -len("-Output")]
            names[n] = "OpenAI" + base
        assert len(set(names.values())) == len(names), "openai name collision"
        for n, s in defs.items():
            self.schemas[names[n]] = rename_refs(clean(s), names)
        ns = copy.deepcopy(self.schemas[names["CompletionCreateParamsNonStreaming"]])
        ns["properties"]["stream"] = {"anyOf": [{"type": "boolean"}, {"type": "null"}]}
        self.schemas["OpenAIChatCompletionCreateParams"] = ns
        for k in ("CompletionCreateParamsNonStreaming", "CompletionCreateParamsStreaming"):
            self.schemas.pop(names[k], None)
        self.openai_names = names

    def import_legacy_completions(self):
        g = self.v0["groups"]["anthropic"]
        defs, roots = g["defs"], g["roots"]
        keep = {"CompletionCreateParamsNonStreaming", "Completion"}
        # closure of the completion roots
        closure, todo = set(), list(keep)
        while todo:
            n = todo.pop()
            if n in closure:
                continue
            closure.add(n)
            for d in iter_dicts(defs[n]):
                r = d.get("$ref")
                if r and r.startswith("#/$defs/"):
                    todo.append(r.split("/")[-1])
        names = {}
        for n in sorted(closure):
            base = n[4:] if n.startswith("Beta") else n
            if n == "CompletionCreateParamsNonStreaming":
                base = "CompletionCreateParams"
            cand = clean(defs[n])
            if base in self.schemas and canon(self.schemas[base]) != canon(rename_refs(cand, {})) and n not in (
                "Completion",
                "CompletionCreateParamsNonStreaming",
            ):
                base = "Legacy" + base
            names[n] = base
        for n in closure:
            s = rename_refs(clean(defs[n]), names)
            if n == "CompletionCreateParamsNonStreaming":
                s["properties"]["stream"] = {"type": "boolean"}
            self.schemas[names[n]] = s
        self.legacy_names = names

    # ---- request / response handling ------------------------------------------------

    def reachable(self, roots):
        seen, todo = set(), list(roots)
        while todo:
            n = todo.pop()
            if n in seen or n not in self.schemas:
                continue
            seen.add(n)
            todo.extend(refs_in(self.schemas[n]))
        return seen

    def fix_request_side(self, request_roots, open_schemas):
        """Drop response-model members from request unions, close request objects."""
        # 1. drop response models from request unions when a param twin (same type const) exists
        for _ in range(3):
            req = self.reachable(request_roots)
            for n in sorted(req):
                s = self.schemas[n]
                if is_model_def(s):
                    continue
                self.schemas[n] = walk(s, self._drop_model_members)
        req = self.reachable(request_roots)
        leftovers = sorted(n for n in req if is_model_def(self.schemas[n]))
        # response models still reachable from a request: treat them as request objects (closed)
        if leftovers:
            self.notes.append("response models used in requests (closed as request objects): " + ", ".join(leftovers))
        for n in sorted(req):
            s = self.schemas[n]
            if n in open_schemas:
                if s.get("additionalProperties") is True:
                    pass
                else:
                    s["additionalProperties"] = True
                continue
            self.schemas[n] = self._close(s)
        self.request_side = req

    def _drop_model_members(self, d):
        for key in ("anyOf", "oneOf"):
            members = d.get(key)
            if not isinstance(members, list):
                continue
            param_types = set()
            for m in members:
                r = m.get("$ref", "")
                if r.startswith(REF):
                    t = self.schemas.get(r[len(REF):])
                    if t is not None and not is_model_def(t):
                        param_types.update(type_consts(t))
            keep = []
            for m in members:
                r = m.get("$ref", "")
                if r.startswith(REF):
                    t = self.schemas.get(r[len(REF):])
                    if t is not None and is_model_def(t):
                        tc = type_consts(t)
                        if tc and set(tc) <= param_types:
                            continue
                        if not tc and r[len(REF):] + "Param" in {x.get("$ref", "")[len(REF):] for x in members}:
                            continue
                keep.append(m)
            if len(keep) != len(members):
                d = dict(d)
                d[key] = keep
        return d

    @staticmethod
    def _close(s):
        def fn(d):
            if d.get("type") == "object" and "properties" in d and "additionalProperties" not in d:
                d = dict(d)
                d["additionalProperties"] = False
            elif d.get("additionalProperties") is True and "properties" in d:
                d = dict(d)
                d["additionalProperties"] = False
            return d

        # only the top level and inline objects (refs are handled per schema)
        return walk(s, fn)

    def open_response_models(self):
        for n, s in self.schemas.items():
            if n in self.request_side:
                continue

            def fn(d):
                if d.get("additionalProperties") is True and "properties" in d:
                    d = dict(d)
                    d.pop("additionalProperties")
                return d

            self.schemas[n] = walk(s, fn)

    # ---- unions ---------------------------------------------------------------------

    def add_discriminators(self):
        def fn(d):
            for key in ("oneOf", "anyOf"):
                members = d.get(key)
                if not isinstance(members, list) or len(members) < 2:
                    continue
                nulls = [m for m in members if m == {"type": "null"}]
                objs = [m for m in members if m != {"type": "null"}]
                if not objs or not all("$ref" in m and len(m) == 1 for m in objs):
                    continue
                found = None
                for prop in ("type", "role"):
                    mapping = {}
                    ok = True
                    n_const = 0
                    for m in objs:
                        t = self.schemas.get(m["$ref"][len(REF):])
                        if t is None or t.get("type") != "object":
                            ok = False
                            break
                        tcs = type_consts(t, prop)
                        if tcs and type_required(t, prop):
                            n_const += 1
                        for v in tcs:
                            if v in mapping and mapping[v] != m["$ref"]:
                                ok = False
                            mapping[v] = m["$ref"]
                    if ok and n_const >= max(1, len(objs) - 1) and len(objs) >= 2:
                        found = (prop, mapping)
                        break
                if not found:
                    continue
                prop, mapping = found
                union = {"anyOf": objs, "discriminator": {"propertyName": prop, "mapping": dict(sorted(mapping.items()))}}
                rest = {k: v for k, v in d.items() if k not in ("oneOf", "anyOf", "discriminator")}
                if nulls:
                    rest["anyOf"] = [union, {"type": "null"}]
                else:
                    rest.update(union)
                return rest
            return d

        for n in sorted(self.schemas):
            self.schemas[n] = walk(self.schemas[n], fn)

    def hoist(self, name, owner, pointer):
        """Move the sub-schema at owner/pointer into components as `name` (and reuse everywhere identical)."""
        node = self.schemas[owner]
        parts = [p for p in pointer.split("/") if p]
        parent = None
        for p in parts:
            parent = node
            node = node[int(p)] if isinstance(node, list) else node[p]
        sub = copy.deepcopy(node)
        key = canon(sub)
        self.schemas[name] = sub

        def fn(d):
            if canon(d) == key:
                return ref(name)
            return d

        for n in sorted(self.schemas):
            if n == name:
                continue
            self.schemas[n] = walk(self.schemas[n], fn)

    # ---- dedupe ---------------------------------------------------------------------

    @staticmethod
    def _family(name):
        """Names that denote the same SDK concept (FooParam / FooParamParam, OpenAI -Input/-Output twins)."""
        n = name
        while n.endswith("Param"):
            n = n[: -len("Param")]
        return n

    def dedupe(self, protect):
        """Merge identical definitions of the same concept (never unrelated look-alikes)."""
        while True:
            by = {}
            for n in sorted(self.schemas):
                by.setdefault((canon(self.schemas[n]), self._family(n)), []).append(n)
            mapping = {}
            for names in by.values():
                if len(names) < 2:
                    continue
                keepers = [n for n in names if n in protect]
                if len(keepers) > 1:
                    continue
                keep = keepers[0] if keepers else sorted(names, key=lambda x: (len(x), x))[0]
                for n in names:
                    if n != keep and n not in protect:
                        mapping[n] = keep
            if not mapping:
                return
            for n in mapping:
                del self.schemas[n]
            for n in list(self.schemas):
                self.schemas[n] = rename_refs(self.schemas[n], mapping, prefix=REF)
            self.dedupe_map = getattr(self, "dedupe_map", {})
            self.dedupe_map.update(mapping)


# --------------------------------------------------------------------------------------
# Operations


def query_params_from(schema, drop, rename_arrays=True, overrides=None):
    out = []
    props = schema.get("properties", {})
    req = set(schema.get("required", []))
    overrides = overrides or {}
    for name in sorted(props):
        if name in drop:
            continue
        s = copy.deepcopy(props[name])
        if "anyOf" in s:
            alts = [a for a in s["anyOf"] if a != {"type": "null"}]
            # date-time accepted as string: collapse string alternatives
            if len(alts) == 1:
                s = alts[0]
            elif all(a.get("type") == "string" and set(a) <= {"type", "format"} for a in alts):
                fmt = [a.get("format") for a in alts if a.get("format")]
                s = {"type": "string"}
                if fmt:
                    s["format"] = fmt[0]
            elif len(alts) == 1:
                s = alts[0]
            else:
                s = {"anyOf": alts}
        is_array = s.get("type") == "array"
        pname = name + "[]" if (is_array and rename_arrays) else name
        p = {"name": pname, "in": "query", "required": name in req, "schema": s}
        if is_array:
            p["style"] = "form"
            p["explode"] = True
        ov = overrides.get(name) or overrides.get(pname)
        if ov:
            p = merge_patch(p, ov)
        out.append(p)
    return out


# Request bodies of the beta admin operations (compliance review, Claude Code managed settings,
# external storage, Google data controls).
BETA_ADMIN_BODIES = (
    "ComplianceReviewCaseRespondParams", "ClaudeCodeManagedSettingsConfigurationUpdateParams",
    "ClaudeCodeRBACGroupDefaultUpdateParams", "ClaudeCodeRBACGroupSetParams", "ExternalStorageCreateParams",
    "ExternalStorageUpdateParams", "GoogleProjectDataControlUpdateParams", "GoogleUserProfileDataControlUpdateParams",
)


def build(args):
    v2, v0 = get_dumps(args)
    b = Builder(v2, v0)
    b.import_anthropic_v2()
    b.import_openai()
    b.import_legacy_completions()

    head = load_src("head.yaml")
    comps = load_src("components.yaml")
    ops_src = load_src("operations.yaml")
    examples = load_src("examples.yaml")
    overlay = load_src("overlay.yaml")
    versions_src = load_src("versions.yaml")

    # hand-written schemas go in first so SDK-derived ones can reference them
    for n, s in comps.get("schemas", {}).items():
        b.schemas[n] = s

    # ---- pull list-params TypedDicts out (they become query parameters) --------------
    list_params = {}
    for n in list(b.schemas):
        if n.endswith("ListParams"):
            list_params[n] = b.schemas.pop(n)

    # ---- request-side fixes -----------------------------------------------------------
    request_roots = sorted(
        {
            "MessageCreateParams",
            "BatchMessageCreateParams",
            "MessageCountTokensParams",
            "BatchCreateParams",
            "CompletionCreateParams",
            "APIKeyUpdateParams",
            "UserUpdateParams",
            "InviteCreateParams",
            "WorkspaceCreateParams",
            "WorkspaceUpdateParams",
            "WorkspaceMemberCreateParams",
            "WorkspaceMemberUpdateParams",
            *BETA_ADMIN_BODIES,
        }
    )
    # strip SDK pseudo-fields that are really headers
    for n in ("MessageCreateParams", "BatchMessageCreateParams", "MessageCountTokensParams", "BatchCreateParams"):
        for f in ("betas", "user_profile_id", "workspace_id"):
            b.schemas[n]["properties"].pop(f, None)
    for n in ("CompletionCreateParams", *BETA_ADMIN_BODIES):
        b.schemas[n]["properties"].pop("betas", None)
    b.schemas["GoogleUserProfileDataControlUpdateParams"]["properties"].pop("workspace_id")  # a header

    open_schemas = {"ToolInputSchemaParam"}
    b.fix_request_side(request_roots, open_schemas)
    b.open_response_models()
    # chat completions request ignores unknown OpenAI fields: keep those open (SDK models are open too)

    # ---- user / assistant content split (2026-10-21 rules) ----------------------------
    split_user_assistant(b)

    # ---- overlays (our own constraints) ------------------------------------------------
    for n, patch in (overlay or {}).items():
        if n not in b.schemas:
            raise SystemExit(f"overlay for unknown schema {n}")
        b.schemas[n] = merge_patch(b.schemas[n], patch)

    b.add_discriminators()

    # ---- friendly names for important unions --------------------------------------------
    hoists = [
        ("MessageParam", "MessageCreateParams", "properties/messages/items"),
        ("ContentBlock", "Message", "properties/content/items"),
        ("ToolUnionParam", "MessageCreateParams", "properties/tools/items"),
        ("ToolChoiceParam", "MessageCreateParams", "properties/tool_choice"),
        ("ThinkingConfigParam", "MessageCreateParams", "properties/thinking"),
        ("ContentBlockDelta", "ContentBlockDeltaEvent", "properties/delta"),
        ("MessageBatchResult", "MessageBatchIndividualResponse", "properties/result"),
        ("CitationParam", "TextBlockParam", "properties/citations/anyOf/0/items"),
        ("Citation", "TextBlock", "properties/citations/anyOf/0/items"),
    ]
    for name, owner, ptr in hoists:
        b.hoist(name, owner, ptr)

    # stream events: SDK union + ping + error
    ev = b.schemas["MessageStreamEvent"]
    members = ev.get("anyOf") or ev.get("oneOf")
    members = members + [ref("PingEvent"), ref("ErrorEvent")]
    b.schemas["MessageStreamEvent"] = {"anyOf": members}
    b.add_discriminators()

    # ---- our own short descriptions on important schemas ------------------------------
    for n, text in sorted(load_src("descriptions.yaml").items()):
        if n not in b.schemas:
            raise SystemExit(f"description for unknown schema {n}")
        b.schemas[n] = dict([("description", text)] + [(k, v) for k, v in b.schemas[n].items() if k != "description"])

    # ---- assemble paths ----------------------------------------------------------------
    spec = OrderedDict()
    spec.update(head)
    paths = OrderedDict()
    components = OrderedDict()
    components["securitySchemes"] = comps["securitySchemes"]
    components["parameters"] = comps["parameters"]
    components["headers"] = comps["headers"]
    components["responses"] = comps["responses"]
    components["examples"] = None  # not used

    for op in ops_src["operations"]:
        path, method = op["path"], op["method"]
        o = OrderedDict()
        o["operationId"] = op["id"]
        o["summary"] = op["summary"]
        if op.get("description"):
            o["description"] = op["description"]
        o["tags"] = [op["tag"]]
        params = []
        for pp in re.findall(r"{([^}]+)}", path):
            params.append({"name": pp, "in": "path", "required": True, "schema": {"type": "string"}})
        params.append({"$ref": "#/components/parameters/" + op.get("version_param", "AnthropicVersion")})
        params.append({"$ref": "#/components/parameters/AnthropicBeta"})
        for h in op.get("headers", []):
            params.append({"$ref": "#/components/parameters/" + h})
        params.append({"$ref": "#/components/parameters/BetaQuery"})
        if op.get("query_from"):
            lp = list_params[op["query_from"]]
            params.extend(
                query_params_from(lp, set(op.get("query_drop", [])) | {"betas"}, overrides=op.get("query_overrides"))
            )
        for q in op.get("query", []):
            params.append(q)
        o["parameters"] = params
        if op.get("body"):
            body = op["body"]
            if body["type"] == "json":
                o["requestBody"] = {
                    "required": body.get("required", True),
                    "content": {"application/json": {"schema": ref(body["schema"])}},
                }
            else:
                o["requestBody"] = {"required": True, "content": {"multipart/form-data": body["multipart"]}}
        # responses
        resp = OrderedDict()
        ok = OrderedDict()
        ok["description"] = op.get("ok_description", "Success.")
        ok["headers"] = ok_headers(op)
        content = OrderedDict()
        for mt, m in op["ok"].items():
            entry = OrderedDict()
            entry["schema"] = m["schema"] if isinstance(m["schema"], dict) else ref(m["schema"])
            ex = examples[m["example"]]
            entry["example"] = ex
            content[mt] = entry
        if op.get("beta_responses"):
            # shape that replaces the JSON body when the request carries the given beta header
            variants = OrderedDict()
            for beta_name, v in sorted(op["beta_responses"].items()):
                variants[beta_name] = OrderedDict(
                    [("schema", ref(v["schema"])), ("example", examples[v["example"]])]
                )
            content["application/json"]["x-mock-beta-responses"] = variants
        ok["content"] = content
        if op.get("links"):
            ok["links"] = op["links"]
        resp["200"] = ok
        err_set = op.get("errors_kind", "anthropic")
        for code in ("400", "401", "402", "403", "404", "409", "413", "429", "500", "504", "529"):
            if err_set == "openai":
                resp[code] = {"$ref": f"#/components/responses/OpenAI{code}"}
            else:
                resp[code] = {"$ref": f"#/components/responses/Error{code}"}
        o["responses"] = resp
        for k, v in sorted(op.get("x", {}).items()):
            o[k] = v
        if path.startswith("/v1/organizations/"):
            o["x-mock-auth"] = "admin"
        if "x-mock-max-body-bytes" not in o and method in ("post", "put", "patch"):
            o["x-mock-max-body-bytes"] = 33554432
        paths.setdefault(path, OrderedDict())[method] = o

    # ---- beta-only body fields ---------------------------------------------------------
    beta_fields = compute_beta_fields(v2, v0, ops_src["beta_field_betas"])
    for path, methods in paths.items():
        for m, o in methods.items():
            if o["operationId"] == "messages_create":
                o["x-mock-beta-fields"] = beta_fields["create"]
            elif o["operationId"] == "messages_count_tokens":
                o["x-mock-beta-fields"] = beta_fields["count_tokens"]
            elif o["operationId"] == "batches_create":
                o["x-mock-beta-fields"] = beta_fields["create"]

    spec["paths"] = paths

    # ---- every beta name the mock accepts ------------------------------------------------
    known = set(v2.get("betas", [])) | set(v0.get("betas", [])) | set(ops_src.get("extra_known_betas", []))
    for names in ops_src["beta_field_betas"].values():
        known |= set(names)
    for methods in paths.values():
        for o in methods.values():
            if o.get("x-mock-beta"):
                known.add(o["x-mock-beta"])
    spec["x-mock-known-betas"] = sorted(known)

    # ---- version patches ---------------------------------------------------------------
    versions = build_versions(b, v0, versions_src)

    # ---- prune + dedupe ----------------------------------------------------------------
    used = set()
    for d in iter_dicts(paths):
        r = d.get("$ref")
        if isinstance(r, str) and r.startswith(REF):
            used.add(r[len(REF):])
    for d in iter_dicts(comps["responses"]):
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
    protect = set(used)
    b.dedupe(protect)
    # version patches may reference deduped names
    dm = getattr(b, "dedupe_map", {})
    if dm:
        versions = {k: rename_refs(v, dm, prefix=REF) for k, v in versions.items()}

    components["schemas"] = OrderedDict((n, b.schemas[n]) for n in sorted(b.schemas))
    del components["examples"]
    spec["components"] = components
    spec["x-mock-versions"] = versions
    # `error.details.error_code` values the SDK raises typed errors for, with their status
    spec["x-mock-error-codes"] = OrderedDict((code, status) for status, code in sorted(v2.get("error_codes", []),
                                                                                   key=lambda p: p[1]))
    spec["x-generated"] = {
        "by": "tools/build_spec.py",
        "sdk": {"anthropic": v2["sdk"]["anthropic"], "anthropic_legacy": v0["sdk"]["anthropic"], "openai": v2["sdk"]["openai"]},
    }
    return spec, b


def ok_headers(op):
    h = OrderedDict()
    h["request-id"] = {"$ref": "#/components/headers/RequestId"}
    h["anthropic-organization-id"] = {"$ref": "#/components/headers/OrganizationId"}
    if op.get("ratelimit_headers"):
        for kind in ("Requests", "Tokens", "InputTokens", "OutputTokens"):
            for part in ("Limit", "Remaining", "Reset"):
                hn = "anthropic-ratelimit-" + re.sub(r"(?<!^)([A-Z])", r"-\1", kind).lower() + "-" + part.lower()
                h[hn] = {"$ref": f"#/components/headers/RateLimit{kind}{part}"}
    return h


def compute_beta_fields(v2, v0, betas_for):
    f2, f0 = v2["fields"], v0["fields"]
    out = {}
    for kind, beta_key, ga_key in (
        ("create", "beta.MessageCreateParams", "MessageCreateParams"),
        ("count_tokens", "beta.MessageCountTokensParams", "MessageCountTokensParams"),
    ):
        beta = set(f2[beta_key]["all"]) | set(f0[beta_key]["all"])
        ga = set(f2[ga_key]["all"]) | set(f0[ga_key]["all"])
        only = sorted(beta - ga - {"betas", "user_profile_id", "workspace_id"})
        m = OrderedDict()
        for f in only:
            if f not in betas_for:
                raise SystemExit(f"no beta name known for beta-only field {f}")
            m[f] = betas_for[f]
        out[kind] = m
    return out


def build_versions(b, v0, versions_src):
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
            if f in new or f in ("betas", "user_profile_id", "workspace_id"):
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


# --------------------------------------------------------------------------------------
# YAML output (block style, stable order)


class _Dumper(yaml.CSafeDumper if hasattr(yaml, "CSafeDumper") else yaml.SafeDumper):
    pass


def _repr_od(d, data):
    return d.represent_mapping("tag:yaml.org,2002:map", data.items())


def _repr_str(d, data):
    if "\n" in data:
        return d.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return d.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(OrderedDict, _repr_od)
_Dumper.add_representer(str, _repr_str)


def to_plain(o):
    if isinstance(o, OrderedDict):
        return OrderedDict((k, to_plain(v)) for k, v in o.items())
    if isinstance(o, dict):
        return OrderedDict((k, to_plain(v)) for k, v in o.items())
    if isinstance(o, list):
        return [to_plain(x) for x in o]
    return o


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--py2", default=os.environ.get("SPEC_PY_V2", "/tmp/spec-v2/bin/python"))
    ap.add_argument("--py0", default=os.environ.get("SPEC_PY_V0", "/tmp/spec-v0/bin/python"))
    ap.add_argument("--dump-dir", default=None, help="cache directory for the SDK schema dumps")
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--notes", action="store_true")
    args = ap.parse_args()
    spec, b = build(args)
    text = yaml.dump(to_plain(spec), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=1000)
    header = (
        "# GENERATED by tools/build_spec.py from the official SDK type definitions and openapi/src/*.yaml.\n"
        "# Do not edit by hand: edit openapi/src/ and rerun the generator.\n"
    )
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        f.write(header + text)
    os.replace(tmp, args.out)
    if args.notes:
        for n in b.notes:
            print("note:", n, file=sys.stderr)
    print(f"wrote {args.out}: {len(text)} bytes, {len(spec['components']['schemas'])} schemas", file=sys.stderr)


if __name__ == "__main__":
    main()
