"""A skill upload checked the way the API checks it: one top-level folder, SKILL.md with front matter.

The parts of a multipart `files[]` upload carry relative paths in their filenames; a single `.zip`
part is unpacked instead. The accepted bundle is written to a zip blob for later download.
"""

from __future__ import annotations

import io
import lzma
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Iterable

import yaml
from starlette.datastructures import UploadFile

from ..http.errors import ApiError, invalid_request
from ..store import Store

MAX_BYTES = 8 * 1024 * 1024  # the API's documented limit on a skill's files
MAX_FILES = 1000  # the mock's own bound (the API documents none): counted from the zip's directory first
_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
_XML_TAG = re.compile(r"<[^>]+>")
_RESERVED = ("anthropic", "claude")
MAX_FRONT_MATTER = 64 * 1024  # name, description and a few small fields: far more than any real skill
MAX_FLOW_DEPTH = 64
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BAD_YAML = "SKILL.md frontmatter is not valid YAML."
# zipfile and each decompressor report bad data their own way (bz2: OSError; a newer zip version:
# NotImplementedError; an encrypted entry: RuntimeError).
# zipfile meets hostile archives with a zoo of exceptions (struct.error, IndexError, KeyError, ...
# seen in fuzzing): any of them means "not a readable archive", never a 500.
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, OSError, EOFError, ValueError, NotImplementedError,
               RuntimeError, IndexError, KeyError, OverflowError, struct.error)
_ENCRYPTED = 0x1  # general-purpose flag bit 0
_READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
_FRONT_MATTER_KEYS = {"name", "description", "license", "allowed-tools", "metadata", "compatibility"}


@dataclass(frozen=True, slots=True)
class Bundle:
    directory: str
    name: str
    description: str
    files: list[tuple[str, bytes]]  # (relative path including the directory, contents)


async def read_bundle(parts: Iterable[Any]) -> Bundle:
    uploads = [part for part in parts if isinstance(part, UploadFile)]
    if not uploads:
        raise invalid_request("files: Field required. Upload the skill's files, including SKILL.md.")
    files: list[tuple[str, bytes]] = []
    total = 0
    for upload in uploads:
        data = await upload.read(MAX_BYTES + 1 - total)
        total += len(data)
        if total > MAX_BYTES:
            raise invalid_request("The total size of the skill's files must be less than 8 MB.")
        files.append((upload.filename or "", data))
    if len(files) == 1 and files[0][0].lower().endswith(".zip"):
        files = _unzip(files[0][1])
    _check_count(len(files))
    return check_bundle(files)


def check_bundle(files: list[tuple[str, bytes]]) -> Bundle:
    paths = [_relative_path(name) for name, _ in files]
    tops = sorted({path.parts[0] for path in paths if len(path.parts) > 1})
    loose = [str(path) for path in paths if len(path.parts) == 1]
    if "SKILL.md" in loose or not tops:
        raise invalid_request("SKILL.md file must be exactly in the top-level folder.")
    if loose or len(tops) > 1:
        raise invalid_request(f"All files must be inside a single top-level folder; found: "
                              f"{', '.join(tops + loose)}.")
    directory = tops[0]
    contents = {str(path): data for path, (_, data) in zip(paths, files)}
    skill_md = contents.get(f"{directory}/SKILL.md")
    if skill_md is None:
        raise invalid_request("SKILL.md file must be exactly in the top-level folder.")
    name, description = _front_matter(skill_md)
    if directory != name:
        raise invalid_request(f"The folder name '{directory}' must match the skill name '{name}' in SKILL.md.")
    return Bundle(directory, name, description, list(contents.items()))


def save_bundle(store: Store, bundle: Bundle) -> tuple[str, int]:
    """Write the bundle as a zip blob; returns (blob name, size)."""
    with store.new_blob() as blob:
        with zipfile.ZipFile(blob.file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, data in bundle.files:
                archive.writestr(zipfile.ZipInfo(path, date_time=(2026, 1, 1, 0, 0, 0)), data)
        blob.size = blob.file.tell()
    return blob.name, blob.size


def _relative_path(name: str) -> PurePosixPath:
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or "\\" in name:
        raise invalid_request(f"Invalid file path '{name}': paths must be relative, use '/' as separator "
                              "and start with the skill's top-level folder.")
    path = PurePosixPath(name)
    if any(part in ("..", ".", "") for part in name.split("/")):
        raise invalid_request(f"Invalid file path '{name}': paths must not contain '.' or '..' segments.")
    return path


def _check_count(count: int) -> None:
    if count > MAX_FILES:
        raise invalid_request(f"A skill may have at most {MAX_FILES} files; this one has {count}.")


def _declared_entries(data: bytes) -> int:
    """The entry count the archive's end-of-central-directory record declares (zip64 too), read
    before zipfile builds an object for every entry (60k entries took 15 s)."""
    end = zipfile._EndRecData(io.BytesIO(data))  # type: ignore[attr-defined]  # stdlib, stable since 2.6
    if end is None:
        raise zipfile.BadZipFile("no end of central directory")
    return int(end[zipfile._ECD_ENTRIES_TOTAL])  # type: ignore[attr-defined]


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    try:
        _check_count(_declared_entries(data))
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = [info for info in archive.infolist() if not info.is_dir()]
        _check_count(len(archive.infolist()))  # a directory that lies about its count is counted again
    except _ZIP_ERRORS:
        raise _unreadable("it is not a valid zip archive") from None
    if sum(info.file_size for info in entries) > MAX_BYTES:
        raise invalid_request("The total size of the skill's files must be less than 8 MB.")
    for info in entries:
        if info.flag_bits & _ENCRYPTED:
            raise _unreadable("the archive is encrypted")
        if info.compress_type not in _READABLE_METHODS:
            raise _unreadable(f"compression method {info.compress_type} is not supported (use stored or deflate)")
    try:
        return [(info.filename, archive.read(info)) for info in entries]
    except _ZIP_ERRORS:
        raise _unreadable("the compressed data is corrupt") from None


def _unreadable(reason: str) -> ApiError:
    return invalid_request(f"The uploaded .zip file could not be read: {reason}.")


def _front_matter(skill_md: bytes) -> tuple[str, str]:
    text = skill_md.decode("utf-8", errors="replace").lstrip("\ufeff")
    match = re.match(r"---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(\r?\n|$)", text, re.DOTALL)
    if match is None:
        raise invalid_request("SKILL.md must start with YAML frontmatter delimited by '---' lines.")
    source = match.group(1)
    if len(source) > MAX_FRONT_MATTER:
        raise invalid_request(f"SKILL.md frontmatter must be at most {MAX_FRONT_MATTER} characters.")
    if _flow_depth(source) > MAX_FLOW_DEPTH:  # PyYAML takes seconds to fail on 5,000 nested brackets
        raise invalid_request(_BAD_YAML)
    try:
        fields = yaml.safe_load(source) or {}
    except (yaml.YAMLError, RecursionError):  # RecursionError: nesting deeper than Python's stack allows
        raise invalid_request(_BAD_YAML) from None
    if not isinstance(fields, dict):
        raise invalid_request("SKILL.md frontmatter must be a YAML mapping.")
    unexpected = sorted(str(key) for key in fields if key not in _FRONT_MATTER_KEYS)
    if unexpected:
        raise invalid_request(f"unexpected key in SKILL.md frontmatter: {', '.join(unexpected)}")
    return _skill_name(fields.get("name")), _description(fields.get("description"))


def _flow_depth(source: str) -> int:
    """Deepest nesting of flow brackets, counting brackets inside strings too (an upper bound)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", source):
        depth = depth + 1 if bracket in "[{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _skill_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_request("SKILL.md frontmatter must include a 'name' field.")
    if len(value) > 64 or not _NAME.fullmatch(value):
        raise invalid_request("name: must be at most 64 characters and contain only lowercase letters, numbers "
                              "and hyphens.")
    if any(word in value for word in _RESERVED):
        raise invalid_request("name: must not contain the reserved words 'anthropic' or 'claude'.")
    return value


def _description(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise invalid_request("SKILL.md frontmatter must include a non-empty 'description' field.")
    if len(value) > 1024:
        raise invalid_request("description: must be at most 1024 characters.")
    if _XML_TAG.search(value):
        raise invalid_request("description: must not contain XML tags.")
    return value
