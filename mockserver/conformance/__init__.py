"""Conformance: replay traffic recorded against the real API and compare the mock's answers with it.

Real recorded traffic is the second source of truth (DESIGN.md): where it disagrees with the SDK
types, the recordings win. `exchange.RecordedExchange` is the one shape every reader produces
(vcrpy / pytest-recording YAML, our own cassettes, the corpus in tests/fixtures/real-traffic/).
"""

__all__ = ["run_conformance"]


def __getattr__(name: str):  # `from mockserver.conformance import run_conformance`, loading the app only then
    if name == "run_conformance":
        from .runner import run_conformance

        return run_conformance
    raise AttributeError(name)
