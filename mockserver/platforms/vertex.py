"""Google Cloud Vertex AI's Anthropic publisher models around the first-party Messages API.

    POST /v1/projects/{p}/locations/{r}/publishers/anthropic/models/{model}:rawPredict        -> /v1/messages
    POST .../models/{model}:streamRawPredict                                                 -> /v1/messages (SSE)
    POST .../models/count-tokens:rawPredict                                                  -> /v1/messages/count_tokens

The body carries `anthropic_version: "vertex-2023-10-16"` and no `model` (the path names it, as
`claude-sonnet-4-5@20250929`); betas stay in the `anthropic-beta` header. A Google OAuth access
token authenticates (`Authorization: Bearer ya29...`; any non-empty token). Vertex passes the
model's own errors through in the Anthropic envelope; its own (no token, a path it does not know)
come in Google's `{"error": {"code", "message", "status"}}`.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import orjson

from ..http.asgi import Scope
from .codec import FirstParty, PlatformError, api_version, json_object
from .credentials import bearer, key_for

NAME = "vertex"
VERSION = "vertex-2023-10-16"
_PATH = re.compile(r"(?:/v1)?/projects/(?P<project>[^/]+)/locations/(?P<region>[^/]+)/publishers/anthropic/"
                   r"models/(?P<model>[^/:]+):(?P<method>rawPredict|streamRawPredict)")
_GOOGLE_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                  413: "INVALID_ARGUMENT", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}


def first_party_model(model: str) -> str:
    """`claude-sonnet-4-5@20250929` -> `claude-sonnet-4-5-20250929`."""
    return unquote(model).replace("@", "-")


class VertexCodec:
    name = NAME

    def claims(self, path: str, headers: dict[str, str]) -> bool:
        return "/publishers/anthropic/models/" in path

    def translate(self, scope: Scope, headers: dict[str, str], body: bytes) -> FirstParty:
        found = _PATH.fullmatch(scope["path"])
        if found is None:
            raise PlatformError(404, "NOT_FOUND", f"The requested URL {scope['path']} was not found on this server.")
        token = bearer(headers)
        if not token:
            raise PlatformError(401, "UNAUTHENTICATED", "Request is missing required authentication credential. "
                                "Expected OAuth 2 access token, login cookie or other valid authentication credential.")
        first_headers = {"x-api-key": key_for(NAME, token), "anthropic-version": "2023-06-01",
                         "content-type": "application/json"}
        payload = json_object(body, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        if found["model"] == "count-tokens":
            if isinstance(payload.get("model"), str):
                payload["model"] = first_party_model(payload["model"])
            payload.pop("anthropic_version", None)
            return FirstParty("/v1/messages/count_tokens", first_headers, orjson.dumps(payload))
        try:
            first_headers["anthropic-version"] = api_version(payload.pop("anthropic_version", None), VERSION)
        except ValueError as error:
            raise PlatformError(400, "INVALID_ARGUMENT", str(error)) from None
        payload["model"] = first_party_model(found["model"])
        if found["method"] == "streamRawPredict":
            payload.setdefault("stream", True)
        return FirstParty("/v1/messages", first_headers, orjson.dumps(payload))

    def error_reply(self, error: PlatformError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        status = _GOOGLE_STATUS.get(error.status, error.kind)
        body = {"error": {"code": error.status, "message": error.message, "status": status}}
        return error.status, [], orjson.dumps(body)
