"""Every operation of the spec, in-process over ASGI: the spec's examples and positive generated
requests, each response run through every check of the suite (mockserver.contract). Negative data is
in test_negative_data.py, so that `pytest -n 2 --dist loadfile` runs the two halves side by side.

Operations are parametrized by pytest itself, not by `schema.parametrize()`: its items share one node
id, and pytest-xdist would run only one of them."""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode

from mockserver import contract

from .support import CHECKS, EXAMPLES, conforms, operations, shared_schema

schema = shared_schema()
OPERATIONS = operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_positive_requests_conform(operation):
    conforms(operation.as_strategy(generation_mode=GenerationMode.POSITIVE), EXAMPLES)


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_spec_examples_conform(operation):
    for strategy in schema.get_strategies_from_examples(operation):
        conforms(strategy, 2)


SAMPLES = [(op, body) for op, bodies in contract.request_samples("claude-sonnet-4-6").items() for body in bodies]


@pytest.mark.parametrize(("operation_id", "body"), SAMPLES, ids=[f"{op}-{i}" for i, (op, _) in enumerate(SAMPLES)])
def test_known_good_requests_conform(operation_id, body):
    """Valid requests, plain and streamed: the stream grammar and the pair checks always get to run."""
    operation = next(op for op in OPERATIONS if contract.operation_id(op) == operation_id)
    case = operation.Case(headers={"anthropic-version": "2026-10-21", "x-api-key": contract.DEFAULT_API_KEY},
                          body=body, media_type="application/json")
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code == 200, response.content[:500]
