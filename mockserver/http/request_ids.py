"""`req_...` ids: unique per response, and the same sequence for the same --seed."""

from __future__ import annotations

import hashlib
import itertools
import os

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 58)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


class RequestIds:
    """A per-server stem drawn from the seed, then a counter: cheap, unique, reproducible."""

    def __init__(self, seed: int, salt: int = 0) -> None:
        digest = hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=16).digest()
        self._stem = "req_011C" + _base58(int.from_bytes(digest, "big"), 12)
        self._counter = itertools.count(1)

    def next(self) -> str:
        return self._stem + _base58(next(self._counter), 8)


def worker_salt(workers: int) -> int:
    """Several workers must never hand out the same id; one worker stays reproducible."""
    return os.getpid() if workers > 1 else 0
