"""Which tools a reply calls, and the tool_use blocks that call them.

The rule for `tool_choice: auto` (the default): a client tool is called when the last user
turn mentions it, that is when the text contains the tool's name, or every content word of
the name (split at `_`, `-` and camelCase, minus generic verbs such as get/list/create/search)
as a word, plurals allowed: `get_weather` is called for "What's the weather in Paris?"; or
when the text shares a content word with the tool's description or its parameters' names and
descriptions (relevance.py). A fresh task with the memory tool offered views memory first
(agent_loop.py). Inputs fill every property, optional ones too, from the prompt's values where
it has them (prompt_values.py); a tool about places is called once per place the prompt names
("weather in Paris and Tokyo"), unless `disable_parallel_tool_use`.
Typed client tools are mentioned by their topic words (bash: bash/shell/command/terminal; text
editor: edit/file/editor; computer: computer/screen/screenshot/click; memory: memory/remember).
When the last user turn returns tool results, agent_loop.py decides (the next step, or the
answer). `any` calls the mentioned tools, or the first callable tool if none is mentioned;
`tool` calls the named one; `none` calls nothing. `disable_parallel_tool_use` keeps only the first call. Tools with
`defer_loading` are found through a tool search tool first, and tools whose `allowed_callers`
name the request's code execution tool are called from code execution (programmatic calling).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

import orjson

from ..http.errors import invalid_request
from ..ids import new_id
from . import agent_loop, instances, prompt_values, relevance, tokenizer
from .conversation import Conversation
from .drafts import CALL, UNFITTABLE, Draft
from .prompt_values import PromptFacts

GENERIC_WORDS = frozenset({
    "get", "set", "list", "create", "update", "delete", "fetch", "find", "run", "do", "make", "check",
    "read", "write", "add", "remove", "lookup", "query", "call", "use", "tool", "api", "search", "retrieve",
})
TYPED_TOOL_WORDS = {
    "bash_": {"bash", "shell", "command", "terminal"},
    "text_editor_": {"edit", "file", "editor"},
    "computer_": {"computer", "screen", "screenshot", "click"},
    "memory_": {"memory", "remember"},
}
TYPED_TOOL_INPUTS = {
    "bash_": {"command": "ls -la"},
    "text_editor_": {"command": "view", "path": "/repo/README.md"},
    "computer_": {"action": "screenshot"},
    "memory_": {"command": "view", "path": "/memories"},
}
MAX_PARALLEL = 5
CALLER_TYPES = ("code_execution_20250825", "code_execution_20260120")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SPLIT = re.compile(r"[_\-\s.]+")


@dataclass(slots=True)
class ToolPlan:
    direct: list[dict[str, Any]] = field(default_factory=list)
    programmatic: list[dict[str, Any]] = field(default_factory=list)
    server: list[dict[str, Any]] = field(default_factory=list)
    searched: list[dict[str, Any]] = field(default_factory=list)  # deferred tools a tool search finds
    forced: bool = False

    @property
    def calls_client_tools(self) -> bool:
        return bool(self.direct or self.programmatic)


def name_words(name: str) -> list[str]:
    return [w.lower() for w in _SPLIT.split(_CAMEL.sub(" ", name)) if w]


def mentions(tool: dict[str, Any], convo: Conversation) -> bool:
    kind = tool.get("type") or "custom"
    for prefix, words in TYPED_TOOL_WORDS.items():
        if kind.startswith(prefix):
            return bool(words & convo.words)
    if named(tool, convo):
        return True
    return kind == "custom" and relevance.is_about(tool, convo.last_user_text)


def named(tool: dict[str, Any], convo: Conversation) -> bool:
    """The last user text names the tool, or has every content word of its name."""
    name = tool.get("name") or ""
    if name and name.lower() in convo.last_user_text.lower():
        return True
    parts = name_words(name)
    content = [w for w in parts if w not in GENERIC_WORDS] or parts
    return bool(content) and all(_has_word(w, convo.words) for w in content)


def _has_word(word: str, words: frozenset[str]) -> bool:
    return word in words or f"{word}s" in words or f"{word}es" in words or (word.endswith("s") and word[:-1] in words)


def code_execution_tool(convo: Conversation, callers: list[str]) -> dict[str, Any] | None:
    for tool in convo.server_tools():
        if tool.get("type") in callers and tool.get("type") in CALLER_TYPES:
            return tool
    return None


def plan(convo: Conversation, server_wanted: list[dict[str, Any]],
         first_step_wanted: list[dict[str, Any]] | None = None) -> ToolPlan:
    """The tools this reply calls; `server_wanted` are the server tools whose triggers fired,
    `first_step_wanted` those the task's first step (its text before a step word) asks for."""
    choice = convo.request.get("tool_choice") or {"type": "auto"}
    kind = choice.get("type", "auto")
    out = ToolPlan(forced=kind in ("any", "tool"))
    if kind == "none" or not convo.tools() or (kind == "auto" and convo.answers_tools):
        return out
    if kind == "auto" and not convo.answers_tools and agent_loop.memory_tool(convo) is not None:
        out.direct = [agent_loop.memory_tool(convo)]  # a fresh task looks in memory first
        return out
    if kind == "tool":
        named = [t for t in convo.tools() if t.get("name") == choice.get("name")]
        _assign(out, named, convo, searching=False)
    else:
        _assign(out, [t for t in convo.client_tools() if mentions(t, convo)], convo, searching=True)
        out.server = list(server_wanted)
        if kind == "any" and not (out.calls_client_tools or out.server):
            _assign(out, _first_callable(convo), convo, searching=False)
        if agent_loop.STEP_WORDS.search(convo.last_user_text) and out.direct:
            out.direct = out.direct[:1]  # steps run one after the other: the loop calls the next
            # server tools the first step asks for run before the call, the others after its result
            out.server = [t for t in out.server if t in (first_step_wanted or [])]
    if choice.get("disable_parallel_tool_use"):
        out.direct, out.programmatic = (out.direct[:1], []) if out.direct else ([], out.programmatic[:1])
        out.searched = [t for t in out.searched if t in out.direct + out.programmatic]
    return out


def _assign(out: ToolPlan, tools: list[dict[str, Any]], convo: Conversation, searching: bool) -> None:
    has_search = any((t.get("type") or "").startswith("tool_search_tool") for t in convo.server_tools())
    for tool in tools:
        if tool in convo.server_tools():
            out.server.append(tool)
            continue
        if tool.get("defer_loading") and searching:
            if not has_search:
                continue
            out.searched.append(tool)
        callers = tool.get("allowed_callers") or ["direct"]
        if code_execution_tool(convo, callers) is not None:
            out.programmatic.append(tool)
        elif "direct" in callers:
            out.direct.append(tool)


def _first_callable(convo: Conversation) -> list[dict[str, Any]]:
    for tool in convo.client_tools():
        if not tool.get("defer_loading"):
            return [tool]
    return convo.server_tools()[:1]


def tool_input(tool: dict[str, Any], rng: random.Random, topic: str,
               max_chars: int = instances.DEFAULT_MAX_CHARS, facts: PromptFacts | None = None) -> dict[str, Any]:
    """Raises instances.TooLarge when every valid input is longer than `max_chars`."""
    kind = tool.get("type") or "custom"
    for prefix, fixed in TYPED_TOOL_INPUTS.items():
        if kind.startswith(prefix):
            return dict(fixed)
    schema = tool.get("input_schema") or {"type": "object"}
    try:
        arguments = prompted_value(schema, rng, topic, max_chars, facts)
        return arguments if isinstance(arguments, dict) else {}
    except instances.SchemaProblem as problem:
        raise invalid_request(f"tools: input_schema of tool `{tool.get('name', '')}`: {problem}") from None


def prompted_value(schema: Any, rng: random.Random, topic: str, max_chars: int,
                   facts: PromptFacts | None = None) -> Any:
    """An instance with every property filled, from the prompt's values where they are valid."""
    try:
        value = instances.generate(schema, rng, topic, max_chars, facts or PromptFacts.of(topic))
        if _valid(schema, value):
            return value
    except (instances.TooLarge, instances.SchemaProblem):  # filling every optional part can outgrow a limit
        pass
    return instances.generate(schema, rng, topic, max_chars)  # the plain instance, as before


def _valid(schema: dict[str, Any], instance: Any) -> bool:
    import jsonschema_rs

    try:
        return bool(jsonschema_rs.validator_for(schema).is_valid(instance))
    except Exception:  # a schema the validator cannot compile: the generator's word stands
        return True


def parallel_facts(tool: dict[str, Any], topic: str, context: str = "") -> list[PromptFacts]:
    """One set of prompt values per place the prompt names, when the tool takes a place."""
    facts = PromptFacts.of(topic, context)
    props = (tool.get("input_schema") or {}).get("properties") or {}
    takes_place = any(prompt_values.property_kind(k, str((v or {}).get("description") or "")) == "place"
                      for k, v in props.items() if isinstance(v, dict) and "enum" not in v)
    if not takes_place or len(facts.places) < 2:
        return [facts]
    return [facts.with_places([place]) for place in facts.places[:MAX_PARALLEL]]


def tool_use_draft(tool: dict[str, Any], rng: random.Random, topic: str,
                   caller: dict[str, Any] | None = None, max_tokens: Any = None,
                   facts: PromptFacts | None = None, fixed: dict[str, Any] | None = None) -> Draft:
    """A call whose input cannot fit in `max_tokens` costs more than any budget: `fit` leaves it out."""
    try:
        limit = instances.max_chars_for(max_tokens)
        if fixed is not None and len(orjson.dumps(fixed)) > limit:
            raise instances.TooLarge
        arguments = dict(fixed) if fixed is not None else tool_input(tool, rng, topic, limit, facts)
        tokens = None
    except instances.TooLarge:
        arguments, tokens = {}, UNFITTABLE
    block = {"type": "tool_use", "id": new_id("toolu_", rng), "name": tool.get("name", ""),
             "input": arguments, "caller": caller or {"type": "direct"}}
    return Draft(CALL, block, tokens if tokens is not None else call_tokens(block))


def call_tokens(block: dict[str, Any]) -> int:
    return tokenizer.count(block["name"]) + tokenizer.count(orjson.dumps(block["input"]).decode())


def preamble(names: list[str], rng: random.Random) -> str:
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    tool_word = "tool" if len(names) == 1 else "tools"
    return rng.choice((
        f"I'll use the {listed} {tool_word} to help with this.",
        f"Let me call the {listed} {tool_word} to get that information.",
        f"I'll check this with the {listed} {tool_word}.",
    ))
