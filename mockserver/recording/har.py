"""`mockserver cassette export --har`: a cassette as HAR 1.2, for browser tools and HAR viewers."""

from __future__ import annotations

from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .cassette import CassetteFile, Interaction

HAR_VERSION = "1.2"


def to_har(cassette: CassetteFile) -> dict[str, Any]:
    base = (cassette.upstream or "http://localhost").rstrip("/")
    started = datetime.fromtimestamp(cassette.path.stat().st_mtime if cassette.path.exists() else 0, timezone.utc)
    return {"log": {
        "version": HAR_VERSION,
        "creator": {"name": "anthropic-mockserver", "version": _version()},
        "pages": [],
        "entries": [_entry(i, base, started) for i in cassette.interactions],
    }}


def _entry(interaction: Interaction, base: str, started: datetime) -> dict[str, Any]:
    request, response = interaction.request, interaction.response
    url = base + request.uri
    wait = sum(e.delay for e in response.events) * 1000 if response.events else 0.0
    har_request: dict[str, Any] = {
        "method": request.method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _headers(request.headers.items()),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)],
        "headersSize": -1, "bodySize": len(request.body),
    }
    if request.body:
        har_request["postData"] = {"mimeType": request.headers.get("content-type", "application/json"),
                                   "text": request.body.decode("utf-8", errors="replace")}
    content_type = response.header("content-type") or "application/octet-stream"
    return {
        "startedDateTime": started.isoformat().replace("+00:00", "Z"),
        "time": round(wait, 3),
        "request": har_request,
        "response": {
            "status": response.status, "statusText": _reason(response.status), "httpVersion": "HTTP/1.1",
            "cookies": [], "headers": _headers(response.headers),
            "content": {"size": len(response.body), "mimeType": content_type,
                        "text": response.body.decode("utf-8", errors="replace")},
            "redirectURL": "", "headersSize": -1, "bodySize": len(response.body),
        },
        "cache": {},
        "timings": {"send": 0, "wait": round(wait, 3), "receive": 0},
    }


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # 529 is the API's own; 599 the mock's
        return {529: "Overloaded"}.get(status, "")


def _headers(pairs: Any) -> list[dict[str, str]]:
    return [{"name": name, "value": value} for name, value in pairs]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("anthropic-mockserver")
    except PackageNotFoundError:
        return "0"


def write_har(cassette: CassetteFile, target: Path) -> None:
    import json

    target.write_text(json.dumps(to_har(cassette), indent=2, ensure_ascii=False) + "\n")
