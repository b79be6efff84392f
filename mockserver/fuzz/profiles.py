"""What a fuzzed reply may hold (a profile) and how far it is simplified (for shrinking).

    today   replies valid for today's API: every block type, unicode, odd chunking and framing
    future  plus what later API releases may add within a version: unknown blocks, fields, events
    faults  today's replies plus errors: 429/529 answers, error events mid-stream, cut connections,
            slow drips
    all     future and faults together
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

PROFILE_NAMES = ("today", "future", "faults", "all")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    future: bool
    faults: bool


PROFILES = {name: Profile(name, name in ("future", "all"), name in ("faults", "all")) for name in PROFILE_NAMES}


def profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(f"unknown fuzz profile {name!r}; choose one of {', '.join(PROFILE_NAMES)}") from None


@dataclass(frozen=True, slots=True)
class Simplify:
    """Limits on a drawn reply: -1 means no limit. Written as `blocks=1,text=8,chunks=1,extras=0,faults=0`."""

    blocks: int = -1  # at most this many content blocks
    text: int = -1  # at most this many characters per text field
    chunks: int = -1  # 1: the body in one piece
    extras: int = -1  # 0: no future fields, blocks or events, plain LF framing, no comments
    faults: int = -1  # 0: no fault (the plain reply)

    def __str__(self) -> str:
        return ",".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name) >= 0)

    @classmethod
    def parse(cls, text: str | None) -> Simplify:
        if not text:
            return cls()
        values = {}
        for part in text.split(","):
            name, _, value = part.partition("=")
            if name.strip() not in cls.__slots__:  # type: ignore[attr-defined]
                raise ValueError(f"unknown simplification {name!r} in {text!r}")
            values[name.strip()] = int(value)
        return replace(cls(), **values)


NO_LIMITS = Simplify()
