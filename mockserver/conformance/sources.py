"""Where recorded exchanges come from: files and folders of cassettes, in the formats we read.

A folder is walked recursively (the corpus: tests/fixtures/real-traffic/<project>/*.yaml[.gz]).
Each file becomes one `ExchangeFile`: its exchanges replay in order against one mock.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import yaml

from ..recording.cassette import read_cassette
from .exchange import RecordedExchange
from .vcr import is_vcr_document, load_yaml, vcr_exchanges

CASSETTE_SUFFIXES = (".yaml", ".yml", ".yaml.gz", ".yml.gz")


class UnreadableSource(Exception):
    """A path that is missing, unreadable or not a cassette: a usage error (exit 2), one line."""


@dataclass(frozen=True, slots=True)
class ExchangeFile:
    path: Path
    exchanges: list[RecordedExchange]


def read_sources(paths: Iterable[Path | str]) -> list[ExchangeFile]:
    files = []
    for given in map(Path, paths):
        if given.is_dir():
            for found in sorted(p for p in given.rglob("*") if p.is_file() and _is_cassette(p)):
                file = read_file(found, _project(given, found), walked=True)
                if file is not None:
                    files.append(file)
        elif given.is_file():
            files.append(read_file(given, None))  # type: ignore[arg-type]  # never None when named
        else:
            raise UnreadableSource(f"{given}: no such file or directory")
    return files


def read_file(path: Path, project: str | None, walked: bool = False) -> ExchangeFile | None:
    """The exchanges of one file. In a walked folder other YAML (a README's sources list) is left out;
    a file named on the command line must be a cassette."""
    try:
        raw = path.read_bytes()
        if path.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        document = load_yaml(raw)
    except (OSError, EOFError, yaml.YAMLError, UnicodeDecodeError) as error:
        raise UnreadableSource(f"{path}: cannot read it ({_first_line(error)})") from None
    if not isinstance(document, dict) or not isinstance(document.get("interactions"), list):
        if walked:
            return None
        raise UnreadableSource(f"{path}: not a cassette (expected a mapping with `interactions`)")
    try:
        if is_vcr_document(document):
            return ExchangeFile(path, vcr_exchanges(document, str(path), project))
        return ExchangeFile(path, _our_exchanges(path, project))
    except ValueError as error:
        raise UnreadableSource(_first_line(error)) from None


def _our_exchanges(path: Path, project: str | None) -> list[RecordedExchange]:
    """A cassette written by `mockserver serve --cassettes DIR --record-mode ...`."""
    exchanges = []
    for index, interaction in enumerate(read_cassette(path).interactions):
        request, response = interaction.request, interaction.response
        if not request.uri.startswith("/v1/"):
            continue
        exchanges.append(RecordedExchange(
            source=f"{path}#{index}", method=request.method, target=request.uri,
            request_headers=dict(request.headers), request_body=request.body, status=response.status,
            response_headers=dict(response.headers), response_body=response.body, project=project))
    return exchanges


def _is_cassette(path: Path) -> bool:
    return path.name.endswith(CASSETTE_SUFFIXES) and not path.name.startswith(".")


def _project(root: Path, found: Path) -> str | None:
    parts = found.relative_to(root).parts
    return parts[0] if len(parts) > 1 else None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
