"""The official SDK (2.x) over a real socket, with strict response validation, on the stateful families."""

from __future__ import annotations

import anthropic
import httpx2
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import ADMIN_KEY, KEY, MODEL
from .conftest import SKILL_MD


@pytest.fixture(scope="module")
def server():
    with MockServer(Config(batch_seconds=0)) as running:
        yield running


def sdk(server, key=KEY):
    return anthropic.Anthropic(base_url=server.base_url, api_key=key, http_client=httpx2.Client(), max_retries=0,
                               _strict_response_validation=True)


def test_batch_results_follow_the_absolute_results_url(server):
    client = sdk(server)
    requests = [{"custom_id": f"r{i}", "params": {"model": MODEL, "max_tokens": 8,
                                                  "messages": [{"role": "user", "content": "Hi"}]}} for i in range(3)]
    batch = client.messages.batches.create(requests=requests)
    ended = client.messages.batches.retrieve(batch.id)
    assert ended.processing_status == "ended" and ended.results_url.startswith(server.base_url)
    results = list(client.messages.batches.results(batch.id))
    assert [r.custom_id for r in results] == ["r0", "r1", "r2"]
    assert all(r.result.type == "succeeded" for r in results)
    assert batch.id in {b.id for b in client.messages.batches.list(limit=1)}  # auto-pagination via after_id


def test_files_and_skills(server):
    client = sdk(server)
    uploaded = client.files.upload(file=("notes.txt", b"hello", "text/plain"))
    assert client.files.retrieve_metadata(uploaded.id).size_bytes == 5
    assert uploaded.id in {f.id for f in client.files.list(limit=1)}
    with pytest.raises(anthropic.BadRequestError):
        client.files.download(uploaded.id)
    skill = client.skills.create(files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")], display_name="Greeter")
    version = client.skills.versions.create(skill.id, files=[("greeter/SKILL.md", SKILL_MD, "text/markdown")])
    assert client.skills.retrieve(skill.id).latest_version_id == version.id
    assert [v.id for v in client.skills.versions.list(skill.id)][0] == version.id


def test_admin_lists_auto_paginate(server):
    admin = sdk(server, ADMIN_KEY)
    users = list(admin.organization.users.list(limit=2))
    assert len(users) == 5 and len({u.id for u in users}) == 5
    keys = list(admin.organization.api_keys.list(limit=1))
    assert all(k.scope is not None for k in keys)
    workspaces = list(admin.organization.workspaces.list(limit=1))
    assert {w.name for w in workspaces} >= {"Production", "Research"}
