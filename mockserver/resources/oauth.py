"""The token endpoint of the SDKs' credential providers: workload-identity (jwt-bearer) and refresh grants.

Each grant checks the fields the SDK sends and answers an RFC 6749 access-token response with a fresh token.
The refresh grant rotates the refresh token. Tokens are random, never derived from the assertion or the
refresh token sent (secrets never travel back).
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from ..call import Call
from ..http.errors import invalid_request
from ..http.replies import JsonReply, Reply

if TYPE_CHECKING:
    from ..state import AppState

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
REQUIRED = {JWT_BEARER: ("assertion", "federation_rule_id", "organization_id"),
            "refresh_token": ("refresh_token", "client_id")}
LIFETIME_SECONDS = 3600


def handlers(state: AppState) -> dict[str, Any]:
    return {"oauth_token": issue_token}


def issue_token(call: Call) -> Reply:
    body = call.body or {}
    grant = body["grant_type"]
    missing = [name for name in REQUIRED[grant] if not body.get(name)]
    if missing:
        raise invalid_request(f"{missing[0]}: Field required for grant_type {grant}")
    token = {"access_token": f"sk-ant-oat01-{secrets.token_urlsafe(32)}", "token_type": "Bearer",
             "expires_in": LIFETIME_SECONDS}
    if grant == "refresh_token":
        token["refresh_token"] = f"sk-ant-ort01-{secrets.token_urlsafe(32)}"
    return JsonReply(token)
