"""Conformance: replay traffic recorded against the real API and compare the mock's answers with it.

Real recorded traffic is the second source of truth (DESIGN.md): where it disagrees with the SDK
types, the recordings win. `exchange.RecordedExchange` is the one shape every reader produces
(vcrpy / pytest-recording YAML, our own cassettes, the corpus in tests/fixtures/real-traffic/).
"""
