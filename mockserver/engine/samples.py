"""Plausible values for generated data: words, names, places, and the JSON Schema formats."""

from __future__ import annotations

import math
import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

WORDS = (
    "alpha", "amber", "apple", "atlas", "beacon", "birch", "bright", "canyon", "cedar", "clear",
    "cobalt", "coral", "delta", "ember", "field", "forest", "garden", "harbor", "island", "jade",
    "lake", "linen", "maple", "meadow", "north", "ocean", "orbit", "pine", "quartz", "river",
    "sage", "silver", "stone", "summit", "timber", "valley", "willow", "winter",
)
FIRST_NAMES = ("Ada", "Ben", "Chloe", "Daniel", "Elena", "Farid", "Grace", "Hiro", "Imani", "Jonas",
               "Keiko", "Liam", "Maya", "Noah", "Olivia", "Priya", "Rafael", "Sofia", "Tomas", "Zara")
LAST_NAMES = ("Anderson", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Haddad", "Ito",
              "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Silva")
CITIES = ("Paris", "Tokyo", "San Francisco", "Berlin", "Toronto", "Sydney", "Lisbon", "Nairobi",
          "Seoul", "Buenos Aires", "Oslo", "Mumbai", "Mexico City", "Cape Town", "Dublin")
COUNTRIES = ("France", "Japan", "United States", "Germany", "Canada", "Australia", "Portugal",
             "Kenya", "South Korea", "Argentina", "Norway", "India", "Mexico", "Ireland")
DOMAINS = ("example.com", "example.org", "example.net")
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


def word(r: random.Random) -> str:
    return WORDS[r.randrange(len(WORDS))]


def words(r: random.Random, n: int) -> str:
    return " ".join(word(r) for _ in range(n))


def fit_length(text: str, schema: dict[str, Any], rng: random.Random) -> str:
    """`text` lengthened with words, or cut, to the schema's minLength and maxLength."""
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", math.inf)
    if len(text) < low:  # whole words while they fit, joined once (repeated concatenation is quadratic)
        pieces, size = [text] if text else [], len(text)
        while size < low:
            piece = word(rng)
            pieces.append(piece)
            size += len(piece) + (1 if size else 0)
        text = " ".join(pieces)
    if len(text) > high:
        text = text[: int(high)].rstrip() or text[: int(high)]
    return text + "x" * int(low - len(text)) if len(text) < low else text


def person(r: random.Random) -> str:
    return f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"


def moment(r: random.Random) -> datetime:
    return _EPOCH + timedelta(seconds=r.randrange(365 * 86400))


def email(r: random.Random) -> str:
    return f"{r.choice(FIRST_NAMES).lower()}.{r.choice(LAST_NAMES).lower()}@{r.choice(DOMAINS)}"


def url(r: random.Random) -> str:
    return f"https://www.{r.choice(DOMAINS)}/{word(r)}/{word(r)}"


FORMATS = {
    "date-time": lambda r: moment(r).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "date": lambda r: moment(r).strftime("%Y-%m-%d"),
    "time": lambda r: moment(r).strftime("%H:%M:%SZ"),
    "duration": lambda r: f"P{r.randint(1, 30)}D",
    "email": email,
    "idn-email": email,
    "uri": url,
    "url": url,
    "iri": url,
    "uri-reference": url,
    "iri-reference": url,
    "uri-template": lambda r: f"https://www.{r.choice(DOMAINS)}/{{id}}",
    "uuid": lambda r: str(uuid.UUID(int=r.getrandbits(128), version=4)),
    "hostname": lambda r: f"{word(r)}.{r.choice(DOMAINS)}",
    "idn-hostname": lambda r: f"{word(r)}.{r.choice(DOMAINS)}",
    "ipv4": lambda r: ".".join(str(r.randint(1, 254)) for _ in range(4)),
    "ipv6": lambda r: ":".join(f"{r.getrandbits(16):x}" for _ in range(8)),
    "json-pointer": lambda r: f"/{word(r)}/{r.randint(0, 9)}",
    "regex": lambda r: "^[a-z]+$",
}

_HINTS = {
    "city": lambda r, _: r.choice(CITIES),
    "location": lambda r, _: r.choice(CITIES),
    "place": lambda r, _: r.choice(CITIES),
    "country": lambda r, _: r.choice(COUNTRIES),
    "name": lambda r, _: person(r),
    "author": lambda r, _: person(r),
    "email": lambda r, _: email(r),
    "url": lambda r, _: url(r),
    "query": lambda r, text: text,
    "q": lambda r, text: text,
    "question": lambda r, text: text,
    "prompt": lambda r, text: text,
    "search": lambda r, text: text,
    "unit": lambda r, _: r.choice(("celsius", "fahrenheit")),
    "language": lambda r, _: r.choice(("en", "fr", "de", "ja")),
    "timezone": lambda r, _: r.choice(("UTC", "Europe/Paris", "America/New_York", "Asia/Tokyo")),
}


def hinted(r: random.Random, key: str | None, topic: str) -> str | None:
    """A value suggested by a property name (`city`, `email`, `query`...), or None."""
    if not key:
        return None
    make = _HINTS.get(key.lower())
    if make is None:
        return None
    value = make(r, topic)
    return value or None
