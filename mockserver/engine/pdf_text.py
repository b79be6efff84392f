"""The text of a PDF's pages, as far as a small reader can tell: enough to cite a real span.

Reads the strings shown by `Tj`/`TJ` in each content stream (Flate-compressed or plain), one
stream that draws text (`BT`) per page, in file order. Work is bounded: at most MAX_STREAMS streams and
MAX_INFLATED bytes inflated, so a hostile PDF costs little. Returns no pages when nothing is found
(scanned PDFs, other encodings); the caller then cites the document without its text.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib

MAX_STREAMS = 64
MAX_INFLATED = 2_000_000
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_SHOWN = re.compile(rb"\(((?:\\.|[^\\)])*)\)\s*Tj|\[((?:\\.|[^\]])*)\]\s*TJ", re.S)
_IN_ARRAY = re.compile(rb"\(((?:\\.|[^\\)])*)\)")
_ESCAPE = re.compile(rb"\\([nrtbf()\\]|[0-7]{1,3})")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"(": b"(", b")": b")", b"\\": b"\\"}


def page_texts(data: str) -> list[str]:
    try:
        raw = base64.b64decode(data, validate=False)
    except (binascii.Error, ValueError):
        return []
    pages: list[str] = []
    budget = MAX_INFLATED
    for match in list(_STREAM.finditer(raw))[:MAX_STREAMS]:
        body, budget = _inflate(match.group(1), budget)
        if b"BT" in body:  # a content stream that draws text: one page
            pages.append(_shown_text(body))
        if budget <= 0:
            break
    return pages


def _inflate(body: bytes, budget: int) -> tuple[bytes, int]:
    try:
        out = zlib.decompressobj().decompress(body, max(1, budget))
    except zlib.error:
        out = body
    return out, budget - len(out)


def _shown_text(body: bytes) -> str:
    pieces: list[bytes] = []
    for single, array in _SHOWN.findall(body):
        parts = [single] if single else _IN_ARRAY.findall(array)
        pieces.append(b"".join(_ESCAPE.sub(_unescape, p) for p in parts))
    return " ".join(p.decode("latin-1").strip() for p in pieces if p.strip())


def _unescape(match: re.Match[bytes]) -> bytes:
    code = match.group(1)
    return _ESCAPES.get(code) or bytes([int(code, 8) & 0xFF])
