"""Never stricter than the API's own contract, and examples as complete as the newest SDKs expect.

The reference facts (tests/fixtures/reference_facts.yaml) are the official spec's operations and the
bounds it states, in our own form; the audit of every bound we keep is in openapi/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from mockserver.config import Config, DEFAULT_SPEC
from mockserver.spec import load_spec
from mockserver.spec.operations import index_operations

from .helpers import asgi_client, headers

FACTS = yaml.safe_load((Path(__file__).resolve().parent / "fixtures" / "reference_facts.yaml").read_text())
BOUNDS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength", "pattern",
          "minItems", "maxItems")
# Bounds the reference spec does not state but the API documentation does (see openapi/README.md).
DOCUMENTED_ELSEWHERE = {("MessageCreateParams", "messages", "maxItems"), ("BatchCreateParams", "requests", "maxItems")}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return load_spec(DEFAULT_SPEC)


def bounds_of(schema: dict[str, Any]) -> dict[str, Any]:
    found = {k: schema[k] for k in BOUNDS if k in schema}
    for member in schema.get("anyOf", ()):
        found.update(bounds_of(member))
    return found


def test_list_limits_are_bounded_only_where_the_reference_bounds_them(spec):
    for name, theirs in FACTS["limit_bounds"].items():
        method, path = name.split(" ", 1)
        limit = next(p for p in spec["paths"][path][method.lower()]["parameters"] if p.get("name") == "limit")
        assert bounds_of(limit["schema"]) == theirs, name


def test_request_bounds_are_never_stricter_than_the_reference(spec):
    schemas = spec["components"]["schemas"]
    for schema_name, fields in FACTS["request_field_bounds"].items():
        for field, theirs in fields.items():
            ours = bounds_of(schemas[schema_name]["properties"].get(field, {}))
            for keyword, value in ours.items():
                if (schema_name, field, keyword) in DOCUMENTED_ELSEWHERE:
                    assert keyword not in theirs or value >= theirs[keyword]
                    continue
                assert keyword in theirs, f"{schema_name}.{field}: {keyword} is not in the reference"
                if keyword.startswith("min"):
                    assert value <= theirs[keyword], f"{schema_name}.{field}.{keyword}"
                elif keyword.startswith("max"):
                    assert value >= theirs[keyword], f"{schema_name}.{field}.{keyword}"
                else:
                    assert value == theirs[keyword]


@pytest.mark.parametrize("stateless", [False, True])
@pytest.mark.parametrize("path", ["/v1/skills", "/v1/skills/skill_01AbCdEfGhIjKlMnOpQrStUv/versions"])
def test_limit_zero_is_accepted_where_the_reference_sets_no_bound(path, stateless):
    client = asgi_client(Config(stateless=stateless))
    if not stateless and "versions" in path:
        created = client.post("/v1/skills", headers=headers(anthropic_beta="skills-2025-10-02"),
                              files={"files[]": ("demo/SKILL.md", b"---\nname: demo\ndescription: d\n---\n")})
        assert created.status_code == 200, created.text
        path = f"/v1/skills/{created.json()['id']}/versions"
    response = client.get(path, params={"limit": 0}, headers=headers(anthropic_beta="skills-2025-10-02"))
    assert response.status_code == 200, response.text
    assert isinstance(response.json()["data"], list)


def test_limit_zero_is_still_refused_where_the_reference_bounds_it():
    response = asgi_client(Config()).get("/v1/models", params={"limit": 0}, headers=headers())
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "limit: Input should be greater than or equal to 1"


def test_a_long_model_name_is_an_unknown_model_not_a_length_error():
    client = asgi_client(Config())
    body = {"model": "m" * 300, "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]}
    response = client.post("/v1/messages", headers=headers(), json=body)
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"


# -- complete examples --------------------------------------------------------------------------

class Completeness:
    """Walks an example along its schema; records objects that omit a declared property."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.missing: list[str] = []

    def resolve(self, schema: Any) -> Any:
        while isinstance(schema, dict) and "$ref" in schema:
            target: Any = self.spec
            for part in schema["$ref"][2:].split("/"):
                target = target[part]
            schema = target
        return schema

    def fits(self, schema: dict[str, Any], value: Any) -> bool:
        return jsonschema.Draft202012Validator({**schema, "components": self.spec["components"]}).is_valid(value)

    def walk(self, schema: Any, value: Any, path: str) -> None:
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            return
        members = schema.get("anyOf") or schema.get("oneOf")
        if members:
            match = next((self.resolve(m) for m in members if self.fits(self.resolve(m), value)), None)
            if match is not None:
                self.walk(match, value, path)
            return
        if isinstance(value, dict) and "properties" in schema:
            self.missing += [f"{path}.{name}" for name in sorted(set(schema["properties"]) - set(value))]
            for name, item in value.items():
                if name in schema["properties"]:
                    self.walk(schema["properties"][name], item, f"{path}.{name}")
        elif isinstance(value, list) and "items" in schema:
            for index, item in enumerate(value):
                self.walk(schema["items"], item, f"{path}[{index}]")


def test_every_stateless_json_example_carries_every_declared_field(spec):
    """SDKs generated with every response field required (Go) reject an example that omits one, e.g.
    ModelInfo.capabilities. Chat completions follow OpenAI's SDK, whose fields are optional."""
    check = Completeness(spec)
    for op in index_operations(spec):
        media = op.responses.get("200", {}).get("content", {}).get("application/json")
        if media and "example" in media and op.operation_id != "chat_completions_create":
            check.walk(media["schema"], media["example"], op.operation_id)
    assert check.missing == []
    model = next(op for op in index_operations(spec) if op.operation_id == "models_retrieve")
    assert "capabilities" in model.responses["200"]["content"]["application/json"]["example"]
