"""The README's coverage table is the one tools/coverage_table.py generates from the spec and the handlers."""

from __future__ import annotations

from pathlib import Path

from tools.coverage_table import current_table, readme_table, table

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_table_is_current():
    assert readme_table(README.read_text()) == current_table(), "run: .venv/bin/python tools/coverage_table.py --write"


def test_the_table_counts_operations_by_family_and_mode():
    spec = {"paths": {"/a": {"get": {"operationId": "a_get", "tags": ["A"]},
                             "post": {"operationId": "a_post", "tags": ["A"]}},
                      "/b": {"get": {"operationId": "b_get", "tags": ["B: x"]}}}}
    lines = table(spec, {"a_post"}).splitlines()
    assert lines[2] == "| A | 2 | 2 | 1 |" and lines[3] == "| B: x | 1 | 1 | — |"
    assert lines[-1] == "| **all** | **3** | **3** | **1** |"
