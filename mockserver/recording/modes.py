"""Record modes (pytest-recording's names, plus `passthrough`) and what each does on a hit or a miss."""

from __future__ import annotations

from enum import Enum


class RecordMode(str, Enum):
    NONE = "none"                  # replay only; a miss is an error
    ONCE = "once"                  # record while the cassette did not exist yet, else replay only
    NEW_EPISODES = "new_episodes"  # replay hits, record misses
    ALL = "all"                    # always forward and re-record (the cassette starts afresh)
    PASSTHROUGH = "passthrough"    # forward, record nothing


class Action(str, Enum):
    REPLAY = "replay"
    RECORD = "record"    # forward upstream and keep the exchange
    FORWARD = "forward"  # forward upstream, keep nothing
    MISS = "miss"


def resolve_mode(mode: str | None, proxy: str | None) -> RecordMode:
    """The mode a server runs in; ValueError for an unknown name or a recording mode without --proxy."""
    if mode is None:
        return RecordMode.ONCE if proxy else RecordMode.NONE
    try:
        chosen = RecordMode(mode)
    except ValueError:
        names = ", ".join(m.value for m in RecordMode)
        raise ValueError(f"--record-mode {mode!r}: expected one of {names}") from None
    if chosen is not RecordMode.NONE and not proxy:
        raise ValueError(f"--record-mode {mode} forwards requests: give --proxy URL")
    return chosen


def decide(mode: RecordMode, hit: bool, cassette_existed: bool) -> Action:
    """Only interactions read from the file count as hits: what this run recorded is not replayed
    by it (a polled batch must record every poll)."""
    if mode is RecordMode.PASSTHROUGH:
        return Action.FORWARD
    if mode is RecordMode.ALL or (mode is RecordMode.ONCE and not cassette_existed):
        return Action.RECORD
    if hit:
        return Action.REPLAY
    return Action.RECORD if mode is RecordMode.NEW_EPISODES else Action.MISS
