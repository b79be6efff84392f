"""Files: multipart uploads streamed to disk, metadata in the store, downloads for tool-made files."""

from __future__ import annotations

import mimetypes
import re
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile

from ..call import Call
from ..http.errors import ApiError, invalid_request, not_found
from ..http.replies import BytesReply, JsonReply, Reply
from ..store import Store
from .paging import fetch, next_token
from .forms import open_form
from .services import store_of
from .stamps import rfc3339

if TYPE_CHECKING:
    from ..state import AppState

_CHUNK = 1 << 20
_BAD_FILENAME = re.compile(r'[<>:"|?*\\/\x00-\x1f]')
MIN_EXPIRY, MAX_EXPIRY = 3600, 7_776_000


def handlers(state: AppState) -> dict[str, Any]:
    return {
        "files_upload": upload,
        "files_list": list_files,
        "files_retrieve_metadata": retrieve,
        "files_download": download,
        "files_delete": delete,
    }


async def upload(call: Call) -> Reply:
    async with open_form(call) as form:
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise invalid_request("file: Field required")
        filename = _filename(part.filename)
        expires_in = _expires_in(form.get("expires_in_seconds"))
        store = store_of(call)
        with store.new_blob() as blob:
            while chunk := await part.read(_CHUNK):
                blob.write(chunk)
    doc = save_file(store, filename=filename, mime_type=_mime_type(part.content_type, filename), blob=blob.name,
                    size_bytes=blob.size, now=call.received_at, downloadable=False,
                    expires_at=call.received_at + expires_in if expires_in else None)
    return JsonReply(render(doc))


def save_file(store: Store, *, filename: str, mime_type: str, blob: str, size_bytes: int, now: float,
              downloadable: bool, expires_at: float | None = None) -> dict[str, Any]:
    """Record a file whose bytes are already in `blob`; also how tool-made (downloadable) files get in."""
    return store.create_file({"filename": filename, "mime_type": mime_type, "size_bytes": size_bytes,
                              "created_at": now, "downloadable": downloadable, "expires_at": expires_at,
                              "scope_id": None, "blob": blob})


def list_files(call: Call) -> Reply:
    store, query = store_of(call), call.query
    ids = query.get("ids")
    if ids is not None:
        if "page" in query or "limit" in query or "after_id" in query or "before_id" in query:
            raise invalid_request("ids: cannot be combined with `page`, `limit`, `after_id` or `before_id`")
        found = [store.get("file", file_id) for file_id in dict.fromkeys(ids)]
        data = [render(doc) for doc in found if doc is not None]
        return JsonReply(_files_page(data, has_more=False, next_page=None))
    where = {"scope_id": [query["scope_id"]]} if "scope_id" in query else None
    page = fetch(store, "file", query, where=where)
    forward = "before_id" not in query
    data = [render(doc) for doc in page.items]
    return JsonReply(_files_page(data, page.has_more, next_token(page) if forward else None))


def retrieve(call: Call) -> Reply:
    return JsonReply(render(_file(call)))


def download(call: Call) -> Reply:
    doc = _file(call)
    if not doc["downloadable"]:
        raise ApiError("invalid_request_error",
                       f"File {doc['id']} is not downloadable. Only files created by tools, such as the code "
                       "execution tool, can be downloaded.", details={"error_code": "file_not_downloadable"})
    if doc["expires_at"] is not None and call.received_at >= doc["expires_at"]:
        raise ApiError("not_found_error", f"File {doc['id']} has expired and its content is no longer available.",
                       details={"error_code": "file_expired"})
    return BytesReply(store_of(call).blob_chunks(doc["blob"]), content_type=doc["mime_type"])


def delete(call: Call) -> Reply:
    file_id = call.path_params["file_id"]
    if not store_of(call).delete_file(file_id):
        raise _missing(file_id)
    return JsonReply({"id": file_id, "type": "file_deleted"})


def render(doc: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": doc["id"],
        "type": "file",
        "filename": doc["filename"],
        "mime_type": doc["mime_type"],
        "size_bytes": doc["size_bytes"],
        "created_at": rfc3339(doc["created_at"]),
        "downloadable": doc["downloadable"],
        "expires_at": rfc3339(doc["expires_at"]),
    }


def _files_page(data: list[dict[str, Any]], has_more: bool, next_page: str | None) -> dict[str, Any]:
    return {"data": data, "has_more": has_more, "first_id": data[0]["id"] if data else None,
            "last_id": data[-1]["id"] if data else None, "next_page": next_page}


def _file(call: Call) -> dict[str, Any]:
    file_id = call.path_params["file_id"]
    doc = store_of(call).get("file", file_id)
    if doc is None:
        raise _missing(file_id)
    return doc


def _missing(file_id: str) -> ApiError:
    return not_found(f"File {file_id} not found")


def _filename(raw: str | None) -> str:
    name = raw or ""
    if not 1 <= len(name) <= 255 or _BAD_FILENAME.search(name):
        raise invalid_request(
            "file: Invalid filename. Filenames must be 1-255 characters long and must not contain "
            '< > : " | ? * \\ / or control characters.')
    return name


def _expires_in(raw: Any) -> int | None:
    if raw is None:
        return None
    text = str(raw).strip()
    if not text.lstrip("+-").isdigit() or not text.isascii():  # "", "1_000", "1e4" are no integers
        raise invalid_request("expires_in_seconds: Input should be a valid integer")
    seconds = int(text)
    if not MIN_EXPIRY <= seconds <= MAX_EXPIRY:
        raise invalid_request(f"expires_in_seconds: Input should be between {MIN_EXPIRY} and {MAX_EXPIRY}")
    return seconds


def _mime_type(declared: str | None, filename: str) -> str:
    declared = (declared or "").split(";")[0].strip().lower()
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
