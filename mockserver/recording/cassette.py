"""Cassettes: recorded request/response pairs in one human-readable YAML file each.

    version: 1
    upstream: https://api.anthropic.com
    interactions:
    - request:  {operation, method, uri, headers, body: {json: ...} | {string: ...} | {base64: ...}}
      response: {status, headers, body: {...}}          # or, for server-sent events:
      response: {status, headers, events: [{event, delay, json | data}, ...]}

A JSON body is stored as YAML structure only when re-encoding it gives back the recorded bytes,
so replay is byte-for-byte and diffs stay line-by-line; anything else is stored as text or base64.
`delay` is the seconds since the previous event (the first: since the response headers).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from ..http.json_body import bracket_depth
from ..http.sse import encode_event

FORMAT_VERSION = 1
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class RecordedRequest:
    operation: str
    method: str
    uri: str  # path and query string
    headers: dict[str, str]
    body: bytes = b""


@dataclass(slots=True)
class RecordedEvent:
    name: str | None
    data: str
    delay: float = 0.0

    def encoded(self) -> bytes:
        return encode_event(self.name, self.data)


@dataclass(slots=True)
class RecordedResponse:
    status: int
    headers: list[tuple[str, str]]  # lower-case names, in the order received
    body: bytes = b""
    events: list[RecordedEvent] | None = None  # set for text/event-stream

    def header(self, name: str) -> str | None:
        return next((value for key, value in self.headers if key == name), None)


@dataclass(slots=True)
class Interaction:
    request: RecordedRequest
    response: RecordedResponse
    plan: Any = field(default=None, repr=False, compare=False)  # replay.ReplayPlan, built once


@dataclass(slots=True)
class CassetteFile:
    path: Path
    interactions: list[Interaction]
    existed: bool
    upstream: str | None = None
    placeholders: dict[str, int] = field(default_factory=dict)  # normalize rule -> last number given
    on_disk: int = 0  # interactions the file holds now: more are appended, never the whole rewritten
    written_placeholders: dict[str, int] = field(default_factory=dict)


MAX_FLOW_DEPTH = 200  # nested [ and { in a cassette file
_TOP_LEVEL = re.compile(rb"^[^\s#\-][^\n]*", re.M)  # lines at column 0 that are not list items or comments


class CassetteError(ValueError):
    """A cassette file that cannot be used; the message names the file and what is wrong."""


def read_cassette(path: Path) -> CassetteFile:
    """The cassette at `path`; an empty one (existed=False) when there is no such file. A file that
    is not a readable cassette raises CassetteError naming it and the problem (never a traceback)."""
    if not path.exists():
        return CassetteFile(path, [], existed=False)
    try:
        data = path.read_bytes()
        if bracket_depth(data) > MAX_FLOW_DEPTH:  # PyYAML takes minutes over 5,000 nested brackets
            raise CassetteError(f"{path}: nested deeper than {MAX_FLOW_DEPTH} levels")
        raw = yaml.load(data, Loader=_Loader) or {}
    except yaml.YAMLError as error:
        raise CassetteError(f"{path}: not valid YAML ({_first_line(error)})") from None
    except (OSError, RecursionError, ValueError) as error:  # a folder, nesting, a 5,000-digit number, ...
        raise CassetteError(f"{path}: cannot be read ({_first_line(error) or type(error).__name__})") from None
    return cassette_from_document(raw, path, data)


def cassette_from_document(raw: Any, path: Path, data: bytes = b"") -> CassetteFile:
    """A cassette already parsed from YAML (`mockserver conformance` reads gzipped ones too); `data`,
    the file's bytes, tells whether recording may append to it."""
    if not isinstance(raw, dict) or not isinstance(raw.get("interactions", []), list):
        raise CassetteError(f"{path}: not a cassette (expected a mapping with `interactions`)")
    items = raw.get("interactions") or []
    interactions = [_interaction(item, path, i) for i, item in enumerate(items)]
    placeholders = _mapping(raw.get("placeholders"), path)
    for item in items:  # appended interactions carry the numbering as it was after them
        placeholders.update(_mapping(item.get("placeholders"), path))
    cassette = CassetteFile(path, interactions, True, raw.get("upstream"), placeholders)
    cassette.on_disk = len(interactions) if data and _ends_with_interactions(data) else 0  # else rewritten once, ours
    return cassette


def _ends_with_interactions(data: bytes) -> bool:
    """Whether items appended at the end of the file continue `interactions`: it is the last
    top-level key, in block style, and the file ends with a line break."""
    keys = _TOP_LEVEL.findall(data)
    return bool(keys) and keys[-1].rstrip() == b"interactions:" and data.endswith(b"\n")


def write_cassette(cassette: CassetteFile) -> None:
    """Write the whole file atomically: a reader (another worker, a test) never sees half a file."""
    document: dict[str, Any] = {"version": FORMAT_VERSION}
    if cassette.upstream:
        document["upstream"] = cassette.upstream
    if cassette.placeholders:
        document["placeholders"] = cassette.placeholders
    document["interactions"] = [_plain_interaction(i) for i in cassette.interactions]
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    cassette.path.parent.mkdir(parents=True, exist_ok=True)
    temporary = cassette.path.with_name(f".{cassette.path.name}.{os.getpid()}.tmp")
    temporary.write_text("# anthropic-mockserver cassette (README: Record and replay)\n" + text)
    os.replace(temporary, cassette.path)
    cassette.on_disk, cassette.written_placeholders = len(cassette.interactions), dict(cassette.placeholders)


def add_interaction(cassette: CassetteFile, interaction: Interaction) -> None:
    """Keep `interaction` in the file by appending it (its cost is its own size, whatever the
    cassette holds): `interactions` is the file's last key and its items start at column 0, so
    one more item is one more block of text at the end. A new file is written whole."""
    cassette.interactions.append(interaction)
    if cassette.on_disk == 0 or cassette.on_disk != len(cassette.interactions) - 1:
        write_cassette(cassette)
        return
    item = _plain_interaction(interaction)
    if cassette.placeholders != cassette.written_placeholders:
        item["placeholders"] = dict(cassette.placeholders)
        cassette.written_placeholders = dict(cassette.placeholders)
    text = yaml.dump([item], Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    with open(cassette.path, "a", encoding="utf-8") as handle:
        handle.write(text)  # one write: a reader sees the item whole or not at all (in practice)
    cassette.on_disk += 1


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else ""


def _mapping(value: Any, path: Path) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CassetteError(f"{path}: `placeholders` must be a mapping")
    return dict(value)


# -- bodies ------------------------------------------------------------------------------------

def pack_body(raw: bytes) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        parsed = orjson.loads(raw)
        if orjson.dumps(parsed) == raw:
            return {"json": parsed}
    except orjson.JSONDecodeError:
        pass
    try:
        return {"string": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode()}


def unpack_body(packed: dict[str, Any] | None) -> bytes:
    if not packed:
        return b""
    if "json" in packed:
        return orjson.dumps(packed["json"])
    if "string" in packed:
        return packed["string"].encode("utf-8")
    return base64.b64decode(packed.get("base64", ""))


def _pack_event(event: RecordedEvent) -> dict[str, Any]:
    packed: dict[str, Any] = {"event": event.name, "delay": round(event.delay, 4)}
    body = pack_body(event.data.encode("utf-8"))
    packed.update({"json": body["json"]} if "json" in body else {"data": event.data})
    return packed


def _unpack_event(item: dict[str, Any]) -> RecordedEvent:
    data = orjson.dumps(item["json"]).decode() if "json" in item else str(item.get("data", ""))
    return RecordedEvent(item.get("event"), data, float(item.get("delay") or 0.0))


# -- YAML <-> objects ----------------------------------------------------------------------------

def _plain_interaction(interaction: Interaction) -> dict[str, Any]:
    request, response = interaction.request, interaction.response
    plain_request: dict[str, Any] = {"operation": request.operation, "method": request.method, "uri": request.uri,
                                     "headers": dict(request.headers)}
    if request.body:
        plain_request["body"] = pack_body(request.body)
    plain_response: dict[str, Any] = {"status": response.status, "headers": dict(response.headers)}
    if response.events is not None:
        plain_response["events"] = [_pack_event(e) for e in response.events]
    elif response.body:
        plain_response["body"] = pack_body(response.body)
    return {"request": plain_request, "response": plain_response}


def _interaction(item: Any, path: Path, index: int) -> Interaction:
    try:
        request, response = item["request"], item["response"]
        events = [_unpack_event(e) for e in response["events"]] if "events" in response else None
        recorded = RecordedResponse(int(response["status"]), _header_list(response.get("headers")),
                                    unpack_body(response.get("body")), events)
        if events is not None:
            recorded.body = b"".join(e.encoded() for e in events)
        return Interaction(
            RecordedRequest(str(request.get("operation", "")), str(request["method"]).upper(), str(request["uri"]),
                            {str(k).lower(): str(v) for k, v in (request.get("headers") or {}).items()},
                            unpack_body(request.get("body"))),
            recorded)
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as error:
        raise CassetteError(f"{path}: interaction {index} is malformed: {error!r}") from None


def _header_list(headers: Any) -> list[tuple[str, str]]:
    if isinstance(headers, dict):
        return [(str(k).lower(), str(v)) for k, v in headers.items()]
    return [(str(k).lower(), str(v)) for k, v in headers or []]


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Multi-line strings as literal blocks: readable, and a changed line is a one-line diff."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> Any:
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)
