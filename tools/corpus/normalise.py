"""Read a vcrpy or Ruby VCR cassette and produce plain-text vcrpy interactions with api.anthropic.com.

Recorders differ: vcrpy keeps bodies as text, `!!binary` or `{string: ...}`, httpx stubs use `content`,
Ruby VCR writes `http_interactions` with `{encoding, string}` bodies and `!binary` tags, and many keep
the gzip or brotli bytes the server sent. Everything comes out in one shape with readable bodies.
"""

from __future__ import annotations

import base64
import gzip
import zlib
from typing import Any
from urllib.parse import urlsplit

import yaml

from tools.corpus.scrub import scrub_headers, scrub_text

ANTHROPIC_HOST = "api.anthropic.com"
# Transport details that stop being true once the body is stored decompressed.
DROPPED_WHEN_DECODED = frozenset({"content-encoding", "content-length"})


class _CassetteLoader(yaml.SafeLoader):
    """SafeLoader that also reads Ruby's `!binary` tag and ignores unknown Ruby object tags."""


def _binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    return base64.b64decode(loader.construct_scalar(node))  # type: ignore[arg-type]


def _unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


def _istr(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> str:
    """aiohttp recordings pickle header names as multidict `istr(name)`: keep the name."""
    return str(loader.construct_sequence(node)[0])  # type: ignore[arg-type]


_CassetteLoader.add_constructor("!binary", _binary)
_CassetteLoader.add_multi_constructor("!ruby/", _unknown)
_CassetteLoader.add_multi_constructor("tag:yaml.org,2002:python/object/apply:multidict.", _istr)


def load_cassette(text: str | bytes) -> list[dict[str, Any]]:
    data = yaml.load(text, Loader=_CassetteLoader) or {}  # noqa: S506 - SafeLoader subclass
    if not isinstance(data, dict):
        return []
    found = data.get("interactions") or data.get("http_interactions") or []
    return [i for i in found if isinstance(i, dict) and isinstance(i.get("request"), dict)]


def anthropic_interactions(text: str | bytes) -> list[dict[str, Any]]:
    """The normalised, scrubbed interactions of one cassette that went to the Anthropic API."""
    return [_normalise(i) for i in load_cassette(text) if _host(i) == ANTHROPIC_HOST]


def _host(interaction: dict[str, Any]) -> str | None:
    return urlsplit(str((interaction.get("request") or {}).get("uri", ""))).hostname


def _normalise(interaction: dict[str, Any]) -> dict[str, Any]:
    request, response = interaction["request"], interaction.get("response") or {}
    request_headers = _headers(request.get("headers"))
    request_body = _decoded(_raw_body(request.get("body", request.get("content"))), request_headers)
    response_headers = _headers(response.get("headers"))
    response_body = _decoded(_raw_body(response.get("body", response.get("content"))), response_headers)
    status = response.get("status") or {}
    return {
        "request": {
            "method": str(request.get("method", "GET")).upper(),
            "uri": request["uri"],
            "body": scrub_text(request_body) if request_body else None,
            "headers": scrub_headers(request_headers),
        },
        "response": {
            "status": {"code": int(status.get("code", 0)), "message": str(status.get("message", ""))},
            "headers": scrub_headers(response_headers),
            "body": {"string": scrub_text(response_body or "")},
        },
    }


def _headers(headers: Any) -> dict[str, list[str]]:
    if not isinstance(headers, dict):
        return {}
    return {str(k): [str(v) for v in (vs if isinstance(vs, list) else [vs])] for k, vs in headers.items()}


def _raw_body(body: Any) -> bytes | str | None:
    if isinstance(body, dict):
        body = body.get("string", body.get("base64_string"))
    if body is None or isinstance(body, (bytes, str)):
        return body
    return yaml.safe_dump(body)


def _decoded(body: bytes | str | None, headers: dict[str, list[str]]) -> str | None:
    """Body as text. Compressed bytes are expanded; the stored body is never encoded, so the headers
    that describe an encoding go, whether or not the recorder had already expanded it."""
    encoding = _header(headers, "content-encoding").lower()
    if encoding:
        for name in [n for n in headers if n.lower() in DROPPED_WHEN_DECODED]:
            del headers[name]
    if body is None:
        return None
    raw = body if isinstance(body, bytes) else None
    if raw is None and (encoding or body[:2] == "\x1f\x8b") and _is_latin1(body):
        raw = body.encode("latin-1")
    if raw is None:
        return body
    expanded = _expand(raw, encoding)
    if expanded is None and isinstance(body, str):
        return body
    return (expanded or raw).decode("utf-8", errors="replace")


def _is_latin1(text: str) -> bool:
    return all(ord(c) < 256 for c in text)


def _expand(raw: bytes, encoding: str) -> bytes | None:
    try:
        if raw[:2] == b"\x1f\x8b" or encoding == "gzip":
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
        if encoding == "br":
            import brotli  # only the few brotli-encoded sources need it

            return brotli.decompress(raw)
    except (OSError, zlib.error, EOFError):
        return None
    return None


def _header(headers: dict[str, list[str]], name: str) -> str:
    for key, values in headers.items():
        if key.lower() == name and values:
            return values[0]
    return ""
