"""The issue's lifecycles, end to end through the official Python SDK (2.x) over a real socket."""

from __future__ import annotations

import time

import anthropic
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import ADMIN_KEY, KEY, MODEL
from .conftest import SKILL_MD

HELLO = [{"role": "user", "content": "Hello"}]


def sdk(server, key=KEY):
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, max_retries=0,
                               _strict_response_validation=True)


def wait_until_ended(client, batch_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while (batch := client.messages.batches.retrieve(batch_id)).processing_status != "ended":
        assert time.monotonic() < deadline, "the batch never ended"
        time.sleep(0.1)
    return batch


def test_batch_polled_to_ended_with_succeeded_and_errored_results():
    with MockServer(Config(batch_seconds=0.5)) as server:
        client = sdk(server)
        batch = client.messages.batches.create(requests=[
            {"custom_id": "good", "params": {"model": MODEL, "max_tokens": 16, "messages": HELLO}},
            {"custom_id": "bad", "params": {"model": "claude-no-such-model", "max_tokens": 16, "messages": HELLO}},
        ])
        assert batch.processing_status == "in_progress"
        with pytest.raises(anthropic.BadRequestError):
            client.messages.batches.delete(batch.id)  # refused while in progress
        ended = wait_until_ended(client, batch.id)
        assert ended.request_counts.succeeded == 1 and ended.request_counts.errored == 1
        results = {r.custom_id: r.result for r in client.messages.batches.results(batch.id)}
        assert results["good"].type == "succeeded" and results["good"].message.content
        assert results["bad"].type == "errored"
        assert results["bad"].error.error.type == "not_found_error"
        assert client.messages.batches.delete(batch.id).type == "message_batch_deleted"
        with pytest.raises(anthropic.NotFoundError):
            client.messages.batches.retrieve(batch.id)


def test_cancelled_batch_shows_canceled_results():
    with MockServer(Config(batch_seconds=600)) as server:
        client = sdk(server)
        batch = client.messages.batches.create(requests=[
            {"custom_id": f"r{i}", "params": {"model": MODEL, "max_tokens": 16, "messages": HELLO}} for i in range(3)
        ])
        assert client.messages.batches.cancel(batch.id).processing_status == "canceling"
        ended = wait_until_ended(client, batch.id)
        assert ended.request_counts.canceled == 3
        assert [r.result.type for r in client.messages.batches.results(batch.id)] == ["canceled"] * 3


def test_skill_with_two_versions():
    with MockServer(Config()) as server:
        client = sdk(server)
        skill = client.skills.create(display_name="Greeter", files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
        second = client.skills.versions.create(skill.id, files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
        versions = list(client.skills.versions.list(skill.id))
        assert len(versions) == 2 and versions[0].id == second.id
        for version in versions:
            assert client.skills.versions.retrieve(version.id, skill_id=skill.id).id == version.id
        assert skill.id in {s.id for s in client.skills.list()}
        with pytest.raises(anthropic.BadRequestError):
            client.skills.delete(skill.id)  # it still has versions
        for version in versions:
            client.skills.versions.delete(version.id, skill_id=skill.id)
        assert client.skills.delete(skill.id).type == "skill_deleted"
        with pytest.raises(anthropic.NotFoundError):
            client.skills.retrieve(skill.id)


def test_admin_objects_created_updated_paged_and_deleted():
    with MockServer(Config()) as server:
        admin = sdk(server, ADMIN_KEY)
        invites = [admin.organization.invites.create(email=f"person{i}@example.com", role="developer")
                   for i in range(5)]
        paged = list(admin.organization.invites.list(limit=2))  # auto-pagination, page by page
        assert {i.id for i in invites} <= {i.id for i in paged}
        for invite in invites:
            assert admin.organization.invites.delete(invite.id).type == "invite_deleted"
        workspace = admin.organization.workspaces.create(name="Blue team")
        assert admin.organization.workspaces.update(workspace.id, name="Red team").name == "Red team"
        assert workspace.id in {w.id for w in admin.organization.workspaces.list(limit=1)}
        archived = admin.organization.workspaces.archive(workspace.id)
        assert archived.archived_at is not None
        assert workspace.id not in {w.id for w in admin.organization.workspaces.list(limit=1)}
