"""Shrinking a failing seeded run: simplify the replies step by step while the failure persists.

Each step tries one simplification (no fault, no extras, one chunk, fewer blocks, shorter text) and
keeps it when the run still fails; it stops when no step keeps the failure. The result replays with
`mockserver serve --fuzz SEED --fuzz-simplify LIMITS`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterator

from .profiles import NO_LIMITS, Simplify

MAX_BLOCKS = 7  # a drawn message has at most 6 blocks, plus one from a later API release
TEXT_LIMITS = (0, 8, 64)


def steps(current: Simplify) -> Iterator[Simplify]:
    """Simpler variants of `current`, the boldest first."""
    if current.faults != 0:
        yield replace(current, faults=0)
    if current.extras != 0:
        yield replace(current, extras=0)
    if current.chunks != 1:
        yield replace(current, chunks=1)
    most = MAX_BLOCKS if current.blocks < 0 else current.blocks
    for blocks in range(most):
        yield replace(current, blocks=blocks)
    for text in TEXT_LIMITS:
        if current.text < 0 or text < current.text:
            yield replace(current, text=text)


def shrink(fails: Callable[[Simplify], bool], start: Simplify = NO_LIMITS) -> tuple[Simplify, int]:
    """The simplest limits under which `fails` still holds, and how many tries it took."""
    current, tries = start, 0
    while True:
        for candidate in steps(current):
            tries += 1
            if fails(candidate):
                current = candidate
                break
        else:
            return current, tries
