"""Whether a user turn is about a tool: shared content words after light stemming.

A tool's vocabulary is the words of its name, its description, and its parameters' names and
descriptions (top level and one level down). A prompt word counts when it is not a stop word
(articles, pronouns, question words, and verbs every tool description uses: get, return, given...)
and its stem (plural, -ing, -ed, -er, -ly cut) is in the vocabulary. One shared stem makes the
tool relevant: "What's the weather like in Paris?" is about a tool described as "Current
weather for a location", whatever the tool is called.
"""

from __future__ import annotations

import re
from typing import Any

STOP_WORDS = frozenset("""
a about above after again all also am an and any are as at be been before being below between both but by
can could did do does doing done for from further had has have having he her here hers him his how i if in
into is it its itself just let like me more most my no nor not now of off on once only or other our out over
own please same she should so some such than that the their them then there these they this those through to
too under until up very was we were what when where which while who whom why will with would you your yours
get gets set list create update delete fetch find run make check read write add remove lookup query call use
used using tool tools api return returns returned given give provide provided specified specify value values
data information info result results input output optional required string number integer object array
boolean default example e g eg etc s t one two new current want need know tell show thing things hi hello
thanks thank yes ok okay sure today now many much well good
""".split())
_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_SUFFIXES = ("ies", "ing", "ed", "es", "er", "ly", "s")


def stem(word: str) -> str:
    """`word` with one common suffix cut, keeping a stem of three letters at least."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def content_stems(text: str) -> frozenset[str]:
    words = _WORD.findall(_CAMEL.sub(" ", text).replace("_", " ").lower())
    return frozenset(stem(w) for w in words if w not in STOP_WORDS and len(w) > 1)


def vocabulary(tool: dict[str, Any]) -> frozenset[str]:
    parts = [str(tool.get("name") or ""), str(tool.get("description") or "")]
    schema = tool.get("input_schema")
    parts += _schema_words(schema if isinstance(schema, dict) else {}, depth=0)
    return content_stems(" ".join(parts))


def _schema_words(schema: dict[str, Any], depth: int) -> list[str]:
    props = schema.get("properties")
    if not isinstance(props, dict) or depth > 1:
        return []
    out: list[str] = []
    for name, sub in props.items():
        out.append(str(name))
        if isinstance(sub, dict):
            out.append(str(sub.get("description") or ""))
            out += _schema_words(sub, depth + 1)
    return out


def shared(tool: dict[str, Any], prompt: str) -> frozenset[str]:
    """The prompt's content stems that the tool's vocabulary holds."""
    return content_stems(prompt) & vocabulary(tool)


def is_about(tool: dict[str, Any], prompt: str) -> bool:
    return bool(shared(tool, prompt))
