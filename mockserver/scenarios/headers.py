"""Checks on the headers and status a rule (or an x-mock-* header) asks the mock to send, made when
the rule is added: a bad one would otherwise break the connection of every request it answers."""

from __future__ import annotations

import re

# RFC 9110 field names are tokens; values are visible Latin-1 characters, spaces and tabs.
_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# The server frames the body itself: a rule that set these would contradict it.
FRAMING = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive", "upgrade", "trailer", "te"})
NO_BODY = frozenset({204, 304})


def check_header(name: str, value: str) -> str:
    """The lower-case name, or ValueError naming the header and what is wrong with it."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"headers: {name[:60]!r} is not a valid header name (letters, digits, -_.!#$%&'*+^`|~)")
    lower = name.lower()
    if lower in FRAMING:
        raise ValueError(f"headers: {lower} is set by the server and cannot be scripted")
    if _BAD_VALUE.search(value):
        raise ValueError(f"headers: the value of {lower} holds a control character (CR, LF, NUL, ...)")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise ValueError(f"headers: the value of {lower} has characters outside Latin-1") from None
    return lower


def check_status_body(status: int, has_body: bool) -> None:
    if status < 200:
        raise ValueError(f"status: {status} is an interim answer, not a response (use 200..599)")
    if status in NO_BODY and has_body:
        raise ValueError(f"status: a {status} response has no body; leave out `body`")
