"""No input reaches a 500: arbitrary JSON bodies and query strings to every operation get a 2xx
or a 4xx in the error envelope, never a traceback."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.config import DEFAULT_SPEC, Config
from mockserver.spec import load_spec
from mockserver.spec.operations import index_operations

from .helpers import ADMIN_KEY, KEY, asgi_client, headers

OPERATIONS = index_operations(load_spec(DEFAULT_SPEC))

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=20,
)
# Bodies shaped like the API's, so the fuzzing reaches past the first required field.
message_like = st.fixed_dictionaries(
    {"model": st.sampled_from(["claude-haiku-4-5", "claude-nope", ""]), "max_tokens": st.integers(-5, 50),
     "messages": st.lists(st.fixed_dictionaries({"role": st.sampled_from(["user", "assistant", "x"]),
                                                 "content": json_values | st.text(max_size=30)}), max_size=3)},
    optional={"stream": st.booleans(), "system": json_values, "tools": json_values, "thinking": json_values,
              "tool_choice": json_values, "stop_sequences": json_values},
)
bodies = json_values | message_like


@pytest.fixture(scope="module")
def client():
    return asgi_client(Config(batch_seconds=0))


def path_for(op):
    return op.path.format(**{p.name: "x_unknown_1" for p in op.parameters if p.location == "path"})


@pytest.mark.parametrize("op", OPERATIONS, ids=[op.operation_id for op in OPERATIONS])
@settings(max_examples=25)
@given(body=bodies, query=st.dictionaries(st.sampled_from(["limit", "after_id", "before_id", "page", "beta",
                                                           "starting_at", "group_by[]"]),
                                          st.text(max_size=8), max_size=3))
def test_arbitrary_input_never_reaches_a_500(client, op, body, query):
    key = ADMIN_KEY if op.admin else KEY
    response = client.request(op.method, path_for(op), params=query, headers=headers(key=key),
                              content=orjson.dumps(body) if op.body_media_type == "application/json" else None)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["type"] and error["message"]
        if op.error_style == "anthropic" and response.status_code != 413:
            assert response.json()["request_id"] == response.headers["request-id"]
