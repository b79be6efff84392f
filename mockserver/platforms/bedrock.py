"""Amazon Bedrock's InvokeModel API around the first-party Messages API.

    POST /model/{modelId}/invoke                       -> POST /v1/messages
    POST /model/{modelId}/invoke-with-response-stream  -> POST /v1/messages, stream: true,
                                                          answered in the AWS event-stream framing
    POST /model/{modelId}/count-tokens                 -> POST /v1/messages/count_tokens

The body carries `anthropic_version: "bedrock-2023-05-31"` and `anthropic_beta: [...]` instead of
headers, and no `model` or `stream`: the path says both. Requests are signed with SigV4 (service
`bedrock`; its shape is checked, not its secret) or carry a Bedrock API key as a bearer token.
Errors take Bedrock's shape: `{"message": ...}` with `x-amzn-errortype`.
"""

from __future__ import annotations

import base64
import re
import time
import uuid
from typing import Any
from urllib.parse import unquote

import orjson

from ..http.asgi import Message, Scope, Send
from . import eventstream
from .codec import FirstParty, PlatformError, api_version, json_object
from .credentials import CredentialError, bearer, key_for, sigv4_service

NAME = "bedrock"
VERSION = "bedrock-2023-05-31"
_PATH = re.compile(r"/model/(?P<model>[^/]+)/(?P<action>invoke|invoke-with-response-stream|count-tokens)")
_PROFILE = re.compile(r"^(?:[a-z]{2,4}(?:-gov)?|global)\.")  # cross-region inference profiles: us., eu., global.
_VERSIONED = re.compile(r"-v\d+(?::\d+)?$")

# first-party error type -> (Bedrock status, Bedrock exception); the stream's names are camelCase
ERRORS: dict[str, tuple[int, str]] = {
    "invalid_request_error": (400, "ValidationException"),
    "request_too_large": (400, "ValidationException"),
    "authentication_error": (403, "AccessDeniedException"),
    "permission_error": (403, "AccessDeniedException"),
    "billing_error": (403, "AccessDeniedException"),
    "not_found_error": (404, "ResourceNotFoundException"),
    "conflict_error": (400, "ValidationException"),
    "rate_limit_error": (429, "ThrottlingException"),
    "api_error": (500, "InternalServerException"),
    "timeout_error": (408, "ModelTimeoutException"),
    "overloaded_error": (503, "ServiceUnavailableException"),
}
_STREAM_ERRORS = {"rate_limit_error": "throttlingException", "overloaded_error": "serviceUnavailableException",
                  "api_error": "internalServerException", "timeout_error": "modelTimeoutException",
                  "invalid_request_error": "validationException"}


def first_party_model(model_id: str) -> str:
    """`us.anthropic.claude-sonnet-4-5-20250929-v1:0` (or its ARN) -> `claude-sonnet-4-5-20250929`."""
    model = unquote(model_id).rsplit("/", 1)[-1]
    model = _PROFILE.sub("", model)
    model = model.removeprefix("anthropic.")
    return _VERSIONED.sub("", model)


class BedrockCodec:
    name = NAME

    def claims(self, path: str, headers: dict[str, str]) -> bool:
        return path.startswith("/model/")

    def translate(self, scope: Scope, headers: dict[str, str], body: bytes) -> FirstParty:
        found = _PATH.fullmatch(scope["path"])
        if found is None:
            raise PlatformError(404, "UnknownOperationException", "The requested operation is not recognized.")
        key = _credential(headers)
        payload = json_object(body, "ValidationException", "Malformed input request, please reformat your input and try again.")
        model = first_party_model(found["model"])
        first_headers = {"x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json"}
        betas = payload.pop("anthropic_beta", None)
        if betas:
            if not isinstance(betas, list) or not all(isinstance(beta, str) for beta in betas):
                raise PlatformError(400, "ValidationException", "anthropic_beta: expected a list of strings")
            first_headers["anthropic-beta"] = ",".join(betas)
        if found["action"] == "count-tokens":
            return FirstParty("/v1/messages/count_tokens", first_headers, _count_body(payload, model),
                              framing=BedrockFraming(count_tokens=True))
        for extraneous in ("model", "stream"):
            if extraneous in payload:
                raise PlatformError(400, "ValidationException", f"extraneous key [{extraneous}] is not permitted")
        first_headers["anthropic-version"] = _check_version(payload)
        streamed = found["action"] == "invoke-with-response-stream"
        content = {"model": model, **payload, **({"stream": True} if streamed else {})}
        return FirstParty("/v1/messages", first_headers, orjson.dumps(content), framing=BedrockFraming())

    def error_reply(self, error: PlatformError) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return error.status, _error_headers(error.kind), orjson.dumps({"message": error.message})


def _credential(headers: dict[str, str]) -> str:
    authorization = headers.get("authorization", "")
    token = bearer(headers)
    if token:  # a Bedrock API key
        return key_for(NAME, token)
    if not authorization:
        raise PlatformError(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    try:
        service = sigv4_service(authorization, headers)
    except CredentialError as error:
        raise PlatformError(403, "IncompleteSignatureException", str(error)) from None
    if service != "bedrock":
        raise PlatformError(403, "InvalidSignatureException",
                            f"Credential should be scoped to correct service: 'bedrock'. (got '{service}')")
    return key_for(NAME, authorization.split("Credential=", 1)[1].split("/", 1)[0])


def _check_version(payload: dict[str, Any]) -> str:
    """The first-party version the body asks for: Bedrock's own name stands for 2023-06-01; the 2.x
    SDKs send the API version date itself."""
    version = payload.pop("anthropic_version", None)
    try:
        return api_version(version, VERSION)
    except ValueError as error:
        raise PlatformError(400, "ValidationException", str(error)) from None


def _count_body(payload: dict[str, Any], model: str) -> bytes:
    """CountTokens wraps an InvokeModel body: {"input": {"invokeModel": {"body": "<JSON text>"}}}."""
    try:
        inner = orjson.loads(payload["input"]["invokeModel"]["body"])
    except (KeyError, TypeError, orjson.JSONDecodeError):
        raise PlatformError(400, "ValidationException",
                            "input.invokeModel.body: expected the InvokeModel request body as JSON text") from None
    if not isinstance(inner, dict):
        raise PlatformError(400, "ValidationException", "input.invokeModel.body: expected a JSON object")
    _check_version(inner)
    inner.pop("anthropic_beta", None)
    for ignored in ("max_tokens", "stream", "temperature", "top_p", "top_k", "stop_sequences", "metadata"):
        inner.pop(ignored, None)
    return orjson.dumps({"model": model, **inner})


def _error_headers(kind: str) -> list[tuple[bytes, bytes]]:
    return [(b"x-amzn-errortype", f"{kind}:http://internal.amazon.com/coral/com.amazon.bedrock/".encode()),
            (b"x-amzn-requestid", str(uuid.uuid4()).encode())]


class BedrockFraming:
    """First-party answers in Bedrock's form: JSON as it is (with Bedrock's headers), SSE as
    event-stream frames, errors as Bedrock exceptions."""

    def __init__(self, count_tokens: bool = False) -> None:
        self.count_tokens = count_tokens
        self.started = time.monotonic()
        self.mode = "json"
        self.status = 200
        self.headers: list[tuple[bytes, bytes]] = []
        self.pending = b""
        self.buffered: list[bytes] = []
        self.tokens = {"inputTokenCount": 0, "outputTokenCount": 0}

    async def start(self, message: Message, send: Send) -> None:
        self.status = message["status"]
        headers = [(k, v) for k, v in message["headers"] if k not in (b"content-type", b"content-length")]
        content_type = dict(message["headers"]).get(b"content-type", b"")
        if content_type.startswith(b"text/event-stream"):
            self.mode = "stream"
            await send({"type": "http.response.start", "status": 200, "headers": [
                *headers, (b"content-type", b"application/vnd.amazon.eventstream"),
                (b"x-amzn-bedrock-content-type", b"application/json")]})
        else:
            self.mode = "json"
            self.headers = headers

    async def body(self, message: Message, send: Send) -> None:
        chunk, more = message.get("body", b""), message.get("more_body", False)
        if self.mode == "stream":
            frames = self._frames(chunk, final=not more)
            await send({"type": "http.response.body", "body": frames, "more_body": more})
            return
        self.buffered.append(chunk)
        if not more:
            status, headers, payload = self._whole(b"".join(self.buffered))
            await send({"type": "http.response.start", "status": status,
                        "headers": [*self.headers, *headers, (b"content-length", str(len(payload)).encode())]})
            await send({"type": "http.response.body", "body": payload})

    def _whole(self, payload: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        document = _loads(payload)
        if self.status >= 400:
            error = (document or {}).get("error") or {}
            status, kind = ERRORS.get(error.get("type"), (self.status, "InternalServerException"))
            body = orjson.dumps({"message": error.get("message", "")})
            return status, [(b"content-type", b"application/json"), *_error_headers(kind)], body
        headers = [(b"content-type", b"application/json"), (b"x-amzn-requestid", str(uuid.uuid4()).encode())]
        if self.count_tokens:
            return 200, headers, orjson.dumps({"inputTokens": (document or {}).get("input_tokens", 0)})
        usage = (document or {}).get("usage") or {}
        headers += [(b"x-amzn-bedrock-invocation-latency", str(self._latency_ms()).encode()),
                    (b"x-amzn-bedrock-input-token-count", str(usage.get("input_tokens", 0)).encode()),
                    (b"x-amzn-bedrock-output-token-count", str(usage.get("output_tokens", 0)).encode())]
        return 200, headers, payload

    def _frames(self, chunk: bytes, final: bool) -> bytes:
        self.pending += chunk
        *events, self.pending = self.pending.replace(b"\r\n", b"\n").split(b"\n\n")
        if final and self.pending.strip():
            events.append(self.pending)
            self.pending = b""
        return b"".join(self._frame(event) for event in events)

    def _frame(self, raw_event: bytes) -> bytes:
        data = b"\n".join(line[5:].lstrip() for line in raw_event.split(b"\n") if line.startswith(b"data:"))
        event = _loads(data)
        if not isinstance(event, dict) or event.get("type") == "ping":
            return b""  # Bedrock sends no keep-alive events
        if event.get("type") == "error":
            error = event.get("error") or {}
            kind = _STREAM_ERRORS.get(error.get("type"), "modelStreamErrorException")
            return eventstream.exception(kind, orjson.dumps({"message": error.get("message", "")}))
        self._count(event)
        if event.get("type") == "message_stop":  # Bedrock closes the stream with its own metrics
            event["amazon-bedrock-invocationMetrics"] = {**self.tokens, "invocationLatency": self._latency_ms(),
                                                         "firstByteLatency": self._latency_ms()}
            data = orjson.dumps(event)
        return eventstream.event(orjson.dumps({"bytes": base64.b64encode(data).decode()}))

    def _count(self, event: dict[str, Any]) -> None:
        if event.get("type") == "message_start":
            usage = (event.get("message") or {}).get("usage") or {}
            self.tokens["inputTokenCount"] = usage.get("input_tokens") or 0
        elif event.get("type") == "message_delta":
            self.tokens["outputTokenCount"] = (event.get("usage") or {}).get("output_tokens") or 0

    def _latency_ms(self) -> int:
        return max(1, int((time.monotonic() - self.started) * 1000))


def _loads(payload: bytes) -> Any:
    try:
        return orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
