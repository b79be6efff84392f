"""Values a prompt offers for a tool's properties, as a model would read them off the request.

A property's kind comes from its name, else its description: place (city, location, destination...),
email, url, date, symbol (ticker, code), person (name, author, user...), query/free text. The prompt gives places (capitalised words after
in/at/from/to/near/around: "weather in Paris and Tokyo" gives Paris and Tokyo), emails, URLs, ISO
dates, quoted strings, ALL-CAPS symbols (tickers, codes), capitalised names that are not places
("John Smith is 30" gives John Smith) and numbers. Numbers go to number properties in the order they appear.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from .relevance import STOP_WORDS

PLACE_WORDS = frozenset({"city", "location", "place", "destination", "origin", "address", "region", "town",
                         "country", "state", "area", "where", "locality"})
KIND_WORDS = (
    ("email", frozenset({"email", "mail", "recipient", "e-mail"})),
    ("url", frozenset({"url", "uri", "link", "website", "href", "endpoint"})),
    ("date", frozenset({"date", "day", "when", "deadline"})),
    ("place", PLACE_WORDS),
    ("symbol", frozenset({"ticker", "symbol", "code", "sku", "airport", "iata"})),
    ("person", frozenset({"name", "author", "person", "user", "customer", "fullname", "owner", "contact",
                          "assignee", "sender", "attendee", "employee", "patient", "who"})),
    ("query", frozenset({"query", "q", "question", "prompt", "search", "text", "topic", "keywords", "message",
                         "content", "body", "subject", "description", "instruction", "task"})),
)
_PLACE = re.compile(r"\b(?:in|at|from|to|near|around)\s+((?:[A-Z][\w'.-]*)(?:[ -](?:[A-Z][\w'.-]*))*"
                    r"(?:,\s*[A-Z]{2}\b)?)")
_AND_PLACE = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|(?:and|&|or|vs\.?|versus)\s+)((?:[A-Z][\w'.-]*)(?:[ -](?:[A-Z][\w'.-]*))*"
                        r"(?:,\s*[A-Z]{2}\b)?)")
MAX_READ = 20_000  # values come from the prompt's start: a huge prompt costs no more
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"https?://[^\s<>\"')\]]+")
_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
_QUOTED = re.compile(r"[\"“]([^\"”\n]{2,80})[\"”]")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:[ ][A-Z][a-z]+){0,2}\b")
_NOT_NAMES = frozenset({*STOP_WORDS, "extract", "parse", "give", "return", "what", "who", "where", "please", "describe",
                        "summarise", "summarize", "write", "tell", "list", "name", "classify", "answer", "respond",
                        "generate", "mr", "mrs", "ms", "dr", "its", "his", "her", "their"})
_SYMBOL = re.compile(r"\b[A-Z]{2,5}\b")
_NOT_PLACES = frozenset({"I", "The", "A", "An", "Celsius", "Fahrenheit", "Monday", "Tuesday", "Wednesday",
                         "Thursday", "Friday", "Saturday", "Sunday", "Please", "What", "How"})


@dataclass(slots=True)
class PromptFacts:
    text: str
    places: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)
    quoted: list[str] = field(default_factory=list)
    numbers: list[float] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    context: str = ""
    numbers_used: int = 0

    @classmethod
    def of(cls, text: str, context: str = "") -> PromptFacts:
        """The values of `text`, then of `context` (the system prompt): a model reads both."""
        facts = cls._read(text[:MAX_READ])
        if context.strip():
            more = cls._read(context[:MAX_READ])
            for name in ("places", "emails", "urls", "dates", "quoted", "numbers", "symbols", "persons"):
                getattr(facts, name).extend(v for v in getattr(more, name) if v not in getattr(facts, name))
            facts.context = more.text
        return facts

    @classmethod
    def _read(cls, text: str) -> PromptFacts:
        urls = [u.rstrip(".,;:!?") for u in _URL.findall(text)]
        emails = _EMAIL.findall(text)
        plain = _EMAIL.sub(" ", _URL.sub(" ", text))
        dates = _DATE.findall(plain)
        numeric = _DATE.sub(" ", plain)
        places = _places(plain)
        return cls(text, places, emails, urls, dates, _QUOTED.findall(plain),
                   [float(n) for n in _NUMBER.findall(numeric)[:16]], _SYMBOL.findall(plain),
                   _persons(plain, places))

    def subject(self) -> str | None:
        """What the prompt is about, for an answer to name: its places, else names, else symbols."""
        named = self.places or self.persons or self.symbols
        if not named:
            return None
        return named[0] if len(named) == 1 else ", ".join(named[:-1]) + f" and {named[-1]}"

    def with_places(self, places: list[str]) -> PromptFacts:
        return replace(self, places=places, numbers_used=0)

    def stated(self, key: str | None) -> str | None:
        """The value the prompt states for `key`: "the time is 12:00" gives 12:00 for `time`."""
        words = [w for w in re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key or "").lower())
                 if w not in STOP_WORDS]
        if not words:
            return None
        said = re.search(rf"\b{' '.join(words)}s?\s+(?:is|are|was|were|=|:)\s+(?:an?\s+|the\s+)?"
                         r"([^,;\n<]+?)(?=\s+and\b|\s+but\b|[,;\n<]|\.(?:\s|$)|$)", f"{self.text}\n{self.context}", re.I)
        if said:
            return said.group(1).strip()
        for word in words:  # "our Enterprise plan" gives Enterprise for `plan_interest`
            named = re.search(rf"\b((?:[A-Z][\w-]*\s+)+){word}s?\b", self.text)
            if named and named.group(1).split()[0].lower() not in _NOT_NAMES:
                return named.group(1).strip()
        return None

    def string_for(self, kind: str | None) -> str | None:
        """The prompt's value for a string property of `kind`; None when the prompt has none."""
        found = {"place": self.places, "email": self.emails, "url": self.urls, "date": self.dates, "symbol": self.symbols,
                 "person": self.persons}.get(kind or "")
        if found:
            return found[0]
        if kind == "query":
            return self.quoted[0] if self.quoted else self.text.strip()[:200] or None
        return None

    def next_number(self, fits: Any) -> float | None:
        """The next prompt number that `fits` accepts (numbers are handed out in order)."""
        while self.numbers_used < len(self.numbers):
            value = self.numbers[self.numbers_used]
            self.numbers_used += 1
            if fits(value):
                return value
        return None


def property_kind(key: str | None, description: str) -> str | None:
    name_words = set(re.findall(r"[a-z]+", re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key or "").lower()))
    for words in (name_words, set(re.findall(r"[a-z-]+", description.lower()))):
        for kind, hints in KIND_WORDS:
            if hints & words:
                return kind
    return None


def _places(text: str) -> list[str]:
    found: list[str] = []
    for match in _PLACE.finditer(text):
        _add_place(found, match.group(1))
        at = match.end()
        while (more := _AND_PLACE.match(text, at)) is not None:
            _add_place(found, more.group(1))
            at = more.end()
    return found


def _persons(text: str, places: list[str]) -> list[str]:
    """Capitalised names that are not places, with sentence-opening words (Extract, The...) cut off."""
    found: list[str] = []
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        while words and (words[0].lower() in _NOT_NAMES or words[0] in _NOT_PLACES):
            words.pop(0)
        name = " ".join(words)
        if name and name not in places and name not in found and not name.isupper():
            found.append(name)
    return found


def _add_place(found: list[str], name: str) -> None:
    name = name.strip(" .'")
    if name and name.split()[0] not in _NOT_PLACES and name not in found:
        found.append(name)


_FORMAT_KINDS = {"email": "email", "idn-email": "email", "uri": "url", "url": "url", "iri": "url", "date": "date"}


def string_value(schema: dict[str, Any], key: str | None, facts: PromptFacts | None) -> str | None:
    """A string a model would put here: the prompt's value, else the schema's example or default."""
    fmt, pattern = schema.get("format"), schema.get("pattern")
    if facts is not None and pattern is None:
        stated = facts.stated(key) if fmt is None else None
        if stated:
            return stated
        kind = _FORMAT_KINDS.get(fmt) if fmt is not None else property_kind(key, str(schema.get("description") or ""))
        value = facts.string_for(kind)
        if value is not None:
            return value
    if fmt is not None or pattern is not None:
        return None
    for candidate in [*(schema.get("examples") or [])[:1], schema.get("default")]:
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def number_value(schema: dict[str, Any], integer: bool, facts: PromptFacts | None) -> float | int | None:
    """The next prompt number that the schema accepts, or None."""
    if facts is None:
        return None
    value = facts.next_number(lambda v: number_fits(schema, v, integer))
    if value is None:
        return None
    return int(value) if integer or value == int(value) else value


def number_fits(schema: dict[str, Any], value: float, integer: bool) -> bool:
    if integer and value != int(value):
        return False
    checks = (("minimum", lambda b: value >= b), ("maximum", lambda b: value <= b),
              ("exclusiveMinimum", lambda b: value > b), ("exclusiveMaximum", lambda b: value < b),
              ("multipleOf", lambda b: b > 0 and (value / b) == int(value / b)))
    for keyword, ok in checks:
        bound = schema.get(keyword)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool) and not ok(bound):
            return False
    return True


def enum_value(schema: dict[str, Any], facts: PromptFacts | None) -> Any:
    """The enum member the prompt names, else the schema's default member (None: draw one)."""
    if facts is None or not isinstance(schema.get("enum"), list):
        return None
    lowered = facts.text.lower()
    for member in schema["enum"]:
        if isinstance(member, str) and member and re.search(rf"\b{re.escape(member.lower())}\b", lowered):
            return member
    return schema.get("default") if schema.get("default") in schema["enum"] else None
