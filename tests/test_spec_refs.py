"""The one `$ref` resolver of the spec readers."""

from __future__ import annotations

import pytest

from mockserver.spec.refs import ref_target, resolve, resolve_schema

ROOT = {"components": {"schemas": {"A": {"$ref": "#/components/schemas/B"}, "B": {"type": "string"},
                                   "a/b": {"type": "integer"}}},
        "list": [{"type": "null"}]}


def test_a_chain_of_refs_resolves_to_its_end_and_keeps_sibling_keywords() -> None:
    assert resolve(ROOT, {"$ref": "#/components/schemas/A"}) == {"type": "string"}
    assert resolve(ROOT, {"$ref": "#/components/schemas/B", "maxLength": 3}) == {"type": "string", "maxLength": 3}
    assert resolve(ROOT, {"type": "object"}) == {"type": "object"}


def test_pointers_unescape_and_index_lists() -> None:
    assert ref_target(ROOT, "#/components/schemas/a~1b") == {"type": "integer"}
    assert ref_target(ROOT, "#/list/0") == {"type": "null"}
    assert ref_target(ROOT, "#") is ROOT


def test_a_ref_that_names_nothing_is_a_key_error_and_a_non_object_is_an_empty_schema() -> None:
    with pytest.raises(KeyError):
        resolve(ROOT, {"$ref": "#/components/schemas/Missing"})
    with pytest.raises(KeyError):
        ref_target(ROOT, "other.yaml#/x")
    assert resolve_schema(ROOT, True) == {}
