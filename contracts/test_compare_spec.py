"""`mockserver contract --compare-spec`: operations, parameters, schemas and fields that differ."""

from __future__ import annotations

import argparse
import copy
from pathlib import Path

import pytest
import yaml

from mockserver import contract
from mockserver.config import DEFAULT_SPEC

# The official spec's operations, shipped in our own form (the repository holds no copy of that spec).
REFERENCE_FACTS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "reference_facts.yaml"


@pytest.fixture(scope="module")
def ours():
    return contract.load_document(DEFAULT_SPEC)


def planted_copy(ours: dict) -> dict:
    """Our spec with three differences planted: a response field removed, a query parameter added,
    a request field's type changed; and every path duplicated as `?beta=true`, the reference's way."""
    theirs = copy.deepcopy(ours)
    del theirs["components"]["schemas"]["Message"]["properties"]["stop_sequence"]
    theirs["paths"]["/v1/models"]["get"]["parameters"].append(
        {"name": "planted_filter", "in": "query", "required": False, "schema": {"type": "string"}})
    theirs["components"]["schemas"]["MessageCreateParams"]["properties"]["max_tokens"] = {"type": "string"}
    for path in list(theirs["paths"]):
        theirs["paths"][f"{path}?beta=true"] = copy.deepcopy(theirs["paths"][path])
    return theirs


def test_a_copy_of_our_spec_shows_no_difference(ours):
    assert contract.compare_specs(ours, copy.deepcopy(ours)).empty


def test_finds_the_differences_planted_in_a_copy(ours):
    diff = contract.compare_specs(ours, planted_copy(ours))
    report = contract.format_spec_diff(diff, "ours", "planted")
    assert not diff.only_ours and not diff.only_theirs  # ?beta=true duplicates merged, not new operations
    assert "response field only in ours: stop_sequence" in "\n".join(diff.operations["POST /v1/messages"])
    assert "parameter only in theirs: query planted_filter" in diff.operations["GET /v1/models"]
    assert "request field max_tokens: integer in ours, string in theirs" in diff.operations["POST /v1/messages"]
    assert "stop_sequence" in " ".join(diff.schemas["Message"])
    assert "GET /v1/models\n  parameter only in theirs: query planted_filter" in report


def test_beta_duplicates_win_over_plain_paths():
    spec = {"paths": {"/v1/x": {"get": {"operationId": "plain"}},
                      "/v1/x?beta=true": {"get": {"operationId": "beta"}}}}
    assert contract.spec_operations(spec)["GET /v1/x"]["operationId"] == "beta"


def reference_shaped(ours: dict) -> dict:
    """A spec shaped like the official one: only its operations, each also under `?beta=true`, no Admin
    API; with one planted difference on POST /v1/messages."""
    facts = yaml.safe_load(REFERENCE_FACTS.read_text())
    theirs = copy.deepcopy(ours)
    wanted = {tuple(operation.split(" ", 1)) for operation in facts["operations"]}
    theirs["paths"] = {}
    for path, item in ours["paths"].items():
        kept = {m: copy.deepcopy(op) for m, op in item.items() if (m.upper(), path) in wanted}
        if kept:
            theirs["paths"][path] = kept
            theirs["paths"][f"{path}?beta=true"] = copy.deepcopy(kept)
    theirs["components"]["schemas"]["MessageCreateParams"]["properties"]["max_tokens"] = {"type": "string"}
    return theirs


def test_a_reference_shaped_spec_report_is_readable(ours, tmp_path, capsys):
    reference = tmp_path / "reference.yml"
    reference.write_text(yaml.safe_dump(reference_shaped(ours), sort_keys=False))
    parser = argparse.ArgumentParser()
    contract.add_parser(parser.add_subparsers(dest="command"))
    assert contract.run(parser.parse_args(["contract", "--compare-spec", str(reference)])) == 0
    report = capsys.readouterr().out
    assert "Operations only in ours" in report and "GET /v1/organizations/me" in report  # no Admin API there
    assert "`?beta=true` duplicate paths merged" in report
    assert "\nPOST /v1/messages\n" in report and "Summary:" in report
    assert not contract.compare_specs(ours, reference_shaped(ours)).only_theirs  # we serve every operation
