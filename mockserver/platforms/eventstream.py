"""The AWS event-stream binary framing (`application/vnd.amazon.eventstream`), as Bedrock streams.

A message: a 12-byte prelude (total length, headers length, CRC32 of those 8 bytes), the headers
(name length, name, value type 7 = string, value length, value), the payload, and the CRC32 of
everything before it. All integers are big-endian.
"""

from __future__ import annotations

import struct
import zlib

_STRING = 7


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    encoded = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def event(payload: bytes, event_type: str = "chunk") -> bytes:
    return encode_message({":event-type": event_type, ":content-type": "application/json",
                           ":message-type": "event"}, payload)


def exception(exception_type: str, payload: bytes) -> bytes:
    return encode_message({":exception-type": exception_type, ":content-type": "application/json",
                           ":message-type": "exception"}, payload)


def _header(name: str, value: str) -> bytes:
    name_bytes, value_bytes = name.encode(), value.encode()
    return (struct.pack(">B", len(name_bytes)) + name_bytes + struct.pack(">BH", _STRING, len(value_bytes))
            + value_bytes)
