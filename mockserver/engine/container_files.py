"""Files in the code execution container: `container_upload` blocks and the text editor sub-tool.

A `container_upload` block in the last user turn gives a file to code execution (it lands at
`/mnt/user-data/inputs/<file_id>`): with a code execution tool in the request the reply runs code
execution, opening with one `container_upload` block per file it received.

The text editor (code_execution_20250825 and later) runs instead of bash when the last user turn
asks for a file operation, that is says file/files (or names a path, or gave a file) together with
a verb: edit/replace/change/update/fix is `str_replace`, create/write/save is `create`,
view/show/read/open/display is `view`. The path is the named absolute path, else the uploaded file
(unless creating), else the named file (or notes.txt) under /tmp/outputs. A `view` of a path
that was neither uploaded nor created earlier in the conversation answers `text_editor_code_execution_tool_result_error` "file_not_found".
A request that also offers a client text editor tool (`text_editor_...`) leaves file operations to it.
"""

from __future__ import annotations

import random
import re
from typing import Any

from . import prose
from .conversation import Conversation
from .drafts import RESULT, Draft

INPUT_DIR = "/mnt/user-data/inputs"
DEFAULT_PATH = "/tmp/outputs/notes.txt"
FILE_WORDS = frozenset({"file", "files"})
COMMAND_WORDS = (
    ("str_replace", frozenset({"edit", "replace", "change", "update", "fix"})),
    ("create", frozenset({"create", "write", "save"})),
    ("view", frozenset({"view", "show", "read", "open", "display"})),
)
FILE_TYPES = {".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image", ".webp": "image", ".pdf": "pdf"}
_PATH = re.compile(r"(?<![\w/])(/[\w.\-]+(?:/[\w.\-]+)+|[\w\-]{2,}\.[A-Za-z][A-Za-z0-9]{0,4})(?![\w/])")


def uploads(convo: Conversation) -> list[str]:
    """The file ids of the last user turn's container_upload blocks."""
    return [b.get("file_id", "") for b in convo.last_user if _kind(b) == "container_upload"]


def upload_drafts(convo: Conversation) -> list[Draft]:
    return [Draft(RESULT, {"type": "container_upload", "file_id": f}, 0) for f in uploads(convo)]


def editor_command(convo: Conversation) -> str | None:
    """The text editor command the last user turn asks for, if it asks for one (a client text
    editor tool in the request takes file operations over)."""
    if any((t.get("type") or "").startswith("text_editor_") for t in convo.client_tools()):
        return None
    if not (FILE_WORDS & convo.words or uploads(convo) or _named_path(convo)):
        return None
    return next((command for command, words in COMMAND_WORDS if words & convo.words), None)


def editor_input(command: str, convo: Conversation, rng: random.Random) -> dict[str, Any]:
    path = _target_path(command, convo)
    if command == "create":
        return {"command": "create", "path": path, "file_text": prose.sentence(rng) + "\n"}
    if command == "str_replace":
        return {"command": "str_replace", "path": path, "old_str": "TODO", "new_str": "DONE"}
    return {"command": "view", "path": path}


def editor_result(tool_use_id: str, arguments: dict[str, Any], convo: Conversation,
                  rng: random.Random) -> dict[str, Any]:
    command, path = arguments["command"], arguments["path"]
    if command == "create":
        content: dict[str, Any] = {"type": "text_editor_code_execution_create_result",
                                   "is_file_update": path in _created_paths(convo)}
    elif command == "str_replace":
        content = {"type": "text_editor_code_execution_str_replace_result", "old_start": 1, "old_lines": 1,
                   "new_start": 1, "new_lines": 1, "lines": [f"-{arguments['old_str']}", f"+{arguments['new_str']}"]}
    elif path in _known_paths(convo):
        content = _view(path, rng)
    else:
        content = {"type": "text_editor_code_execution_tool_result_error", "error_code": "file_not_found",
                   "error_message": f"File not found: {path}"}
    return {"type": "text_editor_code_execution_tool_result", "tool_use_id": tool_use_id, "content": content}


def _view(path: str, rng: random.Random) -> dict[str, Any]:
    file_type = FILE_TYPES.get(path[path.rfind("."):].lower(), "text") if "." in path else "text"
    lines = [prose.sentence(rng) for _ in range(3)] if file_type == "text" else []
    return {"type": "text_editor_code_execution_view_result", "file_type": file_type, "content": "\n".join(lines),
            "num_lines": len(lines), "start_line": 1, "total_lines": len(lines)}


def _named_path(convo: Conversation) -> str | None:
    match = _PATH.search(convo.last_user_text)
    return match.group(1) if match else None


def _target_path(command: str, convo: Conversation) -> str:
    """A named absolute path; else the uploaded file (unless creating); else a named file under /tmp/outputs."""
    named, given = _named_path(convo), uploads(convo)
    if named and named.startswith("/"):
        return named
    if given and command != "create":
        return f"{INPUT_DIR}/{given[0]}"
    return f"/tmp/outputs/{named}" if named else DEFAULT_PATH


def _known_paths(convo: Conversation) -> set[str]:
    uploaded = {f"{INPUT_DIR}/{b.get('file_id', '')}" for b in _blocks(convo, "user", "container_upload")}
    return uploaded | _created_paths(convo)


def _created_paths(convo: Conversation) -> set[str]:
    edits = [b.get("input") or {} for b in _blocks(convo, "assistant", "server_tool_use")
             if b.get("name") == "text_editor_code_execution"]
    return {e.get("path", "") for e in edits if e.get("command") == "create"}


def _blocks(convo: Conversation, role: str, kind: str) -> list[dict[str, Any]]:
    return [b for turn_role, items in convo.turns if turn_role == role for b in items if _kind(b) == kind]


def _kind(block: Any) -> Any:
    return block.get("type") if isinstance(block, dict) else None
