"""The same checks over a real socket (uvicorn on loopback), through the runner behind
`mockserver contract`: every operation, costly ones included, within a request budget."""

from __future__ import annotations

import argparse
from xml.etree import ElementTree

import pytest

from mockserver import contract
from mockserver.server import MockServer

from .support import MOCK_CONFIG


@pytest.fixture(scope="module")
def server():
    with MockServer(MOCK_CONFIG) as running:
        yield running


def test_every_operation_conforms_over_a_socket(server):
    schema = contract.load_schema(base_url=server.base_url)
    # ~8 requests per operation of the whole-surface spec (293 operations)
    report = contract.run_contract(schema, contract.Options(examples=2, include_costly=True, max_requests=2400))
    assert all(r.requests for r in report.operations), [r.label for r in report.operations if not r.requests]
    assert report.ok, contract.summary(report)
    assert report.requests <= 2400


def test_the_command_prints_progress_and_a_summary_and_writes_junit(server, tmp_path, capsys):
    junit = tmp_path / "contract.xml"
    args = _parse(["--base-url", server.base_url, "--max-requests", "150", "--examples", "2",
                   "--junit-xml", str(junit)])
    assert contract.run(args) == 0
    out = capsys.readouterr().out
    assert "GET /v1/models" in out and "[ 1/" in out  # progress
    assert "Check" in out and "response_schema_conformance" in out and "all checks passed" in out  # summary
    assert "skipped (costs money; pass --include-costly)" in out
    suite = ElementTree.parse(junit).getroot()
    assert suite.get("failures") == "0" and int(suite.get("tests")) > 50
    assert int(suite.get("skipped")) > 0  # costly operations, reported as skipped


def test_the_command_detects_the_mock_and_turns_pair_checks_on(server):
    options = contract.options_from_args(_parse(["--base-url", server.base_url]))
    assert options.pairs
    assert not contract.options_from_args(_parse(["--base-url", "http://127.0.0.1:9"])).pairs


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    contract.add_parser(parser.add_subparsers(dest="command"))
    return parser.parse_args(["contract", *argv])
