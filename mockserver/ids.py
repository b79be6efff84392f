"""Opaque identifiers with the API's real prefixes, drawn from a seeded source."""

from __future__ import annotations

import random

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"  # base58


# Byte -> base58 character: one C-level translate per id instead of a draw per character
# (the first 24 characters come up a little more often; ids only need to look and stay unique).
_BYTE_TO_CHAR = bytes(ord(_ALPHABET[i % len(_ALPHABET)]) for i in range(256))


def new_id(prefix: str, rng: random.Random, length: int = 24) -> str:
    """`msg_011C...`-style id: prefix, the `011C` marker the API uses, then base58."""
    tail = rng.randbytes(length - 4).translate(_BYTE_TO_CHAR).decode()
    return f"{prefix}011C{tail}"
