"""Every operation of the spec, in-process, with negative data (requests that violate the spec): each
must be rejected with a 4xx in the API's error envelope, and pass every other check too."""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode

from .support import EXAMPLES, conforms, operations

OPERATIONS = operations()


@pytest.mark.parametrize("operation", OPERATIONS, ids=[op.label for op in OPERATIONS])
def test_negative_requests_are_rejected(operation):
    conforms(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE), EXAMPLES)
