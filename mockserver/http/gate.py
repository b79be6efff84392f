"""The gate: every check a request passes before a handler sees it, in the API's order.

auth -> anthropic-version -> anthropic-beta -> body size -> JSON parse -> beta-gated fields -> schema.
Each failure is an ApiError rendered in the Anthropic envelope.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING, Any

from starlette.requests import Request

from ..call import Call
from ..config import ADMIN_KEY_PREFIX
from ..spec.loader import behaviour_version
from ..spec.query import QueryReader
from .asgi import Receive
from .aws_sigv4 import CredentialError, sigv4_service
from .errors import ApiError, invalid_request
from .json_body import parse_json
from .offload import LARGE_BODY
from .upload_names import restore_filenames

if TYPE_CHECKING:
    from ..state import AppState
    from ..spec import Operation


_VERSION_FORMAT = re.compile(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])")
# Operations whose optional fields real traffic (and the SDKs' None arguments) send as `null`: there
# `null` is the field left out. Elsewhere, without such evidence, the schema's word stands.
NULL_TOLERANT = frozenset({"messages_create", "messages_count_tokens", "batches_create", "completions_create"})
_MISSING_KEY = "x-api-key header is required"
_INVALID_KEY = "invalid x-api-key"
_ADMIN_ONLY = "Your API key does not have permission to use the specified resource."


def headers_of(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Lower-case names; repeated `anthropic-beta` headers are joined like a comma list."""
    headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in raw}
    if "anthropic-beta" in headers:
        headers["anthropic-beta"] = ",".join(value.decode("latin-1") for name, value in raw
                                             if name.decode("latin-1").lower() == "anthropic-beta")
    return headers


def api_key_of(headers: dict[str, str]) -> str:
    """`x-api-key` wins over `Authorization: Bearer` when both are sent, as in the API."""
    key = headers.get("x-api-key", "").strip()
    if key:
        return key
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return token.strip()
    if scheme == "AWS4-HMAC-SHA256":  # AnthropicAWS: the first-party API behind an AWS signature
        return _aws_key(headers)
    return ""


def _aws_key(headers: dict[str, str]) -> str:
    """A stand-in key for a well-formed SigV4 signature (its secret is never checked), else none."""
    try:
        sigv4_service(headers["authorization"], headers)
    except CredentialError:
        return ""
    credential = headers["authorization"].split("Credential=", 1)[1].split("/", 1)[0]
    return "sk-ant-aws-" + hashlib.sha256(credential.encode()).hexdigest()[:16]


class Gate:
    def __init__(self, state: AppState) -> None:
        self._state = state
        self._config = state.config
        self._versions: dict[str, str] = {}  # anthropic-version header -> the behaviour version it picks
        self._query = QueryReader(self._config.query_array_format, self._config.query_object_format)

    async def admit(self, operation: Operation, path_params: dict[str, str], scope: dict[str, Any],
                    receive: Receive, headers: dict[str, str], request_id: str) -> Call:
        key = self._authenticate(operation, headers)
        version = self._version(operation, headers)
        betas = self._betas(headers)
        query = self._read_query(operation, scope["query_string"])
        body, raw_body = None, b""
        form_reader = None
        if operation.body_media_type == "application/json":
            _check_json_content_type(headers.get("content-type"))
            raw_body = await read_body(receive, headers, operation.max_body_bytes)
            body = parse_json(raw_body)  # on the loop: orjson holds the GIL, a thread would free nothing
            if len(raw_body) < LARGE_BODY:
                self._check_body(operation, body, raw_body, betas, version)
            else:  # a refusal's explanation walks the body in Python
                await self._state.offload.run(self._check_body, operation, body, raw_body, betas, version)
        elif operation.body_media_type == "multipart/form-data":
            form_reader = _form_reader(scope, receive, headers, operation.max_body_bytes)
        return Call(
            method=scope["method"], path=scope["path"], query_string=scope["query_string"].decode("latin-1"),
            operation=operation, path_params=path_params, query=query, headers=headers, body=body,
            raw_body=raw_body, version=version, betas=betas, api_key=key, request_id=request_id,
            base_url=_base_url(scope, headers), state=self._state, _form_reader=form_reader,
        )

    def _check_body(self, operation: Operation, body: Any, raw_body: bytes, betas: tuple[str, ...],
                    version: str) -> None:
        if not self._config.stateless:  # shapes only: which beta enables a field is behaviour
            self._check_beta_fields(operation, body, betas)  # before nulls go: unknown without its beta
        validator = self._state.validators.body(operation.operation_id, version)
        if validator is not None:
            # `null` for an optional field is the field left out; only a body the schema refuses
            # as sent is walked for such nulls, so valid bodies (most) pay nothing for it
            if operation.operation_id in NULL_TOLERANT and b"null" in raw_body and not validator.is_valid(body):
                self._state.validators.drop_null_options(operation.operation_id, version, body)
            validator.check(body)

    def _read_query(self, operation: Operation, query_string: bytes) -> dict[str, Any]:
        if not query_string and not operation.query_required:
            return {}
        return self._query.read(operation.query, query_string.decode("latin-1"))

    def _authenticate(self, operation: Operation, headers: dict[str, str]) -> str:
        key = api_key_of(headers)
        if operation.public:
            return key
        if not key:
            raise ApiError("authentication_error", _MISSING_KEY)
        config = self._config
        if config.stateless:  # generated SDK suites call every route with one key
            if config.api_keys and key not in (*config.api_keys, *config.admin_keys):
                raise ApiError("authentication_error", _INVALID_KEY)
            return key
        is_admin = self._is_admin(key)
        if operation.admin:
            if is_admin:
                return key
            if key.startswith(ADMIN_KEY_PREFIX) or (config.api_keys and key not in config.api_keys):
                raise ApiError("authentication_error", _INVALID_KEY)
            raise ApiError("permission_error", _ADMIN_ONLY)
        if is_admin or (config.api_keys and key not in config.api_keys):
            raise ApiError("authentication_error", _INVALID_KEY)
        return key

    def _is_admin(self, key: str) -> bool:
        """--admin-key keys; without them, sk-ant-admin... keys, unless --api-key locked the server:
        then a guessed admin key must not open the admin routes."""
        config = self._config
        if config.admin_keys:
            return key in config.admin_keys
        return not config.api_keys and key.startswith(ADMIN_KEY_PREFIX)

    def _version(self, operation: Operation, headers: dict[str, str]) -> str:
        requested = headers.get("anthropic-version")
        chosen = self._versions.get(requested)  # type: ignore[arg-type]
        if chosen is not None:
            return chosen
        known = self._state.validators.versions
        if requested is None:
            if operation.requires_version:
                raise invalid_request("anthropic-version: header is required")
            return known[-1]
        stripped = requested.strip()
        if not _VERSION_FORMAT.fullmatch(stripped) or not _is_calendar_date(stripped):
            raise invalid_request(f'anthropic-version: "{stripped}" is not a valid version')
        chosen = behaviour_version(stripped, known)
        if len(self._versions) < 64:  # clients send one or two values; a fuzzer must not grow this
            self._versions[requested] = chosen
        return chosen

    def _betas(self, headers: dict[str, str]) -> tuple[str, ...]:
        header = headers.get("anthropic-beta")
        if not header:
            return ()
        betas = tuple(b.strip() for b in header.split(",") if b.strip())
        if self._config.strict_betas:
            unknown = [b for b in betas if b not in self._state.known_betas]
            if unknown:
                names = ", ".join(unknown)
                raise invalid_request(
                    f"Unexpected value(s) `{names}` for the `anthropic-beta` header. Please consult our "
                    "documentation at docs.claude.com or try again without the header."
                )
        return betas

    @staticmethod
    def _check_beta_fields(operation: Operation, body: Any, betas: tuple[str, ...]) -> None:
        if not operation.beta_fields or not isinstance(body, dict):
            return
        name = operation.field_missing_beta(body, betas)
        if name is not None:
            raise invalid_request(f"{name}: Extra inputs are not permitted")


def _is_calendar_date(text: str) -> bool:
    """`2023-02-31` has the shape of a date but is none."""
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _check_json_content_type(content_type: str | None) -> None:
    """A JSON route refuses a body declared as something else (no declaration is let through, as
    clients such as curl --data-binary may omit it). No source states the API's exact words; this
    message follows the shape of its header errors (`anthropic-version: "<v>" is not a valid version`)."""
    if content_type is None:
        return
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json" or (media_type.endswith("+json") and "/" in media_type):
        return
    raise invalid_request(f'content-type: "{content_type.strip()}" is not supported; '
                          'the request body must be JSON (application/json)')


def _too_large() -> ApiError:
    return ApiError("request_too_large")


def _declared_length(headers: dict[str, str], limit: int) -> None:
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large()


async def read_body(receive: Receive, headers: dict[str, str], limit: int) -> bytes:
    _declared_length(headers, limit)
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ApiError("invalid_request_error", "Client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _too_large()
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks) if len(chunks) != 1 else chunks[0]


def _form_reader(scope: dict[str, Any], receive: Receive, headers: dict[str, str], limit: int):
    content_type = headers.get("content-type", "")
    if not content_type.startswith("multipart/form-data"):
        raise invalid_request("Content-Type must be multipart/form-data for this endpoint")
    _declared_length(headers, limit)
    size = 0

    async def limited_receive() -> dict[str, Any]:
        nonlocal size
        message = await receive()
        size += len(message.get("body", b""))
        if size > limit:
            raise _too_large()
        return message

    async def read_form():
        try:
            form = await Request(scope, limited_receive).form(max_files=10_000, max_fields=10_000,
                                                              max_part_size=limit)
            return restore_filenames(form)
        except ApiError:
            raise
        except Exception as error:  # malformed multipart
            raise invalid_request(f"Invalid multipart/form-data body: {error}") from None

    return read_form


def _base_url(scope: dict[str, Any], headers: dict[str, str]) -> str:
    host = headers.get("host")
    scheme = scope.get("scheme", "http")
    if host:
        return f"{scheme}://{host}"
    server = scope.get("server") or ("127.0.0.1", 80)
    return f"{scheme}://{server[0]}:{server[1]}"
