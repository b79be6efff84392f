"""Remove credentials from recorded exchanges, and find any that are left.

The scrubber rewrites the values; the scanner is what the corpus test runs over every file, so a
source that slips a new kind of secret past the scrubber fails the suite rather than getting committed.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any

import yaml

REDACTED = "REDACTED"
SECRET_HEADERS = frozenset({
    "x-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie",
    "anthropic-organization-id",
})
API_KEY = re.compile(r"sk-ant-[A-Za-z0-9_\-]+")
# A token, not a word of prose: 16+ token characters with at least one digit.
BEARER = re.compile(r"(?i)(bearer\s+)((?=[A-Za-z0-9._~+/=\-]*\d)[A-Za-z0-9._~+/=\-]{16,})")
UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# An organization id as a JSON/YAML/form value, also inside an escaped JSON string (\\" quotes).
ORG_ID = re.compile(r"(?i)(organi[sz]ation[_-]?id[\\\\\"']*\s*[:=]\s*[\\\\\"']*)(" + UUID + ")")
# What a recorder leaves in place of a secret: these are not secrets themselves.
PLACEHOLDER = re.compile(r"(?i)^(redacted|filtered|dummy|fake|test|none|null|x+|\*+|<[^>]*>|\{[^}]*\})$")


def scrub_text(text: str) -> str:
    text = API_KEY.sub(REDACTED, text)
    text = BEARER.sub(lambda m: m.group(1) + (m.group(2) if _placeholder(m.group(2)) else REDACTED), text)
    return ORG_ID.sub(lambda m: m.group(1) + REDACTED, text)


def _placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.match(value.strip().strip("'\"")))


def scrub_headers(headers: dict[str, list[str]]) -> dict[str, list[str]]:
    return {
        name: [REDACTED for _ in values] if name.lower() in SECRET_HEADERS else [scrub_text(v) for v in values]
        for name, values in headers.items()
    }


def read_corpus_file(path: Path) -> str:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8")


def load_corpus_cassette(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser reads the corpus ~10x faster
    return yaml.load(read_corpus_file(path), Loader=loader) or {}  # noqa: S506 - a safe loader


def find_secrets(path: Path) -> list[str]:
    """Every credential-looking thing left in one corpus file, described for a failure message."""
    text = read_corpus_file(path)
    found = [f"{path.name}: api key {m.group(0)[:12]}..." for m in API_KEY.finditer(text)]
    found += [f"{path.name}: bearer token {m.group(2)[:6]}..." for m in BEARER.finditer(text)
              if not _placeholder(m.group(2))]
    found += [f"{path.name}: organization id {m.group(2)}" for m in ORG_ID.finditer(text)]
    if path.name.endswith((".yaml", ".yml", ".yaml.gz", ".yml.gz")):
        found += _secret_headers(path.name, load_corpus_cassette(path))
    return found


def _secret_headers(name: str, cassette: dict[str, Any]) -> list[str]:
    found = []
    for index, interaction in enumerate(cassette.get("interactions") or []):
        for side in ("request", "response"):
            for header, values in (interaction.get(side, {}).get("headers") or {}).items():
                if header.lower() in SECRET_HEADERS:
                    found += [f"{name}#{index}: {side} header {header}" for v in _as_list(values)
                              if not _placeholder(str(v))]
    return found


def _as_list(values: Any) -> list[Any]:
    return values if isinstance(values, list) else [values]
