"""Upload filenames exactly as the client sent them.

python-multipart keeps only the last segment of a filename that looks like a Windows path
(`C:\\dir\\name`, `\\\\host\\share\\name`), a workaround for an old browser bug. The API treats a
filename as a name, not a path: it checks it as sent (and refuses `:` and `\\`), so the mock must
see it as sent too.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.datastructures import FormData, UploadFile

_FILENAME = re.compile(r';\s*filename\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)', re.IGNORECASE)


def restore_filenames(form: FormData) -> FormData:
    for _, value in form.multi_items():
        if isinstance(value, UploadFile) and value.filename is not None:
            value.filename = _as_sent(value)
    return form


def _as_sent(upload: UploadFile) -> str | None:
    disposition = upload.headers.get("content-disposition", "")
    match = _FILENAME.search(disposition)
    if match is None:
        return upload.filename
    sent = _unquote(match.group(1).strip())
    if not (sent[1:3] == ":\\" or sent[:2] == "\\\\"):  # python-multipart left it alone
        return upload.filename
    return _decoded(sent)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace("\\\\", "\\").replace('\\"', '"')
    return value


def _decoded(value: Any) -> str:
    """Starlette's headers are latin-1 text; the bytes are usually UTF-8."""
    raw = value.encode("latin-1", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return value
