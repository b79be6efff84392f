"""Token counts against the real usage recorded in the corpus: the figures, their goal, the rule
that leaves exchanges out, the refit, and the invariants the calibration must keep."""

from __future__ import annotations

import base64
import json
import random
import struct
import zlib
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.conformance import token_figures
from mockserver.conformance.sources import read_sources
from mockserver.conformance.token_scope import group_of, unreproducible
from mockserver.engine import EngineContext, MemoryPromptCache, count_tokens, create_message, media, token_fit
from mockserver.engine.input_tokens import total
from mockserver.http.errors import ApiError

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "real-traffic"
DOCS = ROOT / "docs" / "tokens.md"
GOAL = {"median": 0.05, "p90": 0.15, "within": 0.80}


@pytest.fixture(scope="module")
def figures() -> token_figures.Figures:
    return token_figures.figures([CORPUS])


def test_the_figures_meet_the_goal(figures) -> None:
    overall = figures.overall
    assert overall.n > 800  # nearly every Messages and count_tokens exchange is counted
    assert overall.median <= GOAL["median"] and overall.p90 <= GOAL["p90"]
    assert overall.within_10_percent >= GOAL["within"]
    assert sum(error.n for error in figures.groups.values()) == overall.n


def test_docs_carry_the_current_figures(figures) -> None:
    """The committed table is what the replay gives now: a change that makes any figure worse
    (or better) fails until tools/refit_tokens.py rewrites it."""
    assert token_figures.render(figures) in DOCS.read_text()
    assert token_figures.render(figures) in (ROOT / "README.md").read_text()


def test_the_committed_fit_is_what_a_refit_gives() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "refit_tokens.py"), "--check"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_content_the_recording_lacks_is_left_out(figures) -> None:
    url_image = {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}}
    file_document = {"type": "document", "source": {"type": "file", "file_id": "file_1"}}
    own_image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": _png(8, 8)}}
    ask = lambda *blocks: {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": list(blocks)}]}
    assert unreproducible(ask(url_image)) and unreproducible(ask(file_document))
    assert unreproducible(ask({"type": "tool_result", "tool_use_id": "t", "content": [url_image]}))
    assert unreproducible({**ask(own_image), "mcp_servers": [{"type": "url", "url": "https://x", "name": "x"}]})
    assert unreproducible(ask(own_image)) is None
    assert set(figures.excluded) <= {"MCP servers", "an image the API fetched (url source)",
                                     "an image the API fetched (file source)", "a document the API fetched (url source)",
                                     "a document the API fetched (file source)"}


def test_groups() -> None:
    text = {"messages": [{"role": "user", "content": "hi"}]}
    assert group_of(text) == "text"
    assert group_of({**text, "tools": [{"name": "f", "input_schema": {}}]}) == "tools"
    assert group_of({**text, "tools": [{"type": "web_search_20250305", "name": "web_search"}]}) == "server tools"
    assert group_of({**text, "thinking": {"type": "enabled", "budget_tokens": 1024}}) == "thinking"
    assert group_of({**text, "output_config": {"format": {"type": "json_schema", "schema": {}}}}) == "structured output"


def _png(width: int, height: int) -> str:
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + struct.pack(">II", width, height) + b"\x08\x06"
                            + bytes(40)).decode()


def _jpeg(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + bytes(9)
    sof = b"\xff\xc2" + struct.pack(">HBHH", 11, 8, height, width) + bytes(6)
    return base64.b64encode(b"\xff\xd8" + app0 + sof + b"\xff\xd9").decode()


@pytest.mark.parametrize("data, size", [
    (_png(640, 480), (640, 480)),
    (_jpeg(1024, 768), (1024, 768)),
    (base64.b64encode(b"GIF89a" + struct.pack("<HH", 300, 200) + bytes(20)).decode(), (300, 200)),
    (base64.b64encode(b"RIFF\0\0\0\0WEBPVP8X" + bytes(8) + (799).to_bytes(3, "little")
                      + (599).to_bytes(3, "little")).decode(), (800, 600)),
    (base64.b64encode(b"not an image at all").decode(), None),
])
def test_image_sizes_come_from_the_header(data: str, size: tuple[int, int] | None) -> None:
    assert media.image_size(data) == size


def test_image_tokens_follow_the_documented_formula() -> None:
    assert media.image_tokens(200, 200) == 54           # 40,000 / 750, rounded up
    assert media.image_tokens(1092, 1092) == 1590       # at the area limit, unscaled
    assert 1550 <= media.image_tokens(4000, 4000) <= 1590  # scaled down to the limit
    assert media.image_tokens(3000, 100) == media.image_tokens(1568, 52)  # the long edge fits 1,568 px


def test_pdf_pages_are_counted_from_the_bytes() -> None:
    two = base64.b64encode(b"%PDF-1.4 1 0 obj << /Type /Page >> 2 0 obj << /Type /Page >> << /Type /Pages >>")
    compressed = base64.b64encode(b"%PDF-1.5 << /Type /Pages /Kids [3 0 R] /Count 7 >>")
    assert media.pdf_pages(two.decode()) == 2 and media.pdf_pages(compressed.decode()) == 7


def test_a_bigger_image_costs_more_and_a_family_has_its_own_ratio() -> None:
    ask = lambda data: {"model": "claude-haiku-4-5", "messages": [{"role": "user", "content": [
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}}]}]}
    assert total(ask(_png(1000, 1000))) - total(ask(_png(100, 100))) == media.image_tokens(1000, 1000) - 14
    prose = {"messages": [{"role": "user", "content": "The tide comes in twice a day. " * 400}]}
    assert total({**prose, "model": "claude-3-haiku-20240307"}) != total({**prose, "model": "claude-haiku-4-5"})
    assert token_fit.family_of("claude-3-5-haiku-20241022") == "claude-3-5"
    assert token_fit.family_of("claude-unknown-9") == "default"


def _corpus_requests() -> list[dict]:
    out = []
    for file in read_sources([CORPUS]):
        for exchange in file.exchanges:
            if exchange.method == "POST" and exchange.path == "/v1/messages" and exchange.status == 200:
                request = json.loads(exchange.request_body)
                if not request.get("context_management") and not request.get("mcp_servers"):
                    out.append(request)
    return out


def test_count_tokens_equals_usage_and_cache_splits_add_up() -> None:
    """Over the corpus's own requests: count_tokens gives what the Message bills (unless a server-tool
    loop ran), and a second call reading from the prompt cache splits the same total."""
    checked = 0
    catalog = token_figures.revived_catalog()
    for request in _corpus_requests()[::3]:
        cache = MemoryPromptCache()
        context = lambda: EngineContext(rng=random.Random(1), now=1e9, cache=cache, catalog=catalog)
        try:
            counted = count_tokens(request, context())["input_tokens"]
            first, again = create_message(request, context())["usage"], create_message(request, context())["usage"]
        except (ApiError, ValueError):  # a request the mock refuses is the conformance run's business
            continue
        if first.get("server_tool_use"):
            continue
        billed = [u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]
                  for u in (first, again)]
        assert billed == [counted, counted], request.get("model")
        checked += 1
    assert checked > 200


def test_pdf_text_is_the_shown_strings_and_a_bomb_stays_small() -> None:
    page = zlib.compress(b"BT /F1 12 Tf (Tides turn) Tj [(twice) -20 (a day)] TJ ET")
    pdf = b"%PDF-1.4 << /Type /Page >> << /Length 9 /Filter /FlateDecode >> stream\n" + page + b"\nendstream"
    assert media.pdf_text(base64.b64encode(pdf).decode()) == "Tides turn twicea day"
    bomb = b"%PDF-1.4 stream\n" + zlib.compress(bytes(50 << 20), 9) + b"\nendstream"
    assert media.pdf_text(base64.b64encode(bomb).decode()) == ""  # inflated no further than its budget
    assert media.pdf_text(base64.b64encode(b"stream\n" * 1000).decode()) == ""  # no endstream: no stream
    assert media.pdf_pages(base64.b64encode(b"/Count 3 " * 1000).decode()) == 1  # a /Count outside a page tree
