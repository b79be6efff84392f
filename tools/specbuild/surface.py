"""The SDK's whole surface: one operation for every (method, path) the SDK calls that operations.yaml lacks.

Input is the dump of tools/sdk_routes.py (the SDK's resource methods with their body, query and response
types). Hand-written operations in openapi/src/operations.yaml win; every other route is generated here
with its request and response schemas from the SDK types, its pagination wrapper, the beta name the SDK
sends, the header parameters it sets, the shared error responses, and a schema-valid example.
"""

from __future__ import annotations

import copy
import json
import re
from collections import OrderedDict

from .operations import ok_headers, query_params_from
from .schemas import REF, clean, pascal, ref, rename_refs
from .synth import Synth

HEADER_PARAMS = {"anthropic-workspace-id": ("AnthropicWorkspaceId", "workspace_id"),
                 "anthropic-user-profile-id": ("AnthropicUserProfileId", "user_profile_id")}
PAGE_DEFAULTS = {"has_more": False, "first_id": None, "last_id": None, "next_page": None, "prev_page": None,
                 "data_refreshed_at": None}
SSE_EXAMPLE_EVENTS = 1


def shape(path: str) -> str:
    return re.sub(r"{[^}]*}", "{x}", path)


def chosen_routes(routes: list[dict], served: set[tuple[str, str]]) -> list[list[dict]]:
    """The SDK methods of each unserved (method, path), best first: the beta namespace's (superset types),
    then the GA one, then Bedrock's (`?bedrock=true`). The first gives the schemas; the example fits all."""
    def rank(op: dict) -> tuple:
        return ("bedrock" in op["id"], not op["id"].startswith("beta_"), op["id"])

    groups: dict[tuple[str, str], list[dict]] = {}
    for op in sorted(routes, key=rank):
        key = (op["method"], shape(op["path"]))
        if key not in served:
            groups.setdefault(key, []).append(op)
    return [groups[k] for k in sorted(groups, key=lambda k: (k[1], k[0]))]


def merged(primary, other):
    """`primary` with what `other` adds: keys it lacks, and values where it has null."""
    if primary is None:
        return other
    if isinstance(primary, dict) and isinstance(other, dict):
        return {**{k: merged(primary.get(k), v) for k, v in other.items()},
                **{k: v for k, v in primary.items() if k not in other}} if primary.get("type") == other.get(
                    "type") else primary
    if isinstance(primary, list) and isinstance(other, list) and primary and other:
        return [merged(primary[0], other[0])] + primary[1:]
    return primary


class Surface:
    """Imports the SDK-route schemas into the Builder and makes the operations."""

    def __init__(self, b, dump: dict) -> None:
        self.b = b
        self.dump = dump
        self.names = self._import_defs(dump["defs"])
        self.roots: dict[str, dict] = {}

    def _import_defs(self, defs: dict) -> dict[str, str]:
        names = {}
        for n in sorted(defs):
            clean_def = clean(defs[n])
            existing = self.b.schemas.get(n)
            names[n] = n if existing is None or json.dumps(existing, sort_keys=True) == json.dumps(
                clean_def, sort_keys=True) else "Sdk" + n
        for n, s in defs.items():
            self.b.schemas[names[n]] = rename_refs(clean(s), names)
        return names

    def root(self, key: str, fallback_name: str) -> dict:
        """A $ref to the schema of one dumped root (inline roots become components of their own)."""
        schema = rename_refs(clean(self.dump["roots"][key]), self.names)
        if set(schema) == {"$ref"}:
            return schema
        self.b.schemas[fallback_name] = schema
        return ref(fallback_name)

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.b.schemas[schema["$ref"][len(REF):]]
        return schema

    def operations(self, served: set[tuple[str, str]], spellings: dict[str, str], facts: dict) -> list[dict]:
        out = []
        for variants in chosen_routes(self.dump["operations"], served):
            op = dict(variants[0], path=spellings.get(shape(variants[0]["path"]), variants[0]["path"]))
            out.append(self.operation(op, facts, variants[1:]))
        return out

    def operation(self, op: dict, facts: dict, variants: list[dict]) -> dict:
        o = OrderedDict()
        o["operationId"] = op["id"]
        o["summary"] = op["sdk"].split(":", 1)[1]
        o["x-mock-sdk-method"] = op["sdk"]  # generated from this SDK method (tools/sdk_routes.py)
        o["tags"] = [family(op["path"])]
        o["parameters"] = self._parameters(op)
        if any("bedrock" in v["id"] for v in variants):
            o["parameters"].append({"name": "bedrock", "in": "query", "required": False, "schema": {"type": "boolean"},
                                    "description": "Sent by the SDK's Bedrock namespace: answer in its shape."})
        if op.get("body") or op.get("multipart"):
            o["requestBody"] = self._body(op, variants)
        o["responses"] = self._responses(op, facts, variants)
        if op.get("beta"):
            o["x-mock-beta"] = op["beta"]
        if op["path"].startswith(facts["admin_path_prefix"]):
            o["x-mock-auth"] = "admin"
        if op["method"] in ("post", "put", "patch"):
            o["x-mock-max-body-bytes"] = facts["max_body_bytes"]
        return {"path": op["path"], "method": op["method"], "operation": o}

    def _header_fields(self, op: dict) -> set[str]:
        return {"betas"} | {HEADER_PARAMS[h][1] for h in op["headers"] if h in HEADER_PARAMS}

    def _parameters(self, op: dict) -> list[dict]:
        params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                  for name in re.findall(r"{([^}]+)}", op["path"])]
        params.append({"$ref": "#/components/parameters/AnthropicVersion"})
        params.append({"$ref": "#/components/parameters/AnthropicBeta"})
        params += [{"$ref": "#/components/parameters/" + HEADER_PARAMS[h][0]} for h in op["headers"]
                   if h in HEADER_PARAMS]
        params.append({"$ref": "#/components/parameters/BetaQuery"})
        if op.get("query"):
            query = self.resolve(self.root(op["query"], pascal(op["id"]) + "Query"))
            path_names = set(re.findall(r"{([^}]+)}", op["path"]))
            for param in query_params_from(query, self._header_fields(op) | path_names):
                param["schema"].pop("format", None)  # the query reader checks types, not formats: never stricter
                params.append(param)
        return params

    def _body(self, op: dict, variants: list[dict]) -> dict:
        if op.get("multipart"):  # the parts by name; the handler checks the required ones are there
            target = self.resolve(self._body_schema(op, "Body")) if op.get("body") else {}
            schema = {"type": "object", "required": list(target.get("required", [])),
                      "properties": {name: {} for name in target.get("properties", {})}}
            return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}
        body = self._body_schema(op, "Body")
        others = [self._body_schema(v, "VariantBody") for v in variants if v.get("body")]
        others = [o for o in others if o != body]
        required = bool(self.resolve(body).get("required"))
        if others:  # Bedrock's shape (`?bedrock=true`) accepts more: either shape is a valid body
            self.b.schemas[pascal(op["id"]) + "AnyBody"] = {"anyOf": [body, *others]}
            body = ref(pascal(op["id"]) + "AnyBody")
        return {"required": required, "content": {"application/json": {"schema": body}}}

    def _body_schema(self, op: dict, suffix: str) -> dict:
        """The body type's schema without the SDK's pseudo-fields that travel as headers or in the path."""
        body = self.root(op["body"], pascal(op["id"]) + suffix)
        target = self.resolve(body)
        for field in self._header_fields(op) | set(re.findall(r"{([^}]+)}", op["path"])):
            target.get("properties", {}).pop(field, None)
            if field in target.get("required", []):
                target["required"] = [r for r in target["required"] if r != field]
        return body

    def _responses(self, op: dict, facts: dict, variants: list[dict]) -> OrderedDict:
        ok = OrderedDict([("description", "Success."), ("headers", ok_headers({}))])
        ok["content"] = self._content(op, variants)
        resp = OrderedDict([("200", ok)])
        for code in facts["error_statuses"]:
            resp[code] = {"$ref": f"#/components/responses/Error{code}"}
        return resp

    def _item_example(self, item: dict, variants: list[dict]) -> object:
        """One example that the SDK type of every variant accepts (the GA and beta shapes differ)."""
        example = Synth(self.b.schemas).example(item)
        for other in variants:
            if other.get("response"):
                alt = self.root(other["response"], pascal(other["id"]) + "Variant")
                example = merged(example, Synth(self.b.schemas).example(alt))
        return example

    def _content(self, op: dict, variants: list[dict]) -> OrderedDict:
        if op.get("binary"):
            return OrderedDict([("application/octet-stream", {"schema": {"type": "string", "format": "binary"},
                                                              "example": "binary example"})])
        if op.get("stream"):
            event = self.root(op["stream"], pascal(op["id"]) + "Event")
            first = Synth(self.b.schemas).example(event)
            text = f"event: {first.get('type', 'message')}\ndata: {json.dumps(first)}\n\n"
            return OrderedDict([("text/event-stream", {"schema": event, "example": text})])
        if not op.get("response"):
            return OrderedDict([("application/json", {"schema": {"type": "object"}, "example": {}})])
        bedrock = [v for v in variants if "bedrock" in v["id"] and v.get("response")]
        media = self._json_media(op, [v for v in variants if v not in bedrock])
        if bedrock:  # `?bedrock=true` selects the Bedrock shape of the same route: either shape is valid
            variant = self._json_media(bedrock[0], bedrock[1:])
            media["x-mock-query-responses"] = {"bedrock=true": variant}
            media["schema"] = {"anyOf": [media["schema"], variant["schema"]]}
        return OrderedDict([("application/json", media)])

    def _json_media(self, op: dict, variants: list[dict]) -> dict:
        item = self.root(op["response"], pascal(op["id"]) + ("Item" if op.get("page") else "Response"))
        if not op.get("page"):
            return {"schema": item, "example": self._item_example(item, variants)}
        fields = OrderedDict((f, {}) for f in op["page_fields"])
        schema = {"type": "object", "required": ["data"],
                  "properties": {"data": {"type": "array", "items": item}, **fields}}
        example = {"data": [self._item_example(item, variants)],
                   **{f: PAGE_DEFAULTS.get(f) for f in op["page_fields"]}}
        return {"schema": schema, "example": example}


MANAGED_AGENTS = {"agents", "sessions", "environments", "memory_stores", "vaults", "deployments", "deployment_runs",
                  "dreams", "tunnels"}


def family(path: str) -> str:
    """The tag: `Managed Agents: sessions`, `Admin: plugins`, `User profiles`."""
    parts = path.strip("/").split("/")
    if parts[1] == "organizations" and len(parts) > 2:
        return f"Admin: {parts[2].replace('_', ' ')}"
    if parts[1] in MANAGED_AGENTS:
        return f"Managed Agents: {parts[1].replace('_', ' ')}"
    return parts[1].replace("_", " ").capitalize()


def add_surface_paths(paths: OrderedDict, surface: Surface, facts: dict) -> int:
    served = {(m, shape(p)) for p, item in paths.items() for m in item}
    spellings = {shape(p): p for p in paths}
    made = surface.operations(served, spellings, facts)
    for entry in made:
        paths.setdefault(entry["path"], OrderedDict())[entry["method"]] = copy.deepcopy(entry["operation"])
    return len(made)
