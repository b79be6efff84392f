"""A compact JSON Schema of HAR 1.2, written from the field list of the HAR 1.2 specification
(required fields required, types as specified, optional fields allowed)."""

from __future__ import annotations

from typing import Any


def _object(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
COMMENT = {"comment": STRING}
NAME_VALUE = _object({"name": STRING, "value": STRING}, COMMENT)
NAME_VALUES = {"type": "array", "items": NAME_VALUE}
COOKIE = _object({"name": STRING, "value": STRING},
                 {"path": STRING, "domain": STRING, "expires": STRING, "httpOnly": {"type": "boolean"},
                  "secure": {"type": "boolean"}, **COMMENT})
COOKIES = {"type": "array", "items": COOKIE}
DATE_TIME = {"type": "string", "format": "date-time"}
TIMING = {"type": "number", "minimum": -1}

POST_DATA = _object({"mimeType": STRING},
                    {"params": {"type": "array", "items": _object(
                        {"name": STRING}, {"value": STRING, "fileName": STRING, "contentType": STRING, **COMMENT})},
                     "text": STRING, **COMMENT})
REQUEST = _object(
    {"method": STRING, "url": {"type": "string", "format": "uri"}, "httpVersion": STRING, "cookies": COOKIES,
     "headers": NAME_VALUES, "queryString": NAME_VALUES, "headersSize": INTEGER, "bodySize": INTEGER},
    {"postData": POST_DATA, **COMMENT})
CONTENT = _object({"size": INTEGER, "mimeType": STRING},
                  {"compression": INTEGER, "text": STRING, "encoding": STRING, **COMMENT})
RESPONSE = _object(
    {"status": INTEGER, "statusText": STRING, "httpVersion": STRING, "cookies": COOKIES, "headers": NAME_VALUES,
     "content": CONTENT, "redirectURL": STRING, "headersSize": INTEGER, "bodySize": INTEGER}, COMMENT)
CACHE_ENTRY = _object({"lastAccess": STRING, "eTag": STRING, "hitCount": INTEGER}, {"expires": STRING, **COMMENT})
CACHE = _object({}, {"beforeRequest": {"type": ["object", "null"]}, "afterRequest": {"type": ["object", "null"]},
                     **COMMENT})
TIMINGS = _object({"send": TIMING, "wait": TIMING, "receive": TIMING},
                  {"blocked": TIMING, "dns": TIMING, "connect": TIMING, "ssl": TIMING, **COMMENT})
ENTRY = _object(
    {"startedDateTime": DATE_TIME, "time": NUMBER, "request": REQUEST, "response": RESPONSE, "cache": CACHE,
     "timings": TIMINGS},
    {"pageref": STRING, "serverIPAddress": STRING, "connection": STRING, **COMMENT})
PAGE = _object({"startedDateTime": DATE_TIME, "id": STRING, "title": STRING, "pageTimings": _object({})},
               COMMENT)
CREATOR = _object({"name": STRING, "version": STRING}, COMMENT)
HAR_1_2 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    **_object({"log": _object(
        {"version": {"const": "1.2"}, "creator": CREATOR, "entries": {"type": "array", "items": ENTRY}},
        {"browser": CREATOR, "pages": {"type": "array", "items": PAGE}, **COMMENT})}),
}
