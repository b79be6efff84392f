#!/usr/bin/env python3
"""Consistency checks for openapi/anthropic.yaml.

    python3 tools/check_spec.py                       # all checks (spawns the SDK venvs)
    python3 tools/check_spec.py --no-sdk              # schema-only checks
    python3 tools/check_spec.py --py2 /tmp/spec-v2/bin/python --py0 /tmp/spec-v0/bin/python

Checks
  1. The server loads the spec quickly (parse cache); the hand-written operationIds exist.
  2. Every response media type (operations and components/responses) has an example.
  3. Every example validates against its schema (jsonschema, Draft 2020-12); SSE examples
     event by event, JSONL examples line by line; `x-mock-beta-responses` variants too.
  4. Every JSON 200 example validates against the matching SDK pydantic models in strict
     (JSON) mode, for anthropic 2.16.0 (+ openai) and anthropic 0.125.0 (run inside each venv).
  5. Every operation of the official spec (method + path without `?beta=true`) exists here.
  6. x-mock-versions patches apply cleanly (the patched schemas stay valid JSON Schema).
  7. Request samples are accepted / rejected as the real API would, per API version.

Needs pyyaml and jsonschema (and the SDKs for check 4).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import yaml

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from mockserver.spec.loader import merge_patch  # noqa: E402  (RFC 7386, the server's own)
from tools.specbuild.sdk_models import (  # noqa: E402
    OPERATION_IDS, METHODS, SDK_MODELS, SDK_BETA_MODELS, SDK_STREAM, SDK_ERROR, SDK_ERROR_TYPES_UNKNOWN)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "openapi", "anthropic.yaml")
# The official spec's operations: from OFFICIAL_SPEC (a copy of the official OpenAPI file) when set,
# else from the facts the tests ship in our own form.
OFFICIAL = os.environ.get("OFFICIAL_SPEC")
REFERENCE_FACTS = os.path.join(ROOT, "tests", "fixtures", "reference_facts.yaml")



def load_spec(path=SPEC):
    t = time.perf_counter()
    with open(path) as f:
        spec = yaml.load(f, Loader=yaml.CSafeLoader)
    return spec, time.perf_counter() - t


def iter_ops(spec):
    for path, item in spec["paths"].items():
        for m in METHODS:
            if m in item:
                yield path, m, item[m]


def sse_events(text):
    """Parse SSE text into (event name, data string) pairs."""
    out = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = None, []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        out.append((name, "\n".join(data)))
    return out


def payloads_of(media_type, example):
    """JSON payloads contained in an example of the given media type."""
    if media_type == "text/event-stream":
        res = []
        for name, data in sse_events(example):
            if data == "[DONE]":
                continue
            obj = json.loads(data)
            if name is not None and isinstance(obj, dict) and obj.get("type") not in (None, name):
                raise AssertionError(f"SSE event name {name} != payload type {obj.get('type')}")
            res.append(obj)
        return res
    if media_type == "application/x-jsonl":
        assert example.endswith("\n") and "\n\n" not in example, "JSONL must be newline-terminated lines without blanks"
        return [json.loads(line) for line in example.splitlines()]
    if media_type.endswith("json"):
        return [example]
    return None  # binary


# ---------------------------------------------------------------------------------------------
# schema checks (any interpreter with jsonschema)


def schema_checks(spec, errors):
    import jsonschema

    comps = spec["components"]

    def validator(schema):
        wrapped = {"components": comps}
        wrapped.update(schema)
        return jsonschema.Draft202012Validator(wrapped, format_checker=jsonschema.FormatChecker())

    cache = {}

    def check(where, schema, value):
        key = json.dumps(schema, sort_keys=True)
        if key not in cache:
            cache[key] = validator(schema)
        errs = sorted(cache[key].iter_errors(value), key=lambda e: list(e.path))
        for e in errs[:3]:
            errors.append(f"{where}: {list(e.absolute_path)}: {e.message[:300]}")

    def check_media(where, mt, media):
        if "example" not in media:
            errors.append(f"{where} {mt}: no example")
            return
        try:
            payloads = payloads_of(mt, media["example"])
        except Exception as e:  # noqa: BLE001
            errors.append(f"{where} {mt}: cannot parse example: {e}")
            return
        if payloads is None:
            if not isinstance(media["example"], str):
                errors.append(f"{where} {mt}: binary example should be a string")
            return
        for i, p in enumerate(payloads):
            check(f"{where} {mt} [{i}]", media["schema"], p)
        for beta, var in (media.get("x-mock-beta-responses") or {}).items():
            check(f"{where} {mt} beta {beta}", var["schema"], var["example"])

    for path, m, op in iter_ops(spec):
        for code, resp in op["responses"].items():
            if "$ref" in resp:
                continue
            for mt, media in (resp.get("content") or {}).items():
                check_media(f"{op['operationId']} {code}", mt, media)
    for name, resp in comps.get("responses", {}).items():
        for mt, media in (resp.get("content") or {}).items():
            check_media(f"components/responses/{name}", mt, media)
    operation_id_checks(spec, errors)
    meta_schema_checks(spec, errors)


def cached_load_seconds(path):
    from mockserver.spec.parsed import read_document

    read_document(path)
    t = time.perf_counter()
    read_document(path)
    return time.perf_counter() - t


def operation_id_checks(spec, errors):
    ids = [op.get("operationId") for _, _, op in iter_ops(spec) if "x-mock-sdk-method" not in op]  # hand-written
    missing = sorted(set(OPERATION_IDS) - set(ids))
    extra = sorted(set(ids) - set(OPERATION_IDS))
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if missing:
        errors.append(f"missing operationIds: {missing}")
    if extra:
        errors.append(f"unexpected operationIds: {extra}")
    if dup:
        errors.append(f"duplicate operationIds: {dup}")


def meta_schema_checks(spec, errors):
    """Every component schema, and every x-mock-versions patch applied, is valid 2020-12 JSON Schema."""
    import jsonschema

    comps = spec["components"]
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    for n, s in comps["schemas"].items():
        for e in list(meta.iter_errors(s))[:1]:
            errors.append(f"schema {n} is not valid JSON Schema: {e.message[:200]}")
    # x-mock-versions patches
    for ver, patch in spec.get("x-mock-versions", {}).items():
        patched = merge_patch(comps["schemas"], patch)
        for n in patch:
            for e in list(meta.iter_errors(patched[n]))[:1]:
                errors.append(f"x-mock-versions {ver} {n}: {e.message[:200]}")
        for n in patch:
            for r in refs_in(patched[n]):
                if r not in patched:
                    errors.append(f"x-mock-versions {ver} {n}: dangling $ref {r}")


def refs_in(o):
    out = set()
    stack = [o]
    while stack:
        x = stack.pop()
        if isinstance(x, dict):
            r = x.get("$ref")
            if isinstance(r, str) and r.startswith("#/components/schemas/"):
                out.add(r.split("/")[-1])
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return out



BASE_REQ = {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": [{"role": "user", "content": "hi"}]}
_CITED_TEXT = {"type": "text", "text": "a", "citations": [{"type": "char_location", "cited_text": "a", "document_index": 0,
                                                           "document_title": None, "start_char_index": 0, "end_char_index": 1}]}
# (schema, body, valid under 2026-10-21, valid under 2023-06-01)
REQUEST_SAMPLES = [
    ("MessageCreateParams", BASE_REQ, True, True),
    ("MessageCreateParams", {**BASE_REQ, "stream": True}, True, True),
    ("MessageCreateParams", {**BASE_REQ, "foo": 1}, False, False),
    ("MessageCreateParams", {**BASE_REQ, "temperature": 0.5, "top_p": 0.9, "top_k": 5}, False, True),
    ("MessageCreateParams", {**BASE_REQ, "temperature": 1.5}, False, False),
    ("MessageCreateParams", {**BASE_REQ, "output_format": {"type": "json_schema", "schema": {"type": "object"}}}, False, True),
    ("MessageCreateParams", {**BASE_REQ, "metadata": {"user_id": "u", "x": 1}}, False, False),
    ("MessageCreateParams", {**BASE_REQ, "tools": [
        {"name": "get_weather", "input_schema": {"type": "object", "properties": {"x": {"type": "string"}}, "$defs": {}}},
        {"type": "web_search_20250305", "name": "web_search", "max_uses": 3}]}, True, True),
    ("MessageCreateParams", {**BASE_REQ, "tools": [{"name": "x", "input_schema": {"type": "object"}, "foo": 1}]}, False, False),
    ("MessageCreateParams", {**BASE_REQ, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "text", "text": "yo", "citations": None},
                                          {"type": "tool_use", "id": "toolu_01A", "name": "x", "input": {}}]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_01A", "content": "ok"}]}]}, True, True),
    ("MessageCreateParams", {**BASE_REQ, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": "x"}}]}]},
     False, True),
    ("MessageCreateParams", {**BASE_REQ, "messages": [{"role": "user", "content": [_CITED_TEXT]}]}, False, True),
    ("MessageCreateParams", {**BASE_REQ, "messages": [{"role": "assistant", "content": [_CITED_TEXT]}]}, True, True),
    ("MessageCreateParams", {**BASE_REQ, "system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral", "x": 1}}]}, False, False),
    ("MessageCreateParams", {"model": "m", "messages": []}, False, False),
    ("MessageCountTokensParams", {"model": "m", "messages": [{"role": "user", "content": "x"}]}, True, True),
    ("MessageCountTokensParams", {"model": "m", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}, False, False),
    ("BatchCreateParams", {"requests": [{"custom_id": "req-1", "params": BASE_REQ}]}, True, True),
    ("BatchCreateParams", {"requests": [{"custom_id": "req-1", "params": {**BASE_REQ, "stream": True}}]}, False, False),
    ("BatchCreateParams", {"requests": [{"custom_id": "bad id!", "params": BASE_REQ}]}, False, False),
    ("CompletionCreateParams", {"model": "claude-2.1", "prompt": "\n\nHuman: hi\n\nAssistant:", "max_tokens_to_sample": 10, "stream": True}, True, True),
    ("OpenAIChatCompletionCreateParams", {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "hi"}], "seed": 1, "unknown_field": 1}, True, True),
    ("WorkspaceMemberUpdateParams", {"workspace_role": "workspace_admin"}, True, True),
    ("APIKeyUpdateParams", {"name": "k", "bogus": 1}, False, False),
]


def request_sample_checks(spec, errors):
    import jsonschema

    for ver in ("2026-10-21", "2023-06-01"):
        comps = dict(spec["components"])
        comps["schemas"] = merge_patch(comps["schemas"], spec["x-mock-versions"][ver])
        for i, (name, body, ok_new, ok_old) in enumerate(REQUEST_SAMPLES):
            want = ok_new if ver == "2026-10-21" else ok_old
            v = jsonschema.Draft202012Validator({"components": comps, "$ref": "#/components/schemas/" + name})
            got = v.is_valid(body)
            if got != want:
                first = next(iter(v.iter_errors(body)), None)
                errors.append(f"request sample {i} ({name}) under {ver}: expected {'valid' if want else 'invalid'}"
                              + (f" ({first.message[:200]})" if first else ""))


def official_operations():
    """(method, path) of every official operation, `?beta=true` duplicates folded."""
    if not OFFICIAL:
        with open(REFERENCE_FACTS) as f:
            facts = yaml.load(f, Loader=yaml.CSafeLoader)
        return {(op.split(" ", 1)[0].lower(), op.split(" ", 1)[1]) for op in facts["operations"]}
    with open(OFFICIAL) as f:
        off = yaml.load(f, Loader=yaml.CSafeLoader)
    return {(m, path.split("?")[0]) for path, item in off["paths"].items() for m in METHODS if m in item}


def official_checks(spec, errors):
    ours = {(m, p) for p, m, _ in iter_ops(spec)}
    for m, path in sorted(official_operations() - ours):
        errors.append(f"official operation {m.upper()} {path} missing")


# ---------------------------------------------------------------------------------------------
# SDK checks (run inside a venv that has the SDK)


def _obj(path):
    import importlib

    mod, _, attr = path.rpartition(":")
    return getattr(importlib.import_module(mod), attr)


def sdk_validate(target, value):
    import pydantic

    raw = json.dumps(value)
    if target.startswith("items:"):
        for item in value["data"]:
            sdk_validate(target[len("items:"):], item)
        return
    if target.startswith("union:"):
        pydantic.TypeAdapter(_obj(target[len("union:"):])).validate_json(raw, strict=True)
        return
    cls = _obj(target)
    cls.model_validate_json(raw, strict=True)


def sdk_mode(profile, spec_path):
    spec, _ = load_spec(spec_path)
    errors = []
    checked = 0
    models = SDK_MODELS[profile]
    for path, m, op in iter_ops(spec):
        oid = op["operationId"]
        content = op["responses"]["200"].get("content", {})
        for mt, media in content.items():
            if mt.endswith("json") and oid in models:
                for target in models[oid]:
                    try:
                        sdk_validate(target, media["example"])
                        checked += 1
                    except Exception as e:  # noqa: BLE001
                        errors.append(f"[{profile}] {oid} {mt} vs {target}: {str(e)[:400]}")
                for beta, var in (media.get("x-mock-beta-responses") or {}).items():
                    for target in SDK_BETA_MODELS[profile].get((oid, beta), []):
                        try:
                            sdk_validate(target, var["example"])
                            checked += 1
                        except Exception as e:  # noqa: BLE001
                            errors.append(f"[{profile}] {oid} beta {beta} vs {target}: {str(e)[:400]}")
            if mt == "application/x-jsonl" and oid in models:
                for line in payloads_of(mt, media["example"]):
                    for target in models[oid]:
                        try:
                            sdk_validate(target, line)
                            checked += 1
                        except Exception as e:  # noqa: BLE001
                            errors.append(f"[{profile}] {oid} jsonl vs {target}: {str(e)[:400]}")
            if mt == "text/event-stream" and oid in SDK_STREAM[profile]:
                for ev in payloads_of(mt, media["example"]):
                    if ev.get("type") in ("ping", "error"):
                        continue  # not part of the SDK event unions (handled by the SSE decoder)
                    for target in SDK_STREAM[profile][oid]:
                        try:
                            sdk_validate(target, ev)
                            checked += 1
                        except Exception as e:  # noqa: BLE001
                            errors.append(f"[{profile}] {oid} SSE {ev.get('type')} vs {target}: {str(e)[:400]}")
    # error bodies
    for name, resp in spec["components"]["responses"].items():
        if name.startswith("OpenAI"):
            continue
        ex = resp["content"]["application/json"]["example"]
        if ex.get("error", {}).get("type") in SDK_ERROR_TYPES_UNKNOWN:
            continue
        try:
            sdk_validate(SDK_ERROR[profile], ex)
            checked += 1
        except Exception as e:  # noqa: BLE001
            errors.append(f"[{profile}] components/responses/{name} vs {SDK_ERROR[profile]}: {str(e)[:300]}")
    print(json.dumps({"checked": checked, "errors": errors}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--spec", default=SPEC)
    ap.add_argument("--py2", default=os.environ.get("SPEC_PY_V2", "/tmp/spec-v2/bin/python"))
    ap.add_argument("--py0", default=os.environ.get("SPEC_PY_V0", "/tmp/spec-v0/bin/python"))
    ap.add_argument("--no-sdk", action="store_true")
    ap.add_argument("--sdk-mode", choices=["v2", "v0"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.sdk_mode:
        sdk_mode(args.sdk_mode, args.spec)
        return
    spec, dt = load_spec(args.spec)
    errors = []
    print(f"load (CSafeLoader): {dt:.3f}s, size {os.path.getsize(args.spec)} bytes")
    warm = cached_load_seconds(args.spec)  # what the server pays after its first start (parse cache)
    print(f"load (server, parse cache warm): {warm:.3f}s")
    if warm > 1.0:  # ~0.07 s on an idle machine; generous for a loaded one
        errors.append(f"the server's cached spec load took {warm:.3f}s (> 1.0s)")
    schema_checks(spec, errors)
    request_sample_checks(spec, errors)
    official_checks(spec, errors)
    if not args.no_sdk:
        for profile, py in (("v2", args.py2), ("v0", args.py0)):
            if not os.path.exists(py):
                errors.append(f"SDK venv interpreter {py} not found (use --no-sdk to skip)")
                continue
            r = subprocess.run([py, os.path.abspath(__file__), "--sdk-mode", profile, "--spec", args.spec],
                               capture_output=True, text=True)
            if r.returncode != 0:
                errors.append(f"SDK check {profile} crashed: {r.stderr[-2000:]}")
                continue
            res = json.loads(r.stdout.strip().splitlines()[-1])
            print(f"SDK {profile}: {res['checked']} model validations")
            errors.extend(res["errors"])
    for e in errors:
        print("FAIL", e)
    print(f"{len(errors)} problems")
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
