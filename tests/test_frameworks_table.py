"""The README's table of framework suites is the one the judge script wrote, and no failure in it is
the mock's: bench/frameworks/run writes bench/results/frameworks.md and the README's table together."""

from __future__ import annotations

from pathlib import Path

from bench.frameworks.__main__ import table_lines, update_readme
from bench.frameworks.suites import MOCK_WRONG, SUITES

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "frameworks.md"


def _rows(lines: list[str]) -> dict[str, dict[str, str]]:
    head = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0]] = dict(zip(head[1:], cells[1:]))
    return rows


def test_the_readme_table_is_the_scripts() -> None:
    written = table_lines(RESULTS.read_text())
    assert written, "bench/results/frameworks.md has no suites table"
    assert table_lines((ROOT / "README.md").read_text()) == written


def test_every_suite_is_judged_and_none_finds_the_mock_wrong() -> None:
    rows = _rows(table_lines(RESULTS.read_text()))
    assert set(rows) == {suite.name for suite in SUITES}
    for name, counts in rows.items():
        assert counts[MOCK_WRONG] == "0", f"{name}: {counts[MOCK_WRONG]} failures are the mock's"
        assert int(counts["passed"]) > 0, f"{name} passed nothing: did it run?"
    assert f"`: {MOCK_WRONG}" not in RESULTS.read_text()


def test_the_script_replaces_the_readme_table_in_place(tmp_path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("intro\n\n| suite | passed | mock wrong |\n|---|---|---|\n| x | 1 | 2 |\n\nafter\n")
    update_readme("| suite | passed | mock wrong |\n|---|---|---|\n| x | 3 | 0 |", readme)
    assert readme.read_text() == "intro\n\n| suite | passed | mock wrong |\n|---|---|---|\n| x | 3 | 0 |\n\nafter\n"
