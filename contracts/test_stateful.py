"""Sequences through the spec's links, in-process: schemathesis's state machine explores them at
random, and the link walks create each kind of object with a known-good body and then call every
operation linked to it (batch -> retrieve -> cancel -> results -> delete, file -> get -> download ->
delete, skill -> versions -> delete...), checking every response and that deleted objects are gone."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from mockserver import contract

from .support import in_process_schema

# Operations answered from their spec example only (no state behind them, no links): they add rules to
# the state machine but no sequence worth exploring, and their inferred links make its draws depend on
# timing under load (hypothesis then reports the strategy as flaky).
EXAMPLE_ONLY = r"^/v1/(compliance/|user_profiles/|organizations/(claude_code/managed_settings|external_storage|providers/))"
schema = in_process_schema().exclude(path_regex=EXAMPLE_ONLY)
CHECKS = contract.contract_checks()


class LinkedCalls(schema.as_state_machine()):
    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, checks=CHECKS)


TestLinkedCalls = LinkedCalls.TestCase
TestLinkedCalls.settings = settings(max_examples=40, stateful_step_count=8, deadline=None, derandomize=True,
                                    database=None, suppress_health_check=list(HealthCheck))


def test_link_walks_reach_every_linked_operation():
    runner = contract.Runner(in_process_schema(), contract.Options(include_costly=True))
    walker = contract.LinkWalks(runner)
    walks = walker.run()
    problems = {w.label: [f"{f.check}: {f.message}" for f in w.failures] for w in walks if w.failures}
    assert not problems, problems
    reached = {status for walk in walks for status in walk.statuses}
    assert 200 in reached
    linked = {link["operationId"] for op in runner.by_id.values() for link in walker.links(op).values()}
    called = sum(walk.requests for walk in walks)
    assert called >= len(linked), f"{called} calls for {len(linked)} linked operations"
