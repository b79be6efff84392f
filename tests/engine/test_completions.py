"""Legacy /v1/complete."""

from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine import completion_events, create_completion
from tests.engine.support import ctx

PROMPT = "\n\nHuman: Tell me about lighthouses\n\nAssistant:"


def complete(**fields):
    return create_completion({"model": "claude-haiku-4-5", "prompt": PROMPT, "max_tokens_to_sample": 300, **fields},
                             ctx())


def test_completion_object() -> None:
    completion = complete()
    assert completion["type"] == "completion" and completion["id"].startswith("compl_")
    assert completion["completion"].startswith(" ")
    assert completion["stop_reason"] == "stop_sequence" and completion["stop"] == "\n\nHuman:"
    assert completion["model"] == "claude-haiku-4-5-20251001"


def test_max_tokens_to_sample_cuts() -> None:
    completion = complete(max_tokens_to_sample=3)
    assert completion["stop_reason"] == "max_tokens" and completion["stop"] is None


def test_custom_stop_sequence_named_in_the_prompt() -> None:
    prompt = "\n\nHuman: List things, then say STOP\n\nAssistant:"
    completion = complete(prompt=prompt, stop_sequences=["STOP"])
    assert completion["stop"] == "STOP" and "STOP" not in completion["completion"]


def test_system_prompt_before_the_first_turn_is_allowed() -> None:
    assert complete(prompt="You are terse." + PROMPT)["stop_reason"] == "stop_sequence"


def test_echo_mode() -> None:
    completion = create_completion({"model": "claude-haiku-4-5", "prompt": PROMPT, "max_tokens_to_sample": 300},
                                   ctx(reply_mode="echo"))
    assert completion["completion"] == " Tell me about lighthouses"


@given(st.integers(1, 400), st.integers(0, 1000))
def test_events_rebuild_the_completion(limit: int, seed: int) -> None:
    completion = create_completion({"model": "claude-haiku-4-5", "prompt": PROMPT, "max_tokens_to_sample": limit},
                                   ctx(seed))
    events = completion_events(completion, ctx())
    assert events[1] == ("ping", {"type": "ping"})
    pieces = [e for name, e in events if name == "completion"]
    assert "".join(e["completion"] for e in pieces) == completion["completion"]
    assert all(e["stop_reason"] is None for e in pieces[:-1])
    assert (pieces[-1]["stop_reason"], pieces[-1]["stop"]) == (completion["stop_reason"], completion["stop"])
    assert all(e["id"] == completion["id"] and e["type"] == "completion" for e in pieces)
