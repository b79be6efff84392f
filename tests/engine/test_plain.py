"""The plain-conversation reading gives exactly what the general path gives, errors included."""

from __future__ import annotations

from typing import Any
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from mockserver.engine import create_message, messages, token_fit
from mockserver.engine.plain import GENERAL_ONLY, read_plain
from mockserver.engine.refusals import REFUSAL_TRIGGER
from mockserver.http.errors import ApiError

from .support import MODELS, ctx, texts

# Empty strings too: the general path keeps them as empty text blocks.
# The refusal triggers and a marker request too: both paths must refuse and write markers alike.
contents = (texts | st.just("") | st.just("trailing space ") | st.just(REFUSAL_TRIGGER)
            | st.just("MOCKSERVER_REFUSAL_BIO please") | st.just("Answer, then write END"))
turns = st.lists(st.tuples(st.sampled_from(["user", "assistant"]), contents), min_size=0, max_size=6)


@st.composite
def plain_requests(draw: st.DrawFn) -> dict[str, Any]:
    request: dict[str, Any] = {
        "model": draw(st.sampled_from(MODELS)),
        "max_tokens": draw(st.sampled_from([0, 1, 5, 40, 1024, 200_000])),
        "messages": [{"role": role, "content": text} for role, text in draw(turns)],
    }
    if draw(st.booleans()):
        request["system"] = draw(contents)
    if draw(st.booleans()):
        request["stop_sequences"] = draw(st.lists(st.sampled_from(["END", "STOP", "###", "", "the"]), max_size=3))
    if draw(st.booleans()):
        request["temperature"] = draw(st.floats(0, 1))
    return request


def _outcome(request: dict[str, Any], general: bool, **options: Any) -> Any:
    patch = mock.patch.object(messages, "read_plain", return_value=None) if general else mock.MagicMock()
    with patch:
        try:
            return create_message(request, ctx(seed=7, **options))
        except ApiError as error:
            return (error.status, error.error_type, error.message)


@settings(max_examples=300)
@given(plain_requests(), st.sampled_from(["prose", "echo"]), st.sampled_from(["2023-06-01", "2026-10-21"]))
def test_plain_requests_get_the_general_answer(request: dict[str, Any], mode: str, version: str) -> None:
    assert read_plain(request) is not None
    options = {"reply_mode": mode, "version": version}
    assert _outcome(request, general=False, **options) == _outcome(request, general=True, **options)


@given(plain_requests(), st.sampled_from(sorted(GENERAL_ONLY)))
def test_any_general_field_takes_the_general_path(request: dict[str, Any], field: str) -> None:
    request[field] = []
    assert read_plain(request) is None


def test_block_contents_take_the_general_path() -> None:
    request = {"model": "claude-haiku-4-5", "max_tokens": 10,
               "messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]}
    assert read_plain(request) is None
    assert read_plain({**request, "messages": [{"role": "user", "content": "hi"}], "system": [
        {"type": "text", "text": "be brief"}]}) is None


def test_a_prompt_filling_the_context_window_stops_alike_on_both_paths() -> None:
    request = {"model": "claude-haiku-4-5", "max_tokens": 64_000,
               "messages": [{"role": "user", "content": "lorem " * int(199_980 / token_fit.for_model("claude-haiku-4-5")["text"])}]}
    plain = _outcome(request, general=False)
    assert plain["stop_reason"] == "model_context_window_exceeded"
    assert plain == _outcome(request, general=True)
