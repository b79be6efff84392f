"""`req_...` ids: unique per response, and the same sequence for the same --seed."""

from __future__ import annotations

import hashlib
import itertools
import os

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


class RequestIds:
    def __init__(self, seed: int, salt: int = 0) -> None:
        self._prefix = f"{seed}:{salt}:".encode()
        self._counter = itertools.count()

    def next(self) -> str:
        digest = hashlib.blake2b(self._prefix + str(next(self._counter)).encode(), digest_size=16).digest()
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(20):
            number, rest = divmod(number, 58)
            chars.append(_ALPHABET[rest])
        return "req_011C" + "".join(chars)


def worker_salt(workers: int) -> int:
    """Several workers must never hand out the same id; one worker stays reproducible."""
    return os.getpid() if workers > 1 else 0
