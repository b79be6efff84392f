"""Opaque identifiers with the API's real prefixes, drawn from a seeded source."""

from __future__ import annotations

import random

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # base58


def new_id(prefix: str, rng: random.Random, length: int = 24) -> str:
    """`msg_011C...`-style id: prefix, the `011C` marker the API uses, then base58."""
    tail = "".join(rng.choices(_ALPHABET, k=length - 4))
    return f"{prefix}011C{tail}"
