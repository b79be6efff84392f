"""Issue 11, item 11: skill uploads the mock cannot read (an encrypted or imploded zip, AES, corrupt
deflate data, 5,000-deep YAML front matter) get the API's 400 for a bad bundle, never a 500."""

from __future__ import annotations

import io
import struct
import zipfile

import httpx
import pytest

from ..helpers import LEGACY, headers
from .servers import ServerThread
from .support import assert_invalid_request, while_misbehaving

SKILL_MD = b"---\nname: greeter\ndescription: Says hello.\n---\n\n# Greeter\n"
UNREADABLE_ZIP = "The uploaded .zip file could not be read: {reason}."
BAD_FRONT_MATTER = "SKILL.md frontmatter is not valid YAML."


@pytest.fixture(scope="module")
def server():
    with ServerThread() as server:
        yield server


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _patched(data: bytes, *, flags: int | None = None, method: int | None = None) -> bytes:
    """Rewrite the general-purpose flags and compression method in every local and central header."""
    out = bytearray(data)
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = out.find(signature)
        while start != -1:
            if flags is not None:
                struct.pack_into("<H", out, start + flag_at, flags)
            if method is not None:
                struct.pack_into("<H", out, start + method_at, method)
            start = out.find(signature, start + 4)
    return bytes(out)


def _corrupt_deflate() -> bytes:
    data = _zip({"greeter/SKILL.md": SKILL_MD * 50})
    start = data.find(b"greeter/SKILL.md") + len("greeter/SKILL.md")  # the local entry's data follows its name
    garbage = bytes((b ^ 0x5A) for b in data[start:start + 40])
    return data[:start] + garbage + data[start + 40:]


BAD_ZIPS = {
    "encryption flag": (_patched(_zip({"greeter/SKILL.md": SKILL_MD}), flags=0x1), "the archive is encrypted"),
    "AES (method 99)": (_patched(_zip({"greeter/SKILL.md": SKILL_MD}), method=99),
                        "compression method 99 is not supported (use stored or deflate)"),
    "implode (method 6)": (_patched(_zip({"greeter/SKILL.md": SKILL_MD}), method=6),
                           "compression method 6 is not supported (use stored or deflate)"),
    "corrupt deflate data": (_corrupt_deflate(), "the compressed data is corrupt"),
    # a central directory whose header fields make zipfile raise IndexError (found by fuzzing)
    "truncated central directory": (bytes.fromhex(
        "504b030414000000080045a2845d7972c7a222000000210000670e000000736b696c6c2f534b494c4c2e6d64d3d5d5e5"
        "ca4bcc4db55248e44a492d4e2eca2c28c9cccfb35248e2d2054a65640200504b0102140314000000080044a2845d7972"
        "c7a222000000210000000e0000000000000000000000800100000000006b696c6c2f534b494c4c2e6d64504b05060000"
        "0000010001003c0000004e0000000000"), "it is not a valid zip archive"),
}


def _upload(server, path: str, filename: str, data: bytes) -> httpx.Response:
    return httpx.post(f"{server.base_url}{path}", files=[("files[]", (filename, data, "application/zip"))],
                      headers=headers(LEGACY), timeout=10)


def _a_skill(server) -> str:
    response = _upload(server, "/v1/skills", "greeter.zip", _zip({"greeter/SKILL.md": SKILL_MD}))
    assert response.status_code == 200, response.text
    return response.json()["id"]


@pytest.mark.parametrize("case", BAD_ZIPS, ids=list(BAD_ZIPS))
def test_unreadable_zips_are_400_on_both_upload_routes(server, case):
    data, reason = BAD_ZIPS[case]
    for path in ("/v1/skills", f"/v1/skills/{_a_skill(server)}/versions"):
        refused = while_misbehaving(server, lambda: _upload(server, path, "greeter.zip", data))
        assert assert_invalid_request(refused) == UNREADABLE_ZIP.format(reason=reason)


def test_deeply_nested_front_matter_is_400(server):
    deep = b"---\nname: greeter\ndescription: x\nmetadata: " + b"[" * 5000 + b"]" * 5000 + b"\n---\n"
    mappings = b"---\nname: greeter\ndescription: x\nmetadata: " + b"{k: " * 5000 + b"}" * 5000 + b"\n---\n"
    for skill_md in (deep, mappings):
        for files in ([("files[]", ("greeter/SKILL.md", skill_md, "text/markdown"))],
                      [("files[]", ("greeter.zip", _zip({"greeter/SKILL.md": skill_md}), "application/zip"))]):
            refused = while_misbehaving(server, lambda: httpx.post(f"{server.base_url}/v1/skills", files=files,
                                                                   headers=headers(LEGACY), timeout=10))
            assert assert_invalid_request(refused) == BAD_FRONT_MATTER


def test_a_readable_zip_is_still_accepted(server):
    stored = _zip({"greeter/SKILL.md": SKILL_MD, "greeter/run.py": b"print(1)\n"}, method=zipfile.ZIP_STORED)
    response = _upload(server, "/v1/skills", "greeter.zip", stored)
    assert response.status_code == 200, response.text
    assert response.json()["latest_version_id"].startswith("skillver_")


def _many_empty_entries(count: int) -> bytes:
    return _zip({"greeter/SKILL.md": SKILL_MD, **{f"greeter/e{i}": b"" for i in range(count)}},
                method=zipfile.ZIP_STORED)


def _lying_count(data: bytes, declared: int) -> bytes:
    """The archive with its end-of-central-directory record declaring `declared` entries."""
    end = data.rfind(b"PK\x05\x06")
    return data[:end + 8] + struct.pack("<HH", declared, declared) + data[end + 12:]


def test_f5_a_zip_of_60k_empty_entries_is_refused_from_its_directory(server):
    """Issue 23, F5: the red team's 60k empty entries were accepted after 15.8 s; the count is read
    from the end of the central directory before zipfile builds an entry object for each."""
    bomb = _many_empty_entries(60_000)
    refused = while_misbehaving(server, lambda: _upload(server, "/v1/skills", "greeter.zip", bomb), checks=2)
    assert assert_invalid_request(refused) == "A skill may have at most 1000 files; this one has 60001."


def test_f5_the_count_is_checked_even_when_the_directory_lies(server):
    honest = _many_empty_entries(1200)
    refused = _upload(server, "/v1/skills", "greeter.zip", _lying_count(honest, 3))
    assert assert_invalid_request(refused) == "A skill may have at most 1000 files; this one has 1201."
    parts = [("files[]", ("greeter/SKILL.md", SKILL_MD, "text/markdown"))]
    parts += [("files[]", (f"greeter/e{i}", b"", "text/plain")) for i in range(1000)]
    loose = httpx.post(f"{server.base_url}/v1/skills", files=parts, headers=headers(LEGACY), timeout=60)
    assert assert_invalid_request(loose) == "A skill may have at most 1000 files; this one has 1001."
    assert _upload(server, "/v1/skills", "greeter.zip", _many_empty_entries(999)).status_code == 200
