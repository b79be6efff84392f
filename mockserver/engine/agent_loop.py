"""The agent loop under `tool_choice: auto`: what a reply does once tools have answered.

The task is the last user turn that returned no tool results. After tool results, the reply:
- acknowledges an error (`is_error: true`) and ends the turn;
- goes on with the memory tool: a directory `view` that lists a file is followed by a `view` of
  that file, and when the task asks to remember, save, store or note something, by `create` (no
  file yet) or `str_replace` (the viewed file's first line gets the note appended);
- calls the next tool the task mentions and no call of this task has used yet, when the task
  asks for several steps (then, after that, next, finally, followed by) or only memory has run;
- runs the server tools the task wanted (web search...) that no reply of this task has run: a
  task of several steps runs those its first step asks for ("search the web for X, then convert
  it") before calling its client tool, and leaves the others for after its result;
- otherwise answers, quoting what the tools returned.
A fresh task with the memory tool offered starts by viewing the memory directory, as the
API's memory instructions tell a model to.
"""

from __future__ import annotations

import re
from typing import Any

from .conversation import Conversation, text_of

MEMORY_ROOT = "/memories"
STEP_WORDS = re.compile(r"\b(?:then|after that|afterwards|next|finally|followed by|and also|step)\b", re.I)
REMEMBER_WORDS = re.compile(r"\b(?:remember|save|store|note|memori[sz]e|record|keep in mind)\b", re.I)
_LISTED_FILE = re.compile(r"(/memories/[\w./-]+\.\w+)")

Call = tuple[dict[str, Any], dict[str, Any] | None]  # a tool, and its input (None: generated)


def memory_tool(convo: Conversation) -> dict[str, Any] | None:
    return next((t for t in convo.client_tools() if (t.get("type") or "").startswith("memory_")), None)


def task_of(convo: Conversation) -> Conversation:
    """The conversation up to and including the user turn that set the task."""
    messages = convo.request.get("messages") or []
    for i in range(len(messages) - 1, -1, -1):
        message = messages[i]
        if isinstance(message, dict) and message.get("role") == "user" and not _has_results(message):
            return Conversation.of({**convo.request, "messages": messages[: i + 1]})
    return convo


def _has_results(message: dict[str, Any]) -> bool:
    content = message.get("content")
    return isinstance(content, list) and any(isinstance(b, dict) and b.get("type") == "tool_result" for b in content)


def calls_since_task(convo: Conversation, task: Conversation) -> list[dict[str, Any]]:
    done = len(task.request.get("messages") or [])
    later = (convo.request.get("messages") or [])[done:]
    return [b for m in later if isinstance(m, dict) and m.get("role") == "assistant"
            for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "tool_use"]


def results(convo: Conversation) -> list[dict[str, Any]]:
    return [b for b in convo.last_user if isinstance(b, dict) and b.get("type") == "tool_result"]


def failed(convo: Conversation) -> list[dict[str, Any]]:
    return [r for r in results(convo) if r.get("is_error")]


def next_calls(convo: Conversation, mentioned: list[dict[str, Any]]) -> list[Call]:
    """The calls that continue the task after tool results (none: answer). `mentioned` are the
    client tools the task mentions."""
    if failed(convo):
        return []
    task = task_of(convo)
    calls = calls_since_task(convo, task)
    memory = memory_tool(convo)
    last_memory = [c for c in calls[-len(results(convo)) or None:] if memory and c.get("name") == memory.get("name")]
    if memory is not None and last_memory:
        step = memory_step(last_memory[-1].get("input") or {}, convo, task)
        if step is not None:
            return [(memory, step)]
    used = {c.get("name") for c in calls}
    pending = [t for t in mentioned if t.get("name") not in used and t is not memory]
    if not pending:
        return []
    if STEP_WORDS.search(task.last_user_text):
        return [(pending[0], None)]
    only_memory = memory is not None and used <= {memory.get("name")}
    return [(t, None) for t in pending] if only_memory else []


def split_steps(convo: Conversation) -> tuple[Conversation, Conversation] | None:
    """The conversation with its last user text cut at the first step word: before it, and after it
    (None when there is no step word)."""
    found = STEP_WORDS.search(convo.last_user_text)
    if found is None:
        return None
    messages = list(convo.request.get("messages") or [])

    def ending(text: str) -> Conversation:
        return Conversation.of({**convo.request, "messages": [*messages[:-1], {"role": "user", "content": text}]})

    return ending(convo.last_user_text[: found.start()]), ending(convo.last_user_text[found.end():])


def continues_task(convo: Conversation) -> bool:
    """Tool results under tool_choice auto that no error stopped: the task may go on."""
    kind = (convo.request.get("tool_choice") or {}).get("type", "auto")
    return kind == "auto" and convo.answers_tools and not failed(convo)


def pending_server(convo: Conversation, task: Conversation, wanted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The server tools the task wants that no reply of this task has run yet."""
    done = len(task.request.get("messages") or [])
    later = (convo.request.get("messages") or [])[done:]
    ran = {b.get("name") for m in later if isinstance(m, dict) and m.get("role") == "assistant"
           for b in m.get("content") or [] if isinstance(b, dict) and b.get("type") == "server_tool_use"}
    return [t for t in wanted if t.get("name") not in ran]


def memory_step(last: dict[str, Any], convo: Conversation, task: Conversation) -> dict[str, Any] | None:
    """The memory command after `last` (whose result the last user turn holds), or None."""
    seen = text_of(results(convo))
    wants_note = REMEMBER_WORDS.search(task.last_user_text) is not None
    command, path = last.get("command"), str(last.get("path") or MEMORY_ROOT)
    if command == "view" and path.rstrip("/") == MEMORY_ROOT:
        listed = _LISTED_FILE.search(seen)
        if listed:
            return {"command": "view", "path": listed.group(1)}
        return _create(task) if wants_note else None
    if command == "view" and wants_note:
        line = _first_line(seen)
        if line:
            return {"command": "str_replace", "path": path, "old_str": line, "new_str": f"{line}\n{note(task)}"}
        return _create(task, path)
    return None


def first_memory_call() -> dict[str, Any]:
    return {"command": "view", "path": MEMORY_ROOT}


def note(task: Conversation) -> str:
    return "- " + " ".join(task.last_user_text.split())[:200]


def _create(task: Conversation, path: str = f"{MEMORY_ROOT}/notes.md") -> dict[str, Any]:
    return {"command": "create", "path": path, "file_text": f"# Notes\n{note(task)}\n"}


def _first_line(seen: str) -> str | None:
    """The first content line of a memory file view (its line numbers cut off)."""
    for raw in seen.splitlines():
        line = re.sub(r"^\s*\d+\s*[\t|:]?\s?", "", raw).strip()
        if line and not line.lower().startswith(("here's the content", "here is the content")):
            return line
    return None


def quote(result: dict[str, Any], limit: int = 300) -> str:
    text = " ".join(text_of([result]).split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."
