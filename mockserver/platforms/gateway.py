"""Platforms that serve the first-party API itself under a base path of their own; only the path
prefix and the credential differ:

    Microsoft Foundry       /anthropic/v1/...   `api-key` (or `x-api-key`), or an Entra ID bearer token
    Bedrock Mantle          /anthropic/v1/...   SigV4 (service `bedrock-mantle`), or a bearer API key
    Claude on Google Cloud  /v1/projects/{p}/locations/{l}/workspaces/{w}/invoke/v1/...
                            /v1/projects/{p}/locations/{l}/claudeOrganization/invoke/v1/...
                                                a Google OAuth bearer token
(`AnthropicAWS`, the `aws-external-anthropic` service, calls first-party paths at the root with SigV4:
the gate accepts that signature itself.) Errors are the first-party API's own.
"""

from __future__ import annotations

import re

import orjson

from ..http.asgi import Scope
from ..http.errors import ApiError
from .codec import FirstParty, PlatformError
from .credentials import CredentialError, bearer, key_for, sigv4_service

_GOOGLE = re.compile(r"/v1/projects/[^/]+/locations/[^/]+/(?:workspaces/[^/]+|claudeOrganization)/invoke(?P<rest>/.*)")


class GatewayCodec:
    name = "gateway"

    def claims(self, path: str, headers: dict[str, str]) -> bool:
        return path.startswith("/anthropic/") or bool(_GOOGLE.fullmatch(path))

    def translate(self, scope: Scope, headers: dict[str, str], body: bytes) -> FirstParty:
        path = scope["path"]
        google = _GOOGLE.fullmatch(path)
        if google:
            platform, rest = "google-cloud", google["rest"]
            token = bearer(headers)
            if not token:
                raise _missing("a Google OAuth access token (Authorization: Bearer ...)")
            key = key_for(platform, token)
        else:
            rest = path.removeprefix("/anthropic")
            platform, key = _foundry_or_mantle(headers)
        first_headers = {"x-api-key": key, "x-mock-platform": platform}
        return FirstParty(rest, first_headers, query_string=scope["query_string"])

    def error_reply(self, error: PlatformError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return error.status, [], orjson.dumps(ApiError(error.kind, error.message).envelope(None))


def _foundry_or_mantle(headers: dict[str, str]) -> tuple[str, str]:
    key = headers.get("api-key") or headers.get("x-api-key")  # the Python client sends api-key, TypeScript x-api-key
    if key:
        return "foundry", key_for("foundry", key)
    authorization = headers.get("authorization", "")
    if authorization.startswith("AWS4-HMAC-SHA256"):
        try:
            service = sigv4_service(authorization, headers)
        except CredentialError as error:
            raise PlatformError(401, "authentication_error", str(error)) from None
        return "bedrock-mantle", key_for("bedrock-mantle", f"{service}:{authorization.split('/', 1)[0]}")
    token = bearer(headers)
    if token:
        return "foundry", key_for("foundry", token)  # an Entra ID token, or a Mantle API key
    raise _missing("`api-key`, an Entra ID or API-key bearer token, or a SigV4 signature")


def _missing(what: str) -> PlatformError:
    return PlatformError(401, "authentication_error", f"Missing credentials: this platform expects {what}.")
