"""Small helpers over JSON Schema trees: walking, $ref names, and the SDK dumps' clean-up."""

from __future__ import annotations

import json
import re

REF = "#/components/schemas/"

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


def pascal(s):
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[_\-]", s) if p)


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

