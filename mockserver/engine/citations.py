"""Citations for documents and search results that enable them.

Each cited source contributes its first sentence (plain text), its first block (custom
content) or the first sentence of its first page with text (PDFs, read by pdf_text.py; a summary
sentence when no text is found), located the way the API
locates it: `char_location`, `content_block_location`, `page_location` or
`search_result_location`.
"""

from __future__ import annotations

import random
import re
from typing import Any

from . import pdf_text, prose
from .conversation import Conversation

MAX_CITED = 3
_SENTENCE = re.compile(r"[^.!?\n]*[^\s.!?][^.!?\n]*[.!?]?")


def citations(convo: Conversation, rng: random.Random) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for index, document in enumerate(convo.documents()):
        if (document.get("citations") or {}).get("enabled"):
            found.append(_document_citation(document, index, rng))
    for index, result in enumerate(convo.search_results()):
        if (result.get("citations") or {}).get("enabled"):
            found.append(_search_result_citation(result, index))
    return found[:MAX_CITED]


def _document_citation(document: dict[str, Any], index: int, rng: random.Random) -> dict[str, Any]:
    source = document.get("source") or {}
    base = {"document_index": index, "document_title": document.get("title"), "file_id": source.get("file_id")}
    if source.get("type") == "text":
        data = source.get("data", "")
        match = _SENTENCE.search(data)
        start, end = (match.start(), match.end()) if match else (0, len(data))
        while start < end and data[start].isspace():
            start += 1
        return {"type": "char_location", "cited_text": data[start:end], **base,
                "start_char_index": start, "end_char_index": end}
    if source.get("type") == "content":
        content = source.get("content")
        items = [{"type": "text", "text": content}] if isinstance(content, str) else list(content or [])
        at = next((i for i, b in enumerate(items) if isinstance(b, dict) and b.get("type") == "text"), 0)
        text = items[at].get("text", "") if items and isinstance(items[at], dict) else ""
        return {"type": "content_block_location", "cited_text": text, **base,
                "start_block_index": at, "end_block_index": at + 1}
    pages = pdf_text.page_texts(source.get("data", "")) if source.get("type") == "base64" else []
    page = next((i for i, text in enumerate(pages) if text.strip()), None)
    if page is None:
        return {"type": "page_location", "cited_text": prose.sentence(rng), **base,
                "start_page_number": 1, "end_page_number": 2}
    match = _SENTENCE.search(pages[page])
    cited = (match.group(0) if match else pages[page]).strip()
    return {"type": "page_location", "cited_text": cited, **base,
            "start_page_number": page + 1, "end_page_number": page + 2}


def _search_result_citation(result: dict[str, Any], index: int) -> dict[str, Any]:
    texts = [b.get("text", "") for b in result.get("content") or () if isinstance(b, dict)]
    return {"type": "search_result_location", "cited_text": texts[0] if texts else "",
            "search_result_index": index, "source": result.get("source", ""), "title": result.get("title"),
            "start_block_index": 0, "end_block_index": 1}
