"""The schema table built from the SDK dumps: import, request-side closing, discriminators, hoists, dedupe."""

from __future__ import annotations

import copy

from .schemas import (REF, _root_names, canon, clean, is_model_def, iter_dicts, pascal, ref, refs_in, rename_refs,
                      type_consts, type_required, walk)


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
        defs = g["defs"]
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
        for p in parts:
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
