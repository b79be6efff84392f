"""`--stateless` mode answers with the spec's examples: they must pass the same checks (except the
pair checks, which need replies computed from the request)."""

from __future__ import annotations

from dataclasses import replace

from mockserver import contract

from .support import MOCK_CONFIG, in_process_schema


def test_stateless_answers_conform():
    schema = in_process_schema(replace(MOCK_CONFIG, stateless=True))
    options = contract.Options(examples=2, include_costly=True, pairs=False, stateful=False)
    report = contract.run_contract(schema, options)
    assert all(r.requests for r in report.operations)
    assert report.ok, contract.summary(report)
