"""Agent skills in the code execution container: the skill is read, then run, and it makes a file.

Trigger: a request whose `container.skills` lists skills and that offers a code execution tool
(tool_choice auto or any). The reply reads the first skill's instructions
(`cat /skills/<id>/SKILL.md`), then runs a script that writes its output under
/mnt/user-data/outputs: the result names the produced file by a `file_id`, as a
`bash_code_execution_output` (code_execution_20250825 and later) or `code_execution_output` block.
Anthropic's skills make a file of their own kind (pptx, xlsx, docx, pdf); custom skills a .md file.
"""

from __future__ import annotations

import random
from typing import Any

from ..ids import new_id
from . import prose
from .conversation import Conversation

OUTPUT_DIR = "/mnt/user-data/outputs"
FILE_KINDS = frozenset({"pptx", "xlsx", "docx", "pdf"})


def skills_of(convo: Conversation) -> list[dict[str, Any]]:
    given = convo.request.get("container")
    skills = given.get("skills") if isinstance(given, dict) else None
    return [s for s in skills or () if isinstance(s, dict)]


def steps(tool: dict[str, Any], convo: Conversation, rng: random.Random) -> list[tuple[str, dict[str, Any], dict]]:
    """(tool name, input, result) for each step: read the skill, then run it."""
    skill = skills_of(convo)[0]
    skill_id = str(skill.get("skill_id") or "skill")
    kind = skill_id if skill_id in FILE_KINDS else "md"
    output = f"{OUTPUT_DIR}/{skill_id.replace('/', '_')}_output.{kind}"
    read = f"cat /skills/{skill_id}/SKILL.md"
    run = f"python3 /tmp/outputs/make_{kind}.py --out {output}"
    instructions = f"---\nname: {skill_id}\ndescription: {prose.sentence(rng)}\n---\n# {skill_id}\n{prose.sentence(rng)}\n"
    file_id = new_id("file_", rng)
    if tool.get("type") == "code_execution_20250522":
        return [("code_execution", {"code": f"print(open('/skills/{skill_id}/SKILL.md').read())"},
                 _code(instructions, [])),
                ("code_execution", {"code": f"import subprocess\nsubprocess.run({run.split()!r})"},
                 _code(f"Saved {output}\n", [{"type": "code_execution_output", "file_id": file_id}]))]
    return [("bash_code_execution", {"command": read}, _bash(instructions, [])),
            ("bash_code_execution", {"command": run},
             _bash(f"Saved {output}\n", [{"type": "bash_code_execution_output", "file_id": file_id}]))]


def _bash(stdout: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "bash_code_execution_result", "stdout": stdout, "stderr": "", "return_code": 0, "content": files}


def _code(stdout: str, files: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "code_execution_result", "stdout": stdout, "stderr": "", "return_code": 0, "content": files}
