"""Proof that fuzzing finds real client bugs: each planted bug (planted.py) is found within 200 seeded
runs and shrinks to a reply of a few blocks; each fixed twin passes 1,000 hypothesis examples; the
README's planted-bug table is this test's output (set MOCKSERVER_WRITE_TABLE=1 to rewrite it)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from .harness import Finding, direct_all, seeded
from .planted import PAIRS
from .reference import Client

README = Path(__file__).resolve().parents[2] / "README.md"
TABLE = re.compile(r"(<!-- planted-bugs:start -->\n)(.*?)(<!-- planted-bugs:end -->)", re.S)
FIND_WITHIN = 200
FEW_BLOCKS = 3


@pytest.fixture(scope="module")
def findings() -> list[Finding]:
    return [seeded(pair.buggy, FIND_WITHIN) for pair in PAIRS]


def test_there_are_at_least_twenty_planted_bugs():
    assert len(PAIRS) >= 20
    assert len({pair.buggy for pair in PAIRS}) == len(PAIRS)


def test_each_buggy_client_fails_within_200_runs_and_shrinks_to_a_few_blocks(findings):
    for pair, finding in zip(PAIRS, findings):
        assert finding.found_at is not None and finding.found_at <= FIND_WITHIN, pair.bug
        assert finding.shrunk and finding.blocks <= FEW_BLOCKS and len(finding.shrunk) <= 3, (pair.bug, finding.size)


def test_each_fixed_twin_passes_1000_examples():
    twins = list(dict.fromkeys([Client, *(pair.fixed for pair in PAIRS)]))
    assert direct_all(twins, 1000) == 1000


def table(findings: list[Finding]) -> str:
    rows = ["| Bug class | Runs to find | Shrunk reply |", "|---|---|---|"]
    rows += [f"| {pair.bug} | {finding.found_at} | {finding.size} |" for pair, finding in zip(PAIRS, findings)]
    return "\n".join(rows) + "\n"


def test_the_readme_table_is_this_tests_output(findings):
    expected = table(findings)
    text = README.read_text()
    found = TABLE.search(text)
    assert found, "README.md lacks the <!-- planted-bugs:start --> ... <!-- planted-bugs:end --> table"
    if found.group(2) != expected and os.environ.get("MOCKSERVER_WRITE_TABLE"):
        README.write_text(text[:found.start(2)] + expected + text[found.end(2):])
        return
    assert found.group(2) == expected, f"the README table is stale; it should read:\n{expected}"
