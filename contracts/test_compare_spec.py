"""`mockserver contract --compare-spec`: operations, parameters, schemas and fields that differ."""

from __future__ import annotations

import argparse
import copy

import pytest
import yaml

from mockserver import contract
from mockserver.config import DEFAULT_SPEC

REFERENCE = "/work/shared/reference/anthropic-openapi-v195.yml"


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


def test_the_reference_spec_report_is_readable(ours, tmp_path, capsys):
    parser = argparse.ArgumentParser()
    contract.add_parser(parser.add_subparsers(dest="command"))
    assert contract.run(parser.parse_args(["contract", "--compare-spec", REFERENCE])) == 0
    report = capsys.readouterr().out
    assert "Operations only in ours" in report and "GET /v1/organizations/me" in report  # no Admin API there
    assert "`?beta=true` duplicate paths merged" in report
    assert "\nPOST /v1/messages\n" in report and "Summary:" in report
    with open(REFERENCE, "rb") as handle:
        theirs = yaml.load(handle, Loader=yaml.CSafeLoader)
    assert not contract.compare_specs(ours, theirs).only_theirs  # we serve every operation they document
