"""Superseded and altered recordings listed in a folder's sources.yaml, and the rule that decides which
requests replay under another API version."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from mockserver.conformance import run_conformance
from mockserver.conformance.report import junit_xml, summary
from mockserver.conformance.sources import UnreadableSource

from .support import HELLO, MODEL, doctored_server, everyday_calls, record_with_vcrpy, write_cassette

PLAIN = 0  # the first call of everyday_calls: a plain Messages request
PAIRING = "an unpaired tool_use: today's API refuses what this recording shows it accepting, for the reasons linked"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    return record_with_vcrpy(tmp_path_factory.mktemp("vcr") / "everyday.yaml", everyday_calls)


def _refused_but_recorded_as_accepted(recorded: list[dict]) -> dict:
    """A recorded 200 whose request the mock refuses (an empty conversation): a planted stricter 400."""
    interaction = copy.deepcopy(recorded[PLAIN])
    interaction["request"]["body"] = json.dumps({"model": MODEL, "max_tokens": 10, "messages": []})
    return interaction


def _corpus(tmp_path, interactions: list[dict], manifest: dict | None):
    folder = tmp_path / "corpus"
    (folder / "project").mkdir(parents=True)
    write_cassette(folder / "project" / "old.yaml", interactions)
    if manifest is not None:
        (folder / "sources.yaml").write_text(yaml.safe_dump({"projects": [], **manifest}))
    return folder


def _entry(**extra) -> dict:
    return {"file": "project/old.yaml", "reason": PAIRING, "evidence": ["https://example.org/thread"], **extra}


def test_a_superseded_exchange_is_reported_with_its_reason_and_does_not_fail_the_run(recorded, tmp_path):
    stricter = [recorded[PLAIN], _refused_but_recorded_as_accepted(recorded)]
    failing = run_conformance([_corpus(tmp_path / "a", stricter, None)])
    assert not failing.ok and failing.results[1].failed

    report = run_conformance([_corpus(tmp_path / "b", stricter, {"superseded": [_entry(exchanges=[1])]})])
    assert report.ok and not report.differences and not report.by_cause()
    superseded = report.results[1]
    assert superseded.superseded.kind == "superseded" and superseded.differences  # kept, not dropped
    assert report.results[0].superseded is None  # only the exchange listed
    text = summary(report)
    assert "superseded " in text and "project/old.yaml#1" in text and PAIRING in text
    assert b'skipped message="superseded: ' in junit_xml(report)


def test_an_entry_that_no_longer_differs_is_reported_stale(recorded, tmp_path):
    report = run_conformance([_corpus(tmp_path, [recorded[PLAIN]], {"altered": [_entry()]})])
    assert report.ok and report.superseded[0].superseded.kind == "altered"
    assert "STALE" in summary(report)


@pytest.mark.parametrize("entry, message", [
    (_entry(file="project/gone.yaml"), "name no cassette: project/gone.yaml"),
    (_entry(reason=" "), "needs file, reason and evidence"),
    (_entry(evidence=[]), "needs file, reason and evidence"),
])
def test_a_bad_entry_is_a_usage_error(recorded, tmp_path, entry, message):
    with pytest.raises(UnreadableSource, match=message):
        run_conformance([_corpus(tmp_path, [recorded[PLAIN]], {"superseded": [entry]})])


def _with_body(interaction: dict, version: str, **fields) -> dict:
    changed = copy.deepcopy(interaction)
    changed["request"]["body"] = json.dumps({"model": MODEL, "max_tokens": 200, "messages": HELLO, **fields})
    changed["request"]["headers"]["anthropic-version"] = [version]
    return changed


def test_a_request_replays_under_a_version_only_where_the_spec_accepts_it(recorded, tmp_path):
    """`temperature` is a 2023-06-01 field: such a request is not valid under 2026-10-21 and is not sent
    there; a body both versions refuse is sent (the version is not why), and so is a plain one."""
    sampled = _with_body(recorded[PLAIN], "2023-06-01", temperature=0.5)
    both_refuse = _with_body(recorded[PLAIN], "2023-06-01", no_such_field=1)
    cassette = write_cassette(tmp_path / "v.yaml", [sampled, both_refuse, recorded[PLAIN]])
    with doctored_server(lambda *request: (200, {"content-type": "application/json"},
                                           recorded[PLAIN]["response"]["body"]["string"].encode())) as server:
        newer = run_conformance([cassette], base_url=server.base_url, api_version="2026-10-21")
        sent_newer = len(server.received)
        older = run_conformance([cassette], base_url=server.base_url, api_version="2023-06-01")
    assert [r.off_version for r in newer.results] == [True, False, False]
    assert newer.results[0].skipped == "not valid under 2026-10-21" and sent_newer == 2
    assert not any(r.off_version for r in older.results) and len(server.received) == 5
    assert "1 not valid under 2026-10-21" in summary(newer)
