"""Server tools used as a model would, and citations that point at real spans: official SDK, JSON and streamed."""

from __future__ import annotations

import base64
import zlib

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .cooperation import both, kinds, sdk, user

SEARCH = {"type": "web_search_20250305", "name": "web_search"}
FETCH = {"type": "web_fetch_20250910", "name": "web_fetch", "citations": {"enabled": True}}
CODE = {"type": "code_execution_20250825", "name": "code_execution"}


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=31)) as running:
        yield sdk(running)


def cited(message: dict) -> list[dict]:
    return [c for b in message["content"] if b["type"] == "text" for c in (b["citations"] or [])]


@pytest.mark.parametrize("question", ["What's the price of a flat white in Oslo these days?",
                                      "Any headlines about the Mars mission?"])
def test_web_search_answers_questions_about_prices_and_news_with_citations(client, question) -> None:
    message = both(client, tools=[SEARCH], messages=[user(question)])
    assert kinds(message)[:2] == ["server_tool_use", "web_search_tool_result"]
    urls = {r["url"] for r in message["content"][1]["content"]}
    found = cited(message)
    assert found and all(c["type"] == "web_search_result_location" and c["url"] in urls for c in found)


def test_web_fetch_reads_the_url_and_cites_the_page_when_asked(client) -> None:
    message = both(client, beta=True, tools=[FETCH], betas=["web-fetch-2025-09-10"],
                   messages=[user("Summarise https://example.com/post for me")])
    fetched = message["content"][1]
    assert message["content"][0]["input"] == {"url": "https://example.com/post"}
    page = fetched["content"]["content"]["source"]["data"]
    citation = cited(message)[0]
    assert citation["type"] == "char_location"
    assert page[citation["start_char_index"]:citation["end_char_index"]] == citation["cited_text"]


def test_code_execution_computes_with_the_prompts_numbers(client) -> None:
    message = both(client, tools=[CODE], messages=[user("Calculate the average of 4, 8 and 15")])
    result = next(b for b in message["content"] if b["type"] == "bash_code_execution_tool_result")
    assert result["content"]["stdout"].split()[0] == "27" and message["container"]["id"].startswith("container_")
    assert "27 9.0" in message["content"][-1]["text"]


def test_skills_are_read_then_run_and_make_a_file(client) -> None:
    skills = [{"type": "anthropic", "skill_id": "xlsx", "version": "latest"}]
    message = both(client, beta=True, tools=[CODE], container={"skills": skills},
                   betas=["code-execution-2025-08-25", "skills-2025-10-02"],
                   messages=[user("Make a spreadsheet of our Q3 sales")])
    commands = [b["input"]["command"] for b in message["content"] if b["type"] == "server_tool_use"]
    assert commands[0] == "cat /skills/xlsx/SKILL.md" and ".xlsx" in commands[1]
    outputs = [o for b in message["content"] if b["type"] == "bash_code_execution_tool_result"
               for o in b["content"]["content"]]
    assert outputs and outputs[0]["type"] == "bash_code_execution_output" and outputs[0]["file_id"].startswith("file_")
    assert message["container"]["skills"] == skills


def test_mcp_tools_are_chosen_by_topic(client) -> None:
    server = {"type": "url", "url": "https://mcp.example.com/sse", "name": "tracker"}
    listing = [{"name": "open_issue", "description": "Open a bug report in the issue tracker",
                "input_schema": {"type": "object", "properties": {"title": {"type": "string"}}}}]
    toolset = {"type": "mcp_toolset", "mcp_server_name": "tracker", "tools": listing}
    message = both(client, beta=True, mcp_servers=[server], tools=[toolset], betas=["mcp-client-2025-11-20"],
                   messages=[user("There's a bug: the login page crashes")])
    uses = [b for b in message["content"] if b["type"] == "mcp_tool_use"]
    assert uses and uses[0]["name"] == "open_issue" and uses[0]["server_name"] == "tracker"


def test_tool_search_finds_a_deferred_tool_before_calling_it(client) -> None:
    deferred = {"name": "get_invoice", "description": "Look up an invoice by number", "defer_loading": True,
                "input_schema": {"type": "object", "properties": {"number": {"type": "integer"}}}}
    search = {"type": "tool_search_tool_bm25_20251119", "name": "tool_search_tool_bm25"}
    message = both(client, beta=True, tools=[search, deferred], betas=["advanced-tool-use-2025-11-20"],
                   messages=[user("Show me invoice 1042")])
    assert [k for k in kinds(message) if k != "text"] == ["server_tool_use", "tool_search_tool_result", "tool_use"]
    assert message["content"][-1]["input"] == {"number": 1042}


def test_text_document_citations_point_at_the_quoted_span(client) -> None:
    data = "Intro line without a stop\nThe grass is green. The sky is blue."
    doc = {"type": "document", "source": {"type": "text", "media_type": "text/plain", "data": data},
           "citations": {"enabled": True}}
    found = cited(both(client, messages=[{"role": "user", "content": [doc, {"type": "text", "text": "Colours?"}]}]))
    assert found[0]["type"] == "char_location"
    assert data[found[0]["start_char_index"]:found[0]["end_char_index"]] == found[0]["cited_text"] != ""


def test_custom_content_citations_point_at_the_block(client) -> None:
    blocks = [{"type": "text", "text": "Water is wet."}, {"type": "text", "text": "Fire is hot."}]
    doc = {"type": "document", "source": {"type": "content", "content": blocks}, "citations": {"enabled": True}}
    citation = cited(both(client, messages=[{"role": "user", "content": [doc, {"type": "text", "text": "Facts?"}]}]))[0]
    assert citation["type"] == "content_block_location"
    assert blocks[citation["start_block_index"]]["text"] == citation["cited_text"]


def _pdf(pages: list[bytes], compress: bool) -> str:
    objects = []
    for text in pages:
        stream = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
        body = zlib.compress(stream) if compress else stream
        flate = b" /Filter /FlateDecode" if compress else b""
        objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(body), flate, body))
    kids = b"".join(b"<< /Type /Page /Contents %d 0 R >>\n" % i for i in range(len(pages)))
    return base64.b64encode(b"%PDF-1.4\n" + kids + b"\n".join(objects) + b"\n%%EOF").decode()


@pytest.mark.parametrize("compress", [False, True])
def test_pdf_citations_quote_the_page_they_name(client, compress) -> None:
    data = _pdf([b"", b"Rivers flow to the sea. Lakes are still."], compress)
    doc = {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": data},
           "citations": {"enabled": True}}
    citation = cited(both(client, messages=[{"role": "user", "content": [doc, {"type": "text", "text": "Summary?"}]}]))[0]
    assert citation["type"] == "page_location" and citation["cited_text"] == "Rivers flow to the sea."
    assert (citation["start_page_number"], citation["end_page_number"]) == (2, 3)
