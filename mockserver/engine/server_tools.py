"""Server tools the API runs itself: web search, web fetch, code execution and tool search.

Triggers (the last user turn decides, under tool_choice auto/any): web search when it asks about
current events, places or prices (SEARCH_WORDS: search, look up, latest, news, today, price,
weather, restaurants...); web fetch when it contains an http(s) URL; code execution when it says
calculate, compute, run, execute, code, python, analyze, plot or script, or asks for a file
operation or gives a file (container_files.py), or the container carries skills (skills.py); the
advisor when it asks for advice (advisor.py). Each run yields a `server_tool_use` block and its
complete result block; web search results come back as `web_search_result_location` citations
for the answer, and a fetched document with citations enabled as a `char_location` citation.
"""

from __future__ import annotations

import base64
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlparse

from ..ids import new_id
from . import advisor, container_files, prose, samples, skills
from .conversation import Conversation
from .drafts import CALL, RESULT, Draft
from .tools import call_tokens, name_words

SEARCH_WORDS = frozenset({"search", "lookup", "latest", "news", "current", "currently", "today", "recent", "recently",
                          "headlines", "happening", "price", "prices", "weather", "forecast", "yesterday",
                          "tonight", "score", "scores", "election", "trending", "restaurants", "hotels",
                          "attractions", "events"})
CODE_WORDS = frozenset({"calculate", "compute", "run", "execute", "code", "python", "analyze", "analyse",
                        "plot", "script"})
SITES = (("en.wikipedia.org", "Wikipedia"), ("www.reuters.com", "Reuters"), ("www.bbc.com", "BBC"),
         ("www.nature.com", "Nature"), ("arstechnica.com", "Ars Technica"), ("www.theguardian.com", "The Guardian"))
CONTAINER_LIFETIME = timedelta(days=30)
RESULTS_PER_SEARCH = 10  # every web search the real traffic recorded returned ten results (or none)
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_STOP_WORDS = frozenset({"a", "an", "the", "for", "of", "to", "in", "on", "and", "or", "is", "are", "what", "please",
                         "me", "can", "you", "about", "search", "look", "up", "find", "tell", "i", "do", "web"})


@dataclass(slots=True)
class ServerRun:
    drafts: list[Draft] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    uses_container: bool = False
    printed: list[str] = field(default_factory=list)  # what code printed, for the answer to use
    searched: list[str] = field(default_factory=list)  # web search queries, for the answer to name


def triggered(convo: Conversation) -> list[dict[str, Any]]:
    wanted = []
    for tool in convo.server_tools():
        family = _family(tool)
        if family == "web_search" and (SEARCH_WORDS & convo.words or "look up" in convo.last_user_text.lower()):
            wanted.append(tool)
        elif family == "web_fetch" and _URL.search(convo.last_user_text):
            wanted.append(tool)
        elif family == "code_execution" and (CODE_WORDS & convo.words or _file_work(tool, convo)
                                             or skills.skills_of(convo)):
            wanted.append(tool)
        elif family == "advisor" and advisor.wanted(convo):
            wanted.append(tool)
    return wanted


def _family(tool: dict[str, Any]) -> str:
    kind = tool.get("type") or ""
    for family in ("web_search", "web_fetch", "code_execution", "tool_search_tool", "advisor"):
        if kind.startswith(family):
            return family
    return kind


def run(tools: list[dict[str, Any]], convo: Conversation, rng: random.Random, now: float) -> ServerRun:
    out = ServerRun()
    for tool in tools:
        family = _family(tool)
        if family == "web_search":
            _web_search(tool, convo, rng, now, out)
        elif family == "web_fetch":
            _web_fetch(tool, convo, rng, now, out)
        elif family == "code_execution":
            _code_execution(tool, convo, rng, out)
        elif family == "advisor":
            out.drafts = advisor.run(tool, rng) + out.drafts  # guidance comes before the work
    return out


def _file_work(tool: dict[str, Any], convo: Conversation) -> bool:
    return bool(container_files.uploads(convo)) or _editor_command(tool, convo) is not None


def _editor_command(tool: dict[str, Any], convo: Conversation) -> str | None:
    """The text editor sub-tool came with code_execution_20250825; the first version has none."""
    return container_files.editor_command(convo) if tool.get("type") != "code_execution_20250522" else None


def _use(name: str, arguments: dict[str, Any], rng: random.Random) -> Draft:
    block = {"type": "server_tool_use", "id": new_id("srvtoolu_", rng), "name": name, "input": arguments,
             "caller": {"type": "direct"}}
    return Draft(CALL, block, call_tokens(block))


def _result(block: dict[str, Any]) -> Draft:
    return Draft(RESULT, block, 0)


def search_query(text: str) -> str:
    words = [w for w in re.findall(r"[\w'-]+", text.lower()) if w not in _STOP_WORDS]
    return " ".join(words[:8]) or "general information"


def _web_search(tool: dict[str, Any], convo: Conversation, rng: random.Random, now: float, out: ServerRun) -> None:
    query = search_query(convo.last_user_text)
    use = _use("web_search", {"query": query}, rng)
    out.searched.append(query)
    sites = _allowed_sites(tool)
    slug = "-".join(query.split()[:5])
    results, citations = [], []
    for i in range(RESULTS_PER_SEARCH):
        host, site = sites[(i + rng.randrange(len(sites))) % len(sites)]
        url = f"https://{host}/{slug}-{samples.word(rng)}"
        title = f"{query.title()} - {site}"
        results.append({"type": "web_search_result", "url": url, "title": title,
                        "encrypted_content": _opaque(rng, 96), "page_age": _page_age(now, rng)})
        if i < 2:
            citations.append({"type": "web_search_result_location", "cited_text": _sentence(rng),
                              "url": url, "title": title, "encrypted_index": _opaque(rng, 24)})
    out.drafts += [use, _result({"type": "web_search_tool_result", "tool_use_id": use.block["id"], "content": results,
                                 "caller": use.block["caller"]})]  # real results name their caller too
    out.citations += citations


def _allowed_sites(tool: dict[str, Any]) -> list[tuple[str, str]]:
    allowed = tool.get("allowed_domains")
    if allowed:
        return [(domain, domain) for domain in allowed]
    blocked = set(tool.get("blocked_domains") or ())
    return [s for s in SITES if s[0] not in blocked and s[0].removeprefix("www.") not in blocked] or list(SITES)


def _web_fetch(tool: dict[str, Any], convo: Conversation, rng: random.Random, now: float, out: ServerRun) -> None:
    fetch_url(tool, urls_in(convo.last_user_text)[0], rng, now, out)


def urls_in(text: str) -> list[str]:
    """The distinct http(s) URLs of `text`, in order."""
    return list(dict.fromkeys(m.group(0).rstrip(".,;:!?") for m in _URL.finditer(text)))


def fetch_url(tool: dict[str, Any], url: str, rng: random.Random, now: float, out: ServerRun,
              document_index: int = 0) -> None:
    use = _use("web_fetch", {"url": url}, rng)
    host = urlparse(url).hostname or ""
    blocked = any(host.endswith(d) for d in tool.get("blocked_domains") or ())
    allowed = tool.get("allowed_domains")
    if blocked or (allowed and not any(host.endswith(d) for d in allowed)):
        content: dict[str, Any] = {"type": "web_fetch_tool_result_error", "error_code": "url_not_allowed"}
    else:
        document: dict[str, Any] = {"type": "document", "title": f"{host} - {samples.word(rng).title()}",
                                    "source": {"type": "text", "media_type": "text/plain",
                                               "data": " ".join(_sentence(rng) for _ in range(4))}}
        if (tool.get("citations") or {}).get("enabled"):
            document["citations"] = {"enabled": True}
            out.citations.append(_fetched_citation(document, document_index))
        content = {"type": "web_fetch_result", "url": url, "content": document, "retrieved_at": iso(now)}
    out.drafts += [use, _result({"type": "web_fetch_tool_result", "tool_use_id": use.block["id"], "content": content,
                                 "caller": use.block["caller"]})]


def _fetched_citation(document: dict[str, Any], index: int) -> dict[str, Any]:
    """The fetched page's first sentence, located in it as a document citation is."""
    data = document["source"]["data"]
    end = data.find(". ") + 1 or len(data)
    return {"type": "char_location", "cited_text": data[:end], "document_index": index,
            "document_title": document["title"], "start_char_index": 0, "end_char_index": end, "file_id": None}


def _code_execution(tool: dict[str, Any], convo: Conversation, rng: random.Random, out: ServerRun) -> None:
    out.uses_container = True
    out.drafts += container_files.upload_drafts(convo)
    if skills.skills_of(convo):
        for name, arguments, content in skills.steps(tool, convo, rng):
            use = _use(name, arguments, rng)
            out.drafts += [use, _result({"type": f"{name}_tool_result", "tool_use_id": use.block["id"],
                                         "content": content})]
        return
    edit = _editor_command(tool, convo)
    if edit is not None:
        arguments = container_files.editor_input(edit, convo, rng)
        use = _use("text_editor_code_execution", arguments, rng)
        out.drafts += [use, _result(container_files.editor_result(use.block["id"], arguments, convo, rng))]
        return
    code, stdout = snippet(convo.last_user_text)
    if tool.get("type") == "code_execution_20250825":
        command = f'python3 -c "{code.replace(chr(10), "; ")}"'
        use = _use("bash_code_execution", {"command": command}, rng)
        result = {"type": "bash_code_execution_tool_result", "tool_use_id": use.block["id"],
                  "content": {"type": "bash_code_execution_result", "stdout": stdout, "stderr": "",
                              "return_code": 0, "content": []}}
    else:
        use = _use("code_execution", {"code": code}, rng)
        result = code_result(use.block["id"], stdout)
    out.drafts += [use, _result(result)]
    out.printed.append(stdout.strip())


def code_result(tool_use_id: str, stdout: str) -> dict[str, Any]:
    return {"type": "code_execution_tool_result", "tool_use_id": tool_use_id,
            "content": {"type": "code_execution_result", "stdout": stdout, "stderr": "", "return_code": 0,
                        "content": []}}


def snippet(text: str) -> tuple[str, str]:
    """A short Python program about the numbers in `text`, and what it prints."""
    numbers = [float(n) for n in _NUMBER.findall(text)[:12]]
    if not numbers:
        return "import statistics\nprint(statistics.mean([3, 5, 8]))", "5.333333333333333\n"
    values = ", ".join(_number(n) for n in numbers)
    total = sum(numbers)
    return (f"values = [{values}]\nprint(sum(values), sum(values) / len(values))",
            f"{_number(total)} {total / len(numbers)}\n")


def tool_search(tools: list[dict[str, Any]], search_tool: dict[str, Any], rng: random.Random) -> list[Draft]:
    regex = "regex" in (search_tool.get("type") or "")
    words = [w for t in tools for w in name_words(t.get("name", ""))]
    arguments = {"pattern": "|".join(t.get("name", "") for t in tools)} if regex else {"query": " ".join(words)}
    use = _use("tool_search_tool_regex" if regex else "tool_search_tool_bm25", arguments, rng)
    references = [{"type": "tool_reference", "tool_name": t.get("name", "")} for t in tools]
    result = {"type": "tool_search_tool_result", "tool_use_id": use.block["id"],
              "content": {"type": "tool_search_tool_search_result", "tool_references": references}}
    return [use, _result(result)]


def container(request: dict[str, Any], rng: random.Random, now: float) -> dict[str, Any]:
    given = request.get("container")
    given_id = given if isinstance(given, str) else (given or {}).get("id") if isinstance(given, dict) else None
    out: dict[str, Any] = {"id": given_id or new_id("container_", rng),
                           "expires_at": iso(now + CONTAINER_LIFETIME.total_seconds())}
    skills = given.get("skills") if isinstance(given, dict) else None
    if skills:
        out["skills"] = [{"type": s.get("type"), "skill_id": s.get("skill_id"), "version": s.get("version") or "latest"}
                         for s in skills]
    return out


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _page_age(now: float, rng: random.Random) -> str | None:
    if rng.random() < 0.2:
        return None
    day = datetime.fromtimestamp(now, timezone.utc) - timedelta(days=rng.randrange(1, 400))
    return f"{day:%B} {day.day}, {day.year}"


def _opaque(rng: random.Random, size: int) -> str:
    return base64.b64encode(rng.randbytes(size)).decode()


def _sentence(rng: random.Random) -> str:
    return prose.sentence(rng)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)
