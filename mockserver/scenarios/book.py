"""The rule book: rules from files and from the control API, in the order they are tried."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Iterable, Iterator

from .index import RuleIndex
from .matching import Seen
from .rules import Rule, RuleError, load_rules_file, parse_rule

log = logging.getLogger("mockserver")

RELOAD_CHECK_SECONDS = 1.0


class RuleBook:
    def __init__(self, files: Iterable[Path]) -> None:
        self.files = tuple(Path(f) for f in files)
        self._from_files: list[Rule] = []
        self._from_api: list[Rule] = []
        self._stamps: dict[Path, tuple[int, int]] = {}
        self._next_check = 0.0
        self._parsed: dict[int, Rule] = {}  # API rules by their stored sequence number: never parsed twice
        self._index = RuleIndex([])
        if self.files:
            self._from_files = self._read_files()
            self._order()

    @property
    def ordered(self) -> list[Rule]:
        return self._index.ordered

    def for_session(self, session: str) -> Iterator[Rule]:
        for rule in self.ordered:
            if rule.session is None or rule.session == session:
                yield rule

    def candidates(self, seen: Seen) -> Iterator[Rule]:
        return self._index.candidates(seen)

    def find(self, rule_id: str, session: str | None) -> Rule | None:
        """With a session: its own rule of that id, else a global one."""
        found = self._index.by_id.get(rule_id, [])
        if session is not None:
            found = sorted((r for r in found if r.session in (None, session)), key=lambda r: r.session is None)
        return found[0] if found else None

    # -- rules from the control API ----------------------------------------------------------

    def remember(self, rules: Iterable[Rule]) -> None:
        """Rules just parsed and stored (their `order` is the stored sequence): the next
        `set_api_rules` takes them as they are instead of parsing them again."""
        self._parsed.update((rule.order, rule) for rule in rules)

    def set_api_rules(self, rows: list[tuple[int, str, str, dict[str, Any]]]) -> None:
        rules = []
        for seq, session, rule_id, spec in rows:
            known = self._parsed.get(seq)
            if known is not None and known.id == rule_id and known.session == (session or None):
                rules.append(known)
                continue
            try:
                rules.append(parse_rule(spec, source="api", order=seq, default_id=rule_id, session=session or None))
            except RuleError as error:
                log.error("ignoring stored rule: %s", error)
        self._from_api = rules
        self._parsed = {rule.order: rule for rule in rules}
        self._order()

    # -- rules files -------------------------------------------------------------------------

    def reload_if_changed(self) -> bool:
        """At most once a second: re-read the files when one changed; keep the old rules on errors."""
        now = time.monotonic()
        if not self.files or now < self._next_check:
            return False
        self._next_check = now + RELOAD_CHECK_SECONDS
        if self._file_stamps() == self._stamps:
            return False
        try:
            self._from_files = self._read_files()
        except RuleError as error:
            log.error("rules not reloaded: %s", error)
            return False
        log.warning("rules reloaded from %s", ", ".join(map(str, self.files)))
        self._order()
        return True

    def _read_files(self) -> list[Rule]:
        self._stamps = self._file_stamps()
        rules: list[Rule] = []
        for index, path in enumerate(self.files):
            rules.extend(load_rules_file(path, index))
        return rules

    def _file_stamps(self) -> dict[Path, tuple[int, int]]:
        stamps = {}
        for path in self.files:
            try:
                info = os.stat(path)
                stamps[path] = (info.st_mtime_ns, info.st_size)
            except OSError:
                stamps[path] = (0, 0)
        return stamps

    def _order(self) -> None:
        self._index = RuleIndex(sorted([*self._from_files, *self._from_api], key=lambda rule: rule.sort_key))
