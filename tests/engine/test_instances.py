import random

import pytest
from tests.engine.support import schemas, validates
from hypothesis import given
from hypothesis import strategies as st

from mockserver.engine.instances import generate
from mockserver.engine.regexgen import matching_string


@given(schemas(), st.integers(0, 2**32))
def test_generated_instances_validate(schema: dict, seed: int) -> None:
    assert validates(generate(schema, random.Random(seed)), schema)


@given(schemas(), st.integers(0, 2**32))
def test_generation_is_deterministic(schema: dict, seed: int) -> None:
    assert generate(schema, random.Random(seed)) == generate(schema, random.Random(seed))


@pytest.mark.parametrize("schema", [
    {"type": "string", "format": "date-time"},
    {"type": "string", "format": "date"},
    {"type": "string", "format": "email"},
    {"type": "string", "format": "uri"},
    {"type": "string", "format": "uuid"},
    {"type": "string", "minLength": 40, "maxLength": 45},
    {"type": "string", "maxLength": 3},
    {"type": "integer", "exclusiveMinimum": 3, "exclusiveMaximum": 5},
    {"type": "number", "minimum": 0.5, "maximum": 0.6},
    {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 0.001},
    {"type": "integer", "minimum": 10, "maximum": 100, "multipleOf": 7},
    {"type": "number", "multipleOf": 0.25, "minimum": 1, "maximum": 2},
    {"type": "integer", "minimum": 5, "exclusiveMinimum": True},
    {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 1000}, "minItems": 3, "uniqueItems": True},
    {"type": "array", "prefixItems": [{"const": "a"}, {"type": "integer"}], "items": False, "minItems": 2},
    {"type": "array", "items": {"type": "string"}, "contains": {"const": "needle"}, "minItems": 1},
    {"type": "object", "minProperties": 3, "additionalProperties": {"type": "integer"}},
    {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
     "dependentRequired": {"a": ["b"]}, "required": ["a"]},
    {"allOf": [{"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
               {"properties": {"b": {"const": True}}, "required": ["b"]}]},
    {"oneOf": [{"type": "integer", "multipleOf": 2}, {"type": "integer", "multipleOf": 3}]},
    {"type": ["string", "null"], "enum": ["x", None]},
    {"type": "object", "properties": {"tree": {"$ref": "#/definitions/node"}}, "required": ["tree"],
     "definitions": {"node": {"type": "object", "required": ["value", "children"], "properties": {
         "value": {"type": "integer"}, "children": {"type": "array", "items": {"$ref": "#/definitions/node"}}}}}},
    {"$ref": "#/$defs/root", "$defs": {"root": {"type": "object", "properties": {"next": {"$ref": "#"}}}}},
    {"type": "string", "pattern": r"^\+?[1-9]\d{9,12}$"},
    {"type": "string", "pattern": r"^(?:[01]\d|2[0-3]):[0-5]\d$"},
])
def test_keyword_coverage(schema: dict) -> None:
    for seed in range(40):
        instance = generate(schema, random.Random(seed))
        assert validates(instance, schema), (instance, schema)


def test_property_names_give_plausible_values() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}, "email": {"type": "string"},
                                               "query": {"type": "string"}}, "required": ["city", "email", "query"]}
    value = generate(schema, random.Random(3), topic="best pizza in Naples")
    assert "@" in value["email"]
    assert value["query"] == "best pizza in Naples"
    assert value["city"][0].isupper()


@given(st.sampled_from([r"^[A-Z]{3}\d{2}$", r"^(foo|bar)+-[a-f0-9]{4}$", r"\w+@\w+\.com", r"^[^\s]{3,5}$"]),
       st.integers(0, 1000))
def test_regex_strings_match(pattern: str, seed: int) -> None:
    import re

    assert re.search(pattern, matching_string(pattern, random.Random(seed)))
