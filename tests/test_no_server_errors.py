"""No input reaches a 500: arbitrary JSON bodies and query strings to every operation get a 2xx
or a 4xx in the error envelope, never a traceback."""

from __future__ import annotations

import json

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.config import DEFAULT_SPEC, Config
from mockserver.spec import load_spec
from mockserver.spec.operations import index_operations

from .helpers import ADMIN_KEY, KEY, MESSAGE_BODY, asgi_client, headers

OPERATIONS = index_operations(load_spec(DEFAULT_SPEC))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
# Bodies shaped like the API's, so the fuzzing reaches past the first required field.
message_like = st.fixed_dictionaries(
    {"model": st.sampled_from(["claude-haiku-4-5", "claude-nope", ""]), "max_tokens": st.integers(-5, 50),
     "messages": st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "x"]),
                                                 "content": json_values | st.text(max_size=30)}), max_size=3)},
    optional={"stream": st.booleans(), "system": json_values, "tools": json_values, "thinking": json_values,
              "tool_choice": json_values, "stop_sequences": json_values},
)
bodies = json_values | message_like


@pytest.fixture(scope="module")
def client():
    return asgi_client(Config(batch_seconds=0))


def path_for(op):
    return op.path.format(**{p.name: "x_unknown_1" for p in op.parameters if p.location == "path"})


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
@settings(max_examples=25)
@given(body=bodies, query=st.dictionaries(st.sampled_from(["limit", "after_id", "before_id", "page", "beta",
                                                           "starting_at", "group_by[]"]),
                                          st.text(max_size=8), max_size=3))
def test_arbitrary_input_never_reaches_a_500(client, op, body, query):
    key = ADMIN_KEY if op.admin else KEY
    response = client.request(op.method, path_for(op), params=query, headers=headers(key=key),
                              content=orjson.dumps(body) if op.body_media_type == "application/json" else None)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["type"] and error["message"]
        if op.error_style == "anthropic" and response.status_code != 413:
            assert response.json()["request_id"] == response.headers["request-id"]


# -- raw bytes: what a JSON parser must refuse by name (issue 11, item 8) -----------------------------

_VALID = orjson.dumps(MESSAGE_BODY)
hostile_fragments = st.sampled_from([
    b"\xed\xa0\x80", b"\xff", b"\xc3", b"\\ud800", b"\\udc00x", b"\\ud83d", b"NaN", b"-Infinity", b"1e400",
    b"9" * 4301, b"1" * 4000, b"[NaN, 100000000000000000000000]", b"-" + b"1" * 5000, b"0." + b"1" * 5000, b"[" * 300 + b"]" * 300, b'{"a":' * 260 + b"1" + b"}" * 260,
])


@st.composite
def raw_bodies(draw) -> bytes:
    """A valid Messages body with a hostile fragment spliced in, a bare fragment, deep nesting, or noise."""
    kind = draw(st.sampled_from(["splice", "fragment", "schema", "nesting", "binary"]))
    if kind == "schema":  # free-form JSON the schema validator lets through to the generator
        keyword = draw(st.sampled_from([b"minimum", b"maxLength", b"default", b"enum", b"multipleOf"]))
        return (b'{"model":"claude-sonnet-4-6","max_tokens":64,"messages":[{"role":"user","content":"hi"}],'
                b'"tool_choice":{"type":"any"},"tools":[{"name":"t","input_schema":{"type":"object","properties":'
                b'{"a":{"type":"integer","' + keyword + b'":' + draw(hostile_fragments) + b'}},"required":["a"]}}]}')
    if kind == "splice":
        at = draw(st.integers(0, len(_VALID)))
        return _VALID[:at] + draw(hostile_fragments) + _VALID[at:]
    if kind == "fragment":
        return b'{"model":"claude-sonnet-4-6","max_tokens":' + draw(hostile_fragments) + b',"messages":[]}'
    if kind == "nesting":
        depth, opener = draw(st.integers(200, 20_000)), draw(st.sampled_from([b"[", b'{"a":']))
        closer = b"]" if opener == b"[" else b"}"
        return opener * depth + (b"" if opener == b"[" else b"1") + closer * depth
    return draw(st.binary(max_size=200))


@settings(max_examples=40)
@given(body=raw_bodies(), path=st.sampled_from(["/v1/messages", "/v1/messages/count_tokens",
                                                 "/v1/messages/batches"]))
def test_raw_byte_bodies_never_reach_a_500(client, body, path):
    response = client.post(path, content=body, headers={**headers(), "content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400 and response.status_code != 413:
        assert response.json()["request_id"] == response.headers["request-id"]


# -- adversarial JSON Schemas in tools and output_config (issue 11, items 4 and 10) -------------------

_numbers = st.sampled_from([0, 1, -1, 5, 0.5, 1e-320, 1e308, -1e308, 10**30, 3, 0.1, "x", None, True])
_sizes = st.sampled_from([0, 1, 3, 100, 10_000, 1_600_000, 10**9, -1, "ten", None])
_patterns = st.sampled_from(["^[a-z]+$", "((a{100}){100}){1000}", "(a|b)*c{50000}", "\\d{3}-\\d{4}", "(", "a{0,99999}",
                             "(x)\\1{300}", "[^\\s\\S]", "(?=a)b"])
_refs = st.sampled_from(["#", "#/$defs/node", "#/properties/a", "#/nope", "http://example.com/x", "#/$defs/node/items"])

_leaf_schemas = st.one_of(
    st.booleans(), st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array", "nope",
                                 ["integer", "null"], ["string", "number"]]),
        "minLength": _sizes, "maxLength": _sizes, "pattern": _patterns, "format": st.sampled_from(["email", "date"]),
        "minimum": _numbers, "maximum": _numbers, "exclusiveMinimum": _numbers, "exclusiveMaximum": _numbers,
        "multipleOf": _numbers, "enum": st.lists(st.integers(), max_size=2), "$ref": _refs,
        "minItems": _sizes, "maxItems": _sizes, "minProperties": _sizes, "uniqueItems": st.booleans(),
    }))


def _compound(children):
    return st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["object", "array"]), "properties": st.dictionaries(st.sampled_from("abc"), children,
                                                                                    max_size=3),
        "required": st.lists(st.sampled_from("abcd"), max_size=3), "items": children, "prefixItems": st.lists(children,
                                                                                                           max_size=2),
        "allOf": st.lists(children, max_size=3), "anyOf": st.lists(children, max_size=3),
        "oneOf": st.lists(children, max_size=3), "additionalProperties": children, "contains": children,
        "$defs": st.fixed_dictionaries({"node": children}), "$ref": _refs, "minProperties": _sizes,
        "dependentRequired": st.dictionaries(st.sampled_from("abc"), st.lists(st.sampled_from("abc"), max_size=2),
                                             max_size=2),
    })


schemas = st.recursive(_leaf_schemas, _compound, max_leaves=12)


@settings(max_examples=40)
@given(schema=schemas, where=st.sampled_from(["tool", "output"]), max_tokens=st.sampled_from([1, 64, 4000, 64000]))
def test_adversarial_schemas_never_reach_a_500(client, schema, where, max_tokens):
    body = {**MESSAGE_BODY, "max_tokens": max_tokens}
    if where == "tool":
        body.update(tools=[{"name": "get_weather", "input_schema": schema}], tool_choice={"type": "any"})
    else:
        body["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
    raw = json.dumps(body).encode()  # the stdlib writes integers past 64 bits, as a client may
    response = client.post("/v1/messages", content=raw, headers={**headers(), "content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["type"] == "invalid_request_error"


@settings(max_examples=20)
@given(schema=schemas, where=st.sampled_from(["tool", "output"]))
def test_batches_of_adversarial_schemas_always_read(client, schema, where):
    params = {**MESSAGE_BODY}
    if where == "tool":
        params.update(tools=[{"name": "get_weather", "input_schema": schema}], tool_choice={"type": "any"})
    else:
        params["output_config"] = {"format": {"type": "json_schema", "schema": schema}}
    raw = json.dumps({"requests": [{"custom_id": "hostile", "params": params}]}).encode()
    created = client.post("/v1/messages/batches", content=raw, headers={**headers(), "content-type": "application/json"})
    assert created.status_code < 500, created.text
    if created.status_code == 200:
        batch_id = created.json()["id"]
        for path in (f"/v1/messages/batches/{batch_id}", "/v1/messages/batches"):
            assert client.get(path, headers=headers()).status_code == 200
        results = client.get(f"/v1/messages/batches/{batch_id}/results", headers=headers())
        assert results.status_code == 200
        assert "api_error" not in results.text, results.text  # the engine itself never broke


# -- random multipart bodies to the upload routes (files, skills, skill versions) ---------------

UPLOAD_ROUTES = ["/v1/files", "/v1/skills", "/v1/skills/{skill_id}/versions"]
_SKILL_MD = b"---\nname: greeter\ndescription: Says hello.\n---\n# Greeter\n"


def _zip_of(entries: list[tuple[str, bytes]], stored: bool) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name or "x", data)
    return buffer.getvalue()


def _flip(data: bytes, at: int, value: int) -> bytes:
    """One byte of a valid archive changed: flags, methods, sizes and compressed data all get hit."""
    return data[:at % len(data)] + bytes([value]) + data[at % len(data) + 1:] if data else data


def _with_header(data: bytes, flags: int, method: int) -> bytes:
    """The first entry's local and central headers say: these flags, this compression method."""
    import struct

    out = bytearray(data)
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = out.find(signature)
        if start != -1:
            struct.pack_into("<HH", out, start + flags_at, flags, method)
    return bytes(out)


front_matters = st.one_of(
    st.just(_SKILL_MD),
    st.text(max_size=200).map(lambda t: b"---\n" + t.encode("utf-8", "surrogatepass") + b"\n---\n"),
    st.integers(1, 3000).map(lambda n: b"---\nname: greeter\ndescription: x\nmetadata: " + b"[" * n + b"]" * n
                             + b"\n---\n"),
)
zip_entries = st.lists(st.tuples(st.sampled_from(["greeter/SKILL.md", "greeter/a.py", "SKILL.md", "../x", "a\\b"]),
                                 front_matters | st.binary(max_size=64)), min_size=1, max_size=3,
                       unique_by=lambda entry: entry[0])
zips = st.builds(_zip_of, zip_entries, st.booleans())
part_contents = st.one_of(st.binary(max_size=128), front_matters, zips,
                          st.builds(_flip, zips, st.integers(0, 10_000), st.integers(0, 255)),
                          st.builds(_with_header, zips, st.sampled_from([0, 1, 8, 0x41]),
                                    st.sampled_from([0, 6, 8, 12, 14, 99, 0xFFFF])))
filenames = st.one_of(st.none(), st.sampled_from(["greeter/SKILL.md", "greeter.zip", "C:\\win.ini", "a.txt", ""]),
                      st.text(max_size=40))
part_names = st.sampled_from(["file", "files[]", "files", "display_title", "display_name", "expires_in_seconds", "x"])
any_parts = st.lists(st.tuples(part_names, filenames, st.sampled_from(["application/zip", "text/plain", "", "a/b"]),
                               part_contents), max_size=4)
one_zip = st.tuples(st.sampled_from(["files[]", "file"]), st.just("greeter.zip"), st.just("application/zip"),
                    part_contents).map(lambda item: [item])  # the shape that reaches the zip reader
parts = any_parts | one_zip


def _multipart(boundary: str, items: list[tuple[str, str | None, str, bytes]]) -> bytes:
    """Encoded by hand, so quotes, CR/LF and backslashes in names reach the parser unescaped."""
    chunks = []
    for name, filename, content_type, data in items:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        head = f"--{boundary}\r\nContent-Disposition: {disposition}\r\n"
        if content_type:
            head += f"Content-Type: {content_type}\r\n"
        chunks.append(head.encode("utf-8", "surrogatepass") + b"\r\n" + data + b"\r\n")
    return b"".join(chunks) + f"--{boundary}--\r\n".encode()


@pytest.fixture(scope="module")
def skill_id(client):
    response = client.post("/v1/skills", files=[("files[]", ("greeter/SKILL.md", _SKILL_MD, "text/markdown"))],
                           headers=headers())
    assert response.status_code == 200, response.text
    return response.json()["id"]


def _assert_answered(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert body["error"]["type"] and body["error"]["message"]
        if response.status_code != 413:
            assert body["request_id"] == response.headers["request-id"]


@pytest.mark.parametrize("route", UPLOAD_ROUTES)
@given(items=parts, boundary=st.sampled_from(["b0undary", "x" * 70, "--", "a b"]))
def test_random_multipart_uploads_never_reach_a_500(client, skill_id, route, items, boundary):
    response = client.post(route.format(skill_id=skill_id), content=_multipart(boundary, items),
                           headers={**headers(), "content-type": f"multipart/form-data; boundary={boundary}"})
    _assert_answered(response)


@pytest.mark.parametrize("route", UPLOAD_ROUTES)
@given(body=st.binary(max_size=512), content_type=st.sampled_from(
    ["multipart/form-data; boundary=b0undary", "multipart/form-data", "multipart/form-data; boundary=",
     'multipart/form-data; boundary="q\\"x"', "multipart/form-data; charset=nope; boundary=b"]))
def test_random_bytes_as_multipart_never_reach_a_500(client, skill_id, route, body, content_type):
    body = body if not body.startswith(b"--") else b"--b0undary\r\n" + body
    response = client.post(route.format(skill_id=skill_id), content=body,
                           headers={**headers(), "content-type": content_type})
    _assert_answered(response)
