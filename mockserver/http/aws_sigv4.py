"""The shape of an AWS Signature Version 4 `Authorization` header (the secret is never checked: the
mock accepts any well-formed signature, as a test double should)."""

from __future__ import annotations

import re

# AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=<64 hex>
_SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=(?P<key>[A-Za-z0-9]{16,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?Signature=[0-9a-f]{64}")


class CredentialError(Exception):
    """A missing or malformed credential; `kind` says which, in the platform's words."""

    def __init__(self, message: str, kind: str = "missing") -> None:
        super().__init__(message)
        self.kind = kind


def sigv4_service(authorization: str, headers: dict[str, str]) -> str:
    """The service a well-formed SigV4 Authorization names; CredentialError otherwise."""
    found = _SIGV4.fullmatch(authorization.strip())
    if found is None:
        raise CredentialError("Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
                              "parameters in the AWS4-HMAC-SHA256 form.", "malformed")
    signed = found["signed"].split(";")
    if "host" not in signed or not (headers.get("x-amz-date") or "x-amz-date" not in signed):
        raise CredentialError("The request signature does not sign the host and x-amz-date headers.", "malformed")
    return found["service"]


