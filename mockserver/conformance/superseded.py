"""Recordings a replay cannot hold the mock to, listed as data beside the corpus, each with its reason.

A folder's `sources.yaml` may carry two lists of
`{file: <path under the folder>, exchanges: [index, ...] (optional: all), reason: ..., evidence: [url, ...]}`:
`superseded` (today's API answers that request otherwise) and `altered` (the recorder changed the
request before writing it, so the request replayed is not the one the API answered). Such an
exchange is still replayed and compared; its differences are reported under its kind, with the
reason, instead of failing the run. An entry that no longer differs is reported as stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

MANIFEST = "sources.yaml"
KINDS = ("superseded", "altered")


@dataclass(frozen=True, slots=True)
class Superseded:
    kind: str                            # one of KINDS
    file: str                            # path under the corpus folder, with "/" separators
    reason: str
    evidence: tuple[str, ...]
    exchanges: frozenset[int] | None     # None: every exchange of the file

    def covers(self, index: int) -> bool:
        return self.exchanges is None or index in self.exchanges


class BadManifest(ValueError):
    """A `superseded:` entry without a file, a reason or evidence."""


def superseded_in(folder: Path) -> dict[Path, Superseded]:
    """The superseded and altered entries of `folder/sources.yaml`, by the resolved path of their file."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        return {}
    document = yaml.safe_load(manifest.read_text()) or {}
    found = {}
    for kind in KINDS:
        for entry in (document.get(kind) or [] if isinstance(document, dict) else []):
            item = _entry(kind, entry, manifest)
            found[(folder / item.file).resolve()] = item
    return found


def _entry(kind: str, entry: object, manifest: Path) -> Superseded:
    if not isinstance(entry, dict) or not entry.get("file") or not str(entry.get("reason", "")).strip() \
            or not entry.get("evidence"):
        raise BadManifest(f"{manifest}: a {kind} entry needs file, reason and evidence: {entry!r}")
    indexes = entry.get("exchanges")
    return Superseded(kind=kind, file=str(entry["file"]), reason=" ".join(str(entry["reason"]).split()),
                      evidence=tuple(map(str, entry["evidence"])),
                      exchanges=None if indexes is None else frozenset(int(i) for i in indexes))
