"""The spec is valid OpenAPI 3.1 and covers the API reference."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate

from mockserver.config import DEFAULT_SPEC
from mockserver.spec import load_spec
from mockserver.spec.operations import index_operations

REFERENCE_FACTS = Path(__file__).resolve().parent / "fixtures" / "reference_facts.yaml"

REQUIRED_OPERATIONS = {
    ("POST", "/v1/messages"), ("POST", "/v1/messages/count_tokens"), ("POST", "/v1/messages/batches"),
    ("GET", "/v1/messages/batches"), ("GET", "/v1/messages/batches/{message_batch_id}"),
    ("GET", "/v1/messages/batches/{message_batch_id}/results"),
    ("POST", "/v1/messages/batches/{message_batch_id}/cancel"),
    ("DELETE", "/v1/messages/batches/{message_batch_id}"), ("GET", "/v1/models"), ("GET", "/v1/models/{model_id}"),
    ("POST", "/v1/files"), ("GET", "/v1/files"), ("GET", "/v1/files/{file_id}"),
    ("GET", "/v1/files/{file_id}/content"), ("DELETE", "/v1/files/{file_id}"), ("POST", "/v1/skills"),
    ("GET", "/v1/skills"), ("GET", "/v1/skills/{skill_id}"), ("DELETE", "/v1/skills/{skill_id}"),
    ("POST", "/v1/skills/{skill_id}/versions"), ("GET", "/v1/skills/{skill_id}/versions"),
    ("GET", "/v1/skills/{skill_id}/versions/{version}"), ("DELETE", "/v1/skills/{skill_id}/versions/{version}"),
    ("GET", "/v1/skills/{skill_id}/versions/{version}/content"), ("POST", "/v1/complete"),
    ("GET", "/v1/organizations/me"), ("GET", "/v1/organizations/api_keys"),
    ("GET", "/v1/organizations/api_keys/{api_key_id}"), ("POST", "/v1/organizations/api_keys/{api_key_id}"),
    ("GET", "/v1/organizations/users"), ("GET", "/v1/organizations/users/{user_id}"),
    ("POST", "/v1/organizations/users/{user_id}"), ("DELETE", "/v1/organizations/users/{user_id}"),
    ("POST", "/v1/organizations/invites"), ("GET", "/v1/organizations/invites/{invite_id}"),
    ("GET", "/v1/organizations/invites"), ("DELETE", "/v1/organizations/invites/{invite_id}"),
    ("POST", "/v1/organizations/workspaces"), ("GET", "/v1/organizations/workspaces/{workspace_id}"),
    ("GET", "/v1/organizations/workspaces"), ("POST", "/v1/organizations/workspaces/{workspace_id}"),
    ("POST", "/v1/organizations/workspaces/{workspace_id}/archive"),
    ("POST", "/v1/organizations/workspaces/{workspace_id}/members"),
    ("GET", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
    ("GET", "/v1/organizations/workspaces/{workspace_id}/members"),
    ("POST", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
    ("DELETE", "/v1/organizations/workspaces/{workspace_id}/members/{user_id}"),
    ("GET", "/v1/organizations/usage_report/messages"), ("GET", "/v1/organizations/usage_report/claude_code"),
    ("GET", "/v1/organizations/cost_report"), ("POST", "/v1/chat/completions"),
}


@pytest.fixture(scope="module")
def spec():
    return load_spec(DEFAULT_SPEC)


def our_operations(spec):
    return {(op.method, op.path) for op in index_operations(spec)}


def test_spec_is_valid_openapi_3_1(spec):
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_all_51_operations_of_the_surface_are_present(spec):
    assert len(REQUIRED_OPERATIONS) == 51
    assert REQUIRED_OPERATIONS - our_operations(spec) == set()


def test_every_operation_of_the_official_spec_exists(spec):
    facts = yaml.safe_load(REFERENCE_FACTS.read_text())
    theirs = {tuple(operation.split(" ", 1)) for operation in facts["operations"]}
    assert len(theirs) == 24
    assert theirs - our_operations(spec) == set()


def test_operation_ids_are_unique(spec):
    ids = [op.operation_id for op in index_operations(spec)]
    assert len(ids) == len(set(ids))


def test_every_response_has_an_example(spec):
    missing = []
    for op in index_operations(spec):
        for status, response in op.responses.items():
            for media_type, media in response.get("content", {}).items():
                if "example" not in media and "examples" not in media:
                    missing.append(f"{op.operation_id} {status} {media_type}")
    assert missing == []
