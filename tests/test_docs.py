"""The documentation site: it builds with `mkdocs build --strict`, its generated reference pages are
current, and every Python example in it runs against the mock.

Python blocks run as they are, with ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY pointing at a fresh mock;
a block that defines `test_` functions runs under pytest with the plugin. A block that is a fragment
(it shows one call, or needs your own code) says so on the line above it: `<!-- fragment -->`.
Shell blocks are commands to type, not examples, and are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

ROOT = Path(__file__).resolve().parent.parent
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.S)


def _examples() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            if "<!-- fragment -->" in match["before"]:
                continue
            line = text.count("\n", 0, match.start("code")) + 1
            found.append((f"{page.relative_to(ROOT)}:{line}", match["code"]))
    return found


EXAMPLES = _examples()


@pytest.fixture(scope="module")
def mock_url():
    with MockServer(Config(seed=1)) as server:
        yield server.base_url


@pytest.mark.parametrize("where,code", EXAMPLES, ids=[where for where, _ in EXAMPLES])
def test_every_python_example_runs(where, code, mock_url, tmp_path):
    environment = {**os.environ, "ANTHROPIC_BASE_URL": mock_url, "ANTHROPIC_API_KEY": "sk-ant-api03-docs"}
    if re.search(r"^def test_", code, re.M):
        (tmp_path / "test_example.py").write_text(code)
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_example.py"]
    else:
        (tmp_path / "example.py").write_text(code)
        command = [sys.executable, "example.py"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, f"{where}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


def test_there_are_examples_to_run():
    assert len(EXAMPLES) >= 5


def test_the_reference_pages_are_current():
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "docs_reference.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_site_builds_strictly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-4000:]
    assert (tmp_path / "site" / "reference" / "cli" / "index.html").exists()
