"""The whole real-traffic corpus replayed through `run_conformance`: 0 differences, under the versions
the requests were recorded with and under each API version where a request is valid.

One test function per version, so xdist runs them side by side. Token error is printed, not judged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mockserver.conformance import run_conformance
from mockserver.conformance.report import summary
from mockserver.conformance.results import Report
from mockserver.conformance.superseded import superseded_in
from mockserver.conformance.vcr import load_yaml

CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "real-traffic"
VERSIONS = ("2023-06-01", "2026-10-21")


def _replayed(api_version: str | None) -> Report:
    report = run_conformance([CORPUS], api_version=api_version)
    print(f"\n[{api_version or 'recorded versions'}] {report.tokens.summary()}")
    return report


def _no_differences(report: Report) -> None:
    assert report.results, "the corpus replayed nothing"
    assert report.ok, summary(report)


def test_the_corpus_under_the_versions_it_was_recorded_with():
    report = _replayed(None)
    _no_differences(report)
    assert not any(r.off_version for r in report.results)
    # a superseded entry that no longer differs is stale: the list must shrink with the mock's fixes
    stale = [r.exchange.source for r in report.superseded if not r.differences]
    assert not stale, f"superseded entries that no longer differ: {stale}"


@pytest.mark.parametrize("version", VERSIONS)
def test_the_corpus_under_each_api_version_where_its_requests_are_valid(version):
    report = _replayed(version)
    _no_differences(report)
    sent = [r for r in report.results if not r.off_version]
    assert len(sent) > len(report.results) // 2, "most of the corpus is valid under either version"


def test_every_superseded_entry_names_a_recording_and_says_why():
    manifest = yaml.safe_load((CORPUS / "sources.yaml").read_text())
    listed = (manifest.get("superseded") or []) + (manifest.get("altered") or [])
    entries = superseded_in(CORPUS)
    assert len(entries) == len(listed) > 0
    for path, entry in entries.items():
        assert path.is_file(), entry.file
        assert len(entry.reason) > 40 and entry.evidence, entry.file
        assert all(link.startswith("https://") for link in entry.evidence), entry.file
        interactions = load_yaml(path.read_bytes())["interactions"]
        assert entry.exchanges is None or max(entry.exchanges) < len(interactions), entry.file
