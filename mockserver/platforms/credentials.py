"""What each platform's client sends to prove who it is, checked for shape (never for a secret) and
turned into the key the first-party gate reads: the mock accepts any well-formed credential."""

from __future__ import annotations

import hashlib

from ..http.aws_sigv4 import CredentialError, sigv4_service

__all__ = ["CredentialError", "bearer", "key_for", "sigv4_service"]

def key_for(platform: str, credential: str) -> str:
    """A stable stand-in for the first-party x-api-key: the journal and rate limits see one key per
    credential, never the credential itself."""
    digest = hashlib.sha256(credential.encode()).hexdigest()[:16]
    return f"sk-ant-{platform}-{digest}"


def bearer(headers: dict[str, str]) -> str | None:
    scheme, _, token = headers.get("authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
