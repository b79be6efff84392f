"""Sizes read from media bytes: an image's pixel size from its header, a PDF's pages and text.

Only the header is decoded (a few hundred base64 characters for PNG, GIF and WebP; JPEG's
frame header follows its metadata segments, so a JPEG is decoded until its SOF marker is
found). No imaging library: the formats' headers are a handful of fixed fields.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import math
import re
import struct
import zlib

MAX_EDGE = 1568             # the API scales an image down so that its long edge fits ...
MAX_PIXELS = 1_192_464      # ... and its area stays under about 1.19 megapixels (1092 x 1092)
PIXELS_PER_TOKEN = 750      # the documented cost: width x height / 750 tokens, after the resize
_HEADER_CHARS = 1024        # base64 characters decoded for the fixed-position headers
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}  # JPEG frame headers (not DHT, JPG, DAC)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?!s)")
# Each pattern stops at the next delimiter it cannot contain, so every scan is linear in the bytes.
_PDF_SHOWN = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj|\[((?:[^\[\]\\]|\\.)*)\]\s*TJ", re.S)
_PDF_STRING = re.compile(rb"\(((?:[^()\\]|\\.)*)\)", re.S)
_PDF_PAGES = re.compile(rb"/Type\s*/Pages\b")
_PDF_COUNT = re.compile(rb"/Count\s+(\d{1,9})")
_PAGE_TREES = 16  # page-tree dictionaries looked at for a /Count
_INFLATE_RATIO = 4  # a PDF's streams inflate to at most 4 x its size + 1 MB in all: a zip bomb stays small


def image_tokens(width: int, height: int) -> int:
    """What an image of this pixel size costs once scaled to the model's limits."""
    if width <= 0 or height <= 0:
        return 0
    scale = min(1.0, MAX_EDGE / max(width, height), math.sqrt(MAX_PIXELS / (width * height)))
    return max(1, math.ceil(round(width * scale) * round(height * scale) / PIXELS_PER_TOKEN))


def image_size(data: object) -> tuple[int, int] | None:
    """(width, height) of a base64 PNG, JPEG, GIF or WebP; None when the header is not one of them."""
    if not isinstance(data, str):
        return None
    head = _decode(data[:_HEADER_CHARS])
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24:
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return struct.unpack("<HH", head[6:10])
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp_size(head)
    if head[:2] == b"\xff\xd8":
        return _jpeg_size(head) or _jpeg_size(_decode(data))
    return None


def _decode(data: str) -> bytes:
    data = data[: len(data) - len(data) % 4]
    try:
        return base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return b""


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8X" and len(head) >= 30:
        return 1 + int.from_bytes(head[24:27], "little"), 1 + int.from_bytes(head[27:30], "little")
    if chunk == b"VP8L" and len(head) >= 25:
        bits = int.from_bytes(head[21:25], "little")
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8 " and len(head) >= 30:
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    return None


def _jpeg_size(raw: bytes) -> tuple[int, int] | None:
    """Walk the JPEG's marker segments to its frame header (SOFn), which holds the size."""
    at = 2
    while at + 9 <= len(raw):
        if raw[at] != 0xFF:
            return None
        marker = raw[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in _SOF:
            height, width = struct.unpack(">HH", raw[at + 5:at + 9])
            return width, height
        at += 2 + struct.unpack(">H", raw[at + 2:at + 4])[0]
    return None


def pdf_pages(data: object) -> int:
    """Pages of a base64 PDF: its `/Type /Page` objects, else the largest `/Count` next to a
    `/Type /Pages` (page trees inside compressed object streams); at least 1."""
    if not isinstance(data, str):
        return 1
    raw = _decode(data)
    pages = len(_PDF_PAGE.findall(raw))
    if pages:
        return pages
    counts = [0]
    for tree in itertools.islice(_PDF_PAGES.finditer(raw), _PAGE_TREES):
        window = raw[max(0, tree.start() - 512):tree.end() + 512]
        counts += [int(n) for n in _PDF_COUNT.findall(window)]
    return max(counts) or 1


def pdf_text(data: object) -> str:
    """The text a base64 PDF shows on its pages: the strings of its content streams' Tj and TJ
    operators (Flate streams inflated). The API reads each page's text besides its image."""
    if not isinstance(data, str):
        return ""
    raw = _decode(data)
    budget, shown = _INFLATE_RATIO * len(raw) + (1 << 20), []
    for stream in _streams(raw):
        try:
            inflater = zlib.decompressobj()
            stream = inflater.decompress(stream, max(1, budget))
        except zlib.error:
            pass  # an uncompressed stream, or one we cannot read: its bytes as they are
        budget -= len(stream)
        for single, array in _PDF_SHOWN.findall(stream):
            shown.append(single if not array else b"".join(_PDF_STRING.findall(array)))
        if budget <= 0:
            break
    return b" ".join(shown).decode("latin-1")


def _streams(raw: bytes) -> list[bytes]:
    """The bodies between `stream` and `endstream` keywords, found left to right in one pass."""
    out, at = [], 0
    while (start := raw.find(b"stream", at)) >= 0:
        begin = start + 6 + (2 if raw[start + 6:start + 8] == b"\r\n" else 1)
        end = raw.find(b"endstream", begin)
        if end < 0:
            break
        out.append(raw[begin:end].rstrip(b"\r\n"))
        at = end + 9
    return out
