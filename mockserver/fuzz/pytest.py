"""`@anthropic_fuzz`: an ordinary test against the in-process mock becomes a hypothesis property test.

    from mockserver.fuzz.pytest import anthropic_fuzz

    @anthropic_fuzz(max_examples=200, profile="all")
    def test_my_agent(anthropic_mock):
        assert my_agent.run(anthropic_mock.client(max_retries=0)) is not None

Hypothesis draws every reply the mock sends to `messages.create` (the test may also read
ANTHROPIC_BASE_URL and ANTHROPIC_API_KEY, set for it). When the test fails, hypothesis shrinks the
replies to the simplest that still fail, and the report shows them as the bytes sent.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
from typing import Any, Callable, Iterator

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from .profiles import profile as profile_named
from .profiles import Profile
from .report import describe
from .sources import MAX_REPLIES, DataSource, replies

MOCK_FIXTURE = "anthropic_mock"
DATA_ARGUMENT = "anthropic_fuzz_data"
REPLAY = ("replay: run the test again (hypothesis's database replays this example first), or paste the "
          "@reproduce_failure line hypothesis prints above the test")


def anthropic_fuzz(max_examples: int = 200, profile: str = "all", max_replies: int = MAX_REPLIES,
                   **options: Any) -> Callable[[Any], Any]:
    """Make the test a property test over the replies the mock sends; `options` go to hypothesis.settings.
    Each example draws up to `max_replies` replies; Messages calls beyond them get plain replies."""
    chosen = profile_named(profile)

    def decorate(test: Callable[..., Any]) -> Any:
        signature = inspect.signature(test)
        wants_mock = MOCK_FIXTURE in signature.parameters
        parameters = list(signature.parameters.values())
        if not wants_mock:
            parameters.append(inspect.Parameter(MOCK_FIXTURE, inspect.Parameter.KEYWORD_ONLY))
        parameters.append(inspect.Parameter(DATA_ARGUMENT, inspect.Parameter.KEYWORD_ONLY))

        def run(*args: Any, **kwargs: Any) -> Any:
            kwargs.update(zip([p.name for p in parameters], args))  # pytest may pass fixtures by position
            data = kwargs.pop(DATA_ARGUMENT)
            mock = kwargs[MOCK_FIXTURE] if wants_mock else kwargs.pop(MOCK_FIXTURE)
            with fuzzing(mock, data, chosen, max_replies) as source:
                try:
                    return test(**kwargs)
                except BaseException:
                    note(describe(source.sent, source.draws) + "\n" + REPLAY)
                    raise

        functools.update_wrapper(run, test)
        del run.__wrapped__  # pytest and hypothesis must see the signature below, not the test's
        run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        chosen_settings = settings(**{
            "max_examples": max_examples, "deadline": None, "print_blob": True,
            "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                      HealthCheck.data_too_large],
            **options})
        return chosen_settings(given(**{DATA_ARGUMENT: st.data()})(run))

    return decorate


@contextlib.contextmanager
def fuzzing(mock: Any, data: Any, profile: Profile, max_replies: int = MAX_REPLIES) -> Iterator[DataSource]:
    """Install a reply source with replies hypothesis drew on the mock's server for one example."""
    server = getattr(mock, "server", None)
    if server is None:
        raise RuntimeError("@anthropic_fuzz needs the in-process mock: drop --anthropic-mock-url")
    source = DataSource(data.draw(replies(max_replies), label="replies"), profile)
    saved = {name: os.environ.get(name) for name in ("ANTHROPIC_BASE_URL", "ANTHROPIC_API_KEY")}
    os.environ["ANTHROPIC_BASE_URL"] = mock.base_url
    os.environ.setdefault("ANTHROPIC_API_KEY", mock.api_key)
    server.app.set_reply_source(source)
    try:
        yield source
    finally:
        server.app.set_reply_source(None)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
