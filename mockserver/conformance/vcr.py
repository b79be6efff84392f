"""vcrpy / pytest-recording cassettes (YAML, plain or gzipped) read into RecordedExchanges.

    interactions:
    - request:  {method, uri: https://api.anthropic.com/v1/..., headers: {name: [value]}, body: str | !!binary}
      response: {status: {code, message}, headers: {name: [value]}, body: {string: str | !!binary}}

A response body may be stored gzip-encoded (its `content-encoding` header says so) unless the
cassette was recorded with decode_compressed_response; both are read.
"""

from __future__ import annotations

import gzip
import zlib
from typing import Any
from urllib.parse import urlsplit

import yaml

from .exchange import RecordedExchange


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe YAML that also reads the `!!python/unicode` tags old vcrpy versions wrote, as plain values."""


def _plain_python_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_mapping(node, deep=True)


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _plain_python_tag)


def load_yaml(raw: bytes) -> Any:
    return yaml.load(raw, Loader=_Loader)


def is_vcr_document(document: Any) -> bool:
    """vcrpy keeps the status as {code, message}; our own cassettes keep a plain number."""
    interactions = document.get("interactions") if isinstance(document, dict) else None
    return bool(interactions) and isinstance(interactions[0].get("response", {}).get("status"), dict)


def vcr_exchanges(document: dict[str, Any], source: str, project: str | None) -> list[RecordedExchange]:
    exchanges = []
    for index, item in enumerate(document.get("interactions") or []):
        try:
            exchange = _exchange(item, f"{source}#{index}", project)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ValueError(f"{source}: interaction {index} is malformed: {error!r}") from None
        if exchange is not None:
            exchanges.append(exchange)
    return exchanges


def _exchange(item: dict[str, Any], source: str, project: str | None) -> RecordedExchange | None:
    request, response = item["request"], item["response"]
    url = urlsplit(str(request["uri"]))
    request_headers = _headers(request.get("headers"))
    if not is_anthropic_api(url.hostname or "", url.path, request_headers):
        return None
    response_headers = _headers(response.get("headers"))
    encoding = response_headers.pop("content-encoding", "")  # the body below is handed on decoded
    body = response.get("body") or {}
    raw = _bytes(body.get("string") if isinstance(body, dict) else body)
    return RecordedExchange(
        source=source, method=str(request["method"]).upper(),
        target=url.path + (f"?{url.query}" if url.query else ""),
        request_headers=request_headers, request_body=_bytes(request.get("body")),
        status=int(response["status"]["code"]), response_headers=response_headers,
        response_body=_decoded(raw, encoding), project=project)


def is_anthropic_api(host: str, path: str, request_headers: dict[str, str]) -> bool:
    """api.anthropic.com-style traffic: a /v1/ path on an anthropic.com host, or sent by an Anthropic client."""
    if not path.startswith("/v1/"):
        return False
    return host.endswith("anthropic.com") or "anthropic-version" in request_headers


def _headers(headers: Any) -> dict[str, str]:
    plain = {}
    for name, value in (headers or {}).items():
        values = value if isinstance(value, list) else [value]
        plain[str(name).lower()] = ", ".join(str(v) for v in values)
    return plain


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    return str(body).encode("utf-8")


def _decoded(raw: bytes, encoding: str) -> bytes:
    """The body as the client read it; a body stored already decoded is kept as it is."""
    encoding = encoding.strip().lower()
    try:
        if encoding == "gzip" or raw[:2] == b"\x1f\x8b":
            return gzip.decompress(raw)
        if encoding == "deflate":
            return zlib.decompress(raw)
    except (OSError, zlib.error, EOFError):
        pass
    return raw
