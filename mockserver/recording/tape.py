"""A cassette in use: its recordings indexed by match key, how often each key has been played, and
the normalizer whose placeholders stay the same across the cassette."""

from __future__ import annotations

from pathlib import Path

from .cassette import CassetteFile, Interaction, add_interaction, read_cassette
from .matching import Key, Matcher
from .redaction import Normalizer


class Tape:
    def __init__(self, path: Path, matcher: Matcher, normalize: tuple[str, ...], fresh: bool = False,
                 upstream: str | None = None) -> None:
        """`fresh`: start empty whatever the file holds (record mode `all`)."""
        self.file = read_cassette(path)
        self.existed = self.file.existed
        if fresh:
            self.file = CassetteFile(path, [], existed=self.existed)
        self.file.upstream = upstream or self.file.upstream  # links in bodies name the latest upstream
        self.normalizer = Normalizer(normalize, self.file.placeholders)
        self._matcher = matcher
        self._index: dict[Key, list[Interaction]] = {}
        for interaction in self.file.interactions:
            self._index.setdefault(matcher.key(interaction.request), []).append(interaction)
        self._played: dict[Key, int] = {}

    @property
    def recorded(self) -> list[Interaction]:
        return self.file.interactions

    def find(self, key: Key) -> Interaction | None:
        """The next recording for `key`, in recorded order; the last one again once all were played."""
        found = self._index.get(key)
        if not found:
            return None
        played = self._played.get(key, 0)
        self._played[key] = played + 1
        return found[min(played, len(found) - 1)]

    def has(self, key: Key) -> bool:
        return key in self._index

    def exhausted(self, key: Key) -> bool:
        return self._played.get(key, 0) >= len(self._index.get(key, ()))

    def add(self, interaction: Interaction) -> None:
        """Keep a new recording (it is not replayed by this run), appended to the file."""
        add_interaction(self.file, interaction)
