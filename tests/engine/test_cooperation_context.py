"""Context management fires where the token accounting says it should: at the counted prompt size."""

from __future__ import annotations

import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .cooperation import sdk
from .test_triggers_context import COMPACT, compact_request


@pytest.fixture(scope="module")
def client():
    with MockServer(Config(seed=41)) as running:
        yield sdk(running)


def test_compaction_fires_exactly_above_the_counted_input_tokens(client) -> None:
    request = compact_request(55_000)
    counted = client.beta.messages.count_tokens(model=request["model"], messages=request["messages"],
                                                betas=COMPACT).input_tokens
    for trigger, compacts in ((counted - 1, True), (counted, False)):
        request["context_management"]["edits"][0]["trigger"]["value"] = trigger
        reply = client.beta.messages.create(**request, betas=COMPACT)
        assert (reply.content[0].type == "compaction") is compacts, (trigger, counted)
        if not compacts:
            assert reply.usage.input_tokens == counted
