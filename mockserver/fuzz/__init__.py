"""Fuzzing clients: replies that are valid but unusual, drawn from a seed or by hypothesis.

    strategies  the drawing: Messages, their SSE streams, and faults (hypothesis strategies too)
    wire        how drawn events become bytes: framing, line ends, chunk cuts
    replies     a drawn reply as the server sends it, and the reply sources the pipeline asks
    shrink      simpler variants of a seeded reply, for `mockserver fuzz --shrink`
    pytest      `@anthropic_fuzz`: an ordinary test against the mock becomes a property test
    command     `mockserver fuzz -- CMD`: run any program against seeded fuzzed replies

This file loads nothing, so each module sits in its own layer (pyproject.toml, tool.importlinter).
"""
