"""`req_...` ids: unique per response, and the same sequence for the same --seed."""

from __future__ import annotations

import hashlib
import itertools
import os
import uuid

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # every two-digit base58 number, in order


def _base58(number: int, width: int) -> str:
    chars = []
    for _ in range(width):
        number, rest = divmod(number, 58)
        chars.append(_ALPHABET[rest])
    return "".join(reversed(chars))


class RequestIds:
    """A per-server stem drawn from the seed, then a counter: cheap, unique, reproducible."""

    def __init__(self, seed: int, salt: int | str = 0) -> None:
        digest = hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=16).digest()
        self._stem = "req_011C" + _base58(int.from_bytes(digest, "big"), 12)
        self._counter = itertools.count(1)
        self._high = -1
        self._prefix = ""

    def next(self) -> str:
        high, low = divmod(next(self._counter), len(_PAIRS))
        if high != self._high:  # the first six digits change only every 3364 ids
            self._high, self._prefix = high, self._stem + _base58(high, 6)
        return self._prefix + _PAIRS[low]


def worker_salt(workers: int, replicas: bool = False) -> int | str:
    """Several workers must never hand out the same id; one worker stays reproducible. Replicas on
    other machines (containers: often all pid 1) draw a random salt, as no pid tells them apart."""
    if replicas:
        return uuid.uuid4().hex
    return os.getpid() if workers > 1 else 0
