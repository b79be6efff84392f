"""One spec operation from its entry in openapi/src/operations.yaml."""

from __future__ import annotations

import copy
import re
from collections import OrderedDict

from mockserver.spec.loader import merge_patch

from .schemas import ref


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


def compute_beta_fields(v2, v0, betas_for, header_fields):
    f2, f0 = v2["fields"], v0["fields"]
    out = {}
    for kind, beta_key, ga_key in (
        ("create", "beta.MessageCreateParams", "MessageCreateParams"),
        ("count_tokens", "beta.MessageCountTokensParams", "MessageCountTokensParams"),
    ):
        beta = set(f2[beta_key]["all"]) | set(f0[beta_key]["all"])
        ga = set(f2[ga_key]["all"]) | set(f0[ga_key]["all"])
        only = sorted(beta - ga - set(header_fields))
        m = OrderedDict()
        for f in only:
            if f not in betas_for:
                raise SystemExit(f"no beta name known for beta-only field {f}")
            m[f] = betas_for[f]
        out[kind] = m
    return out


def build_operation(op, facts, list_params, examples):
    """The OpenAPI operation object of one operations.yaml entry."""
    o = OrderedDict()
    o["operationId"] = op["id"]
    o["summary"] = op["summary"]
    if op.get("description"):
        o["description"] = op["description"]
    o["tags"] = [op["tag"]]
    o["parameters"] = _parameters(op, list_params)
    if op.get("body"):
        o["requestBody"] = _request_body(op["body"])
    o["responses"] = _responses(op, facts, examples)
    for k, v in sorted(op.get("x", {}).items()):
        o[k] = v
    if op["path"].startswith(facts["admin_path_prefix"]):
        o["x-mock-auth"] = "admin"
    if "x-mock-max-body-bytes" not in o and op["method"] in ("post", "put", "patch"):
        o["x-mock-max-body-bytes"] = facts["max_body_bytes"]
    return o


def _parameters(op, list_params):
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
              for name in re.findall(r"{([^}]+)}", op["path"])]
    params.append({"$ref": "#/components/parameters/" + op.get("version_param", "AnthropicVersion")})
    params.append({"$ref": "#/components/parameters/AnthropicBeta"})
    for h in op.get("headers", []):
        params.append({"$ref": "#/components/parameters/" + h})
    params.append({"$ref": "#/components/parameters/BetaQuery"})
    if op.get("query_from"):
        params.extend(query_params_from(list_params[op["query_from"]], set(op.get("query_drop", [])) | {"betas"},
                                        overrides=op.get("query_overrides")))
    params.extend(op.get("query", []))
    return params


def _request_body(body):
    if body["type"] == "json":
        return {"required": body.get("required", True),
                "content": {"application/json": {"schema": ref(body["schema"])}}}
    return {"required": True, "content": {"multipart/form-data": body["multipart"]}}


def _responses(op, facts, examples):
    ok = OrderedDict()
    ok["description"] = op.get("ok_description", "Success.")
    ok["headers"] = ok_headers(op)
    content = OrderedDict()
    for mt, m in op["ok"].items():
        entry = OrderedDict()
        entry["schema"] = m["schema"] if isinstance(m["schema"], dict) else ref(m["schema"])
        entry["example"] = examples[m["example"]]
        content[mt] = entry
    if op.get("beta_responses"):
        # shape that replaces the JSON body when the request carries the given beta header
        content["application/json"]["x-mock-beta-responses"] = OrderedDict(
            (beta_name, OrderedDict([("schema", ref(v["schema"])), ("example", examples[v["example"]])]))
            for beta_name, v in sorted(op["beta_responses"].items()))
    ok["content"] = content
    if op.get("links"):
        ok["links"] = op["links"]
    resp = OrderedDict([("200", ok)])
    family = "OpenAI" if op.get("errors_kind", "anthropic") == "openai" else "Error"
    for code in facts["error_statuses"]:
        resp[code] = {"$ref": f"#/components/responses/{family}{code}"}
    return resp
