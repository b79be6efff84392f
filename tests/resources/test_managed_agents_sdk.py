"""Managed Agents end to end through the official Python SDK over a real socket (default mode):
agent -> versions -> session -> event stream -> completion, a custom tool run by the SDK's own
session runner, interrupt, archive and the 404s."""

from __future__ import annotations

import asyncio

import anthropic
import httpx
import pytest

from mockserver.config import Config
from mockserver.server import MockServer

from ..helpers import KEY

MODEL = "claude-sonnet-4-6"
WEATHER = {"type": "custom", "name": "get_weather", "description": "Weather forecast for a city",
           "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}


@pytest.fixture(scope="module")
def server():
    with MockServer(Config()) as running:
        yield running


def sdk(server):
    return anthropic.Anthropic(base_url=server.base_url, api_key=KEY, max_retries=0,
                               _strict_response_validation=True)


def test_agent_versions_update_list_archive_and_404(server):
    client = sdk(server)
    agent = client.beta.agents.create(name="helper", model=MODEL, tools=[{"type": "agent_toolset_20260401"}],
                                      skills=[{"type": "anthropic", "skill_id": "xlsx"}])
    assert (agent.version, agent.model.id, agent.tools[0].default_config.enabled) == (1, MODEL, True)
    assert agent.skills[0].version == "latest"
    updated = client.beta.agents.update(agent.id, version=1, description="Answers briefly.")
    assert (updated.version, updated.description) == (2, "Answers briefly.")
    same = client.beta.agents.update(agent.id, version=2, description="Answers briefly.")
    assert same.version == 2  # nothing changed: no new version
    assert [v.version for v in client.beta.agents.versions.list(agent.id)] == [2, 1]
    assert client.beta.agents.retrieve(agent.id, version=1).description is None
    other = client.beta.agents.create(name="other", model=MODEL)
    first = client.beta.agents.list(limit=1)
    assert [a.id for a in first.data] == [other.id]
    assert [a.id for a in first.get_next_page().data] == [agent.id]
    assert len(first.data) == 1 and first.has_next_page()
    client.beta.agents.archive(agent.id)
    assert agent.id not in [a.id for a in client.beta.agents.list(limit=100)]
    assert agent.id in [a.id for a in client.beta.agents.list(limit=100, include_archived=True)]
    with pytest.raises(anthropic.NotFoundError):
        client.beta.agents.retrieve("agent_nope")


def test_session_stream_carries_a_turn_from_the_engine(server):
    client = sdk(server)
    agent = client.beta.agents.create(name="chat", model=MODEL, system="Be brief.")
    session = client.beta.sessions.create(agent=agent.id, environment_id="env_local")
    assert (session.status, session.agent.version) == ("idle", 1)
    seen = []
    with client.beta.sessions.events.stream(session.id) as stream:
        client.beta.sessions.events.send(session.id, events=[
            {"type": "user.message", "content": [{"type": "text", "text": "Hello there"}]}])
        for event in stream:
            seen.append(event)
            if event.type == "session.status_idle":
                break
    kinds = [event.type for event in seen]
    assert kinds == ["user.message", "session.status_running", "agent.message", "session.status_idle"]
    assert seen[-1].stop_reason.type == "end_turn"
    assert seen[2].content[0].text
    done = client.beta.sessions.retrieve(session.id)
    assert done.status == "idle" and done.usage.output_tokens > 0
    assert [e.id for e in client.beta.sessions.events.list(session.id)] == [e.id for e in seen]


def test_session_runner_dispatches_a_custom_tool_until_end_turn(server):
    client = sdk(server)
    agent = client.beta.agents.create(name="weather", model=MODEL, tools=[WEATHER])
    session = client.beta.sessions.create(agent={"type": "agent", "id": agent.id, "version": 1},
                                          environment_id="env_local")
    client.beta.sessions.events.send(session.id, events=[
        {"type": "user.message", "content": [{"type": "text", "text": "What's the weather in Paris?"}]}])
    waiting = list(client.beta.sessions.events.list(session.id))[-1]
    assert waiting.stop_reason.type == "requires_action"

    @anthropic.beta_async_tool
    async def get_weather(city: str) -> str:
        """Weather forecast for a city"""
        return f"Sunny in {city}"

    async def run() -> list:
        async_client = anthropic.AsyncAnthropic(base_url=server.base_url, api_key=KEY, max_retries=0)
        calls = []
        async for call in async_client.beta.sessions.events.tool_runner(session.id, tools=[get_weather],
                                                                          max_idle=0.5):
            calls.append(call)
        return calls

    calls = asyncio.run(asyncio.wait_for(run(), 60))
    assert [(call.name, call.is_error) for call in calls] == [("get_weather", False)]
    events = list(client.beta.sessions.events.list(session.id))
    result = next(e for e in events if e.type == "user.custom_tool_result")
    assert result.custom_tool_use_id == waiting.stop_reason.event_ids[0]
    assert events[-1].type == "session.status_idle" and events[-1].stop_reason.type == "end_turn"


def test_interrupt_archive_delete_and_bad_input(server):
    client = sdk(server)
    agent = client.beta.agents.create(name="short", model=MODEL)
    session = client.beta.sessions.create(agent=agent.id, environment_id="env_local")
    client.beta.sessions.events.send(session.id, events=[{"type": "user.interrupt"}])
    last = list(client.beta.sessions.events.list(session.id))[-1]
    assert (last.type, last.stop_reason.type) == ("session.status_idle", "end_turn")
    with pytest.raises(anthropic.BadRequestError):  # a result for a tool call the session never made
        client.beta.sessions.events.send(session.id, events=[
            {"type": "user.custom_tool_result", "custom_tool_use_id": "sevt_never", "content": []}])
    archived = client.beta.sessions.archive(session.id)
    assert archived.archived_at is not None
    with pytest.raises(anthropic.BadRequestError):
        client.beta.sessions.events.send(session.id, events=[
            {"type": "user.message", "content": [{"type": "text", "text": "hi"}]}])
    assert client.beta.sessions.delete(session.id).type == "session_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.beta.sessions.retrieve(session.id)
    with pytest.raises(anthropic.BadRequestError) as bad:
        client.beta.sessions.create(agent="agent_missing", environment_id="env_local")
    assert bad.value.body["error"]["type"] == "invalid_request_error"
    with pytest.raises(anthropic.BadRequestError) as gate:  # the gate's envelope: `model` is required
        client.post("/v1/agents?beta=true", body={"name": "no model"}, cast_to=object,
                    options={"headers": {"anthropic-beta": "managed-agents-2026-04-01"}})
    assert gate.value.body["error"]["type"] == "invalid_request_error"


def test_vault_credentials_never_echo_their_secrets(server):
    client = sdk(server)
    vault = client.beta.vaults.create(display_name="prod", metadata={"team": "a"})
    bearer = client.beta.vaults.credentials.create(vault.id, auth={
        "type": "static_bearer", "mcp_server_url": "https://mcp.example/", "token": "sekrit-bearer-1"})
    oauth = client.beta.vaults.credentials.create(vault.id, display_name="gh", auth={
        "type": "mcp_oauth", "mcp_server_url": "https://gh.example/", "access_token": "sekrit-access-2",
        "refresh": {"client_id": "cid", "token_endpoint": "https://gh.example/token", "refresh_token": "sekrit-3",
                    "token_endpoint_auth": {"type": "client_secret_basic", "client_secret": "sekrit-4"}}})
    env = client.beta.vaults.credentials.create(vault.id, auth={
        "type": "environment_variable", "secret_name": "API_KEY", "secret_value": "sekrit-5",
        "networking": {"type": "limited", "allowed_hosts": ["api.example"]}})
    assert (bearer.auth.type, oauth.auth.refresh.token_endpoint_auth.type) == ("static_bearer", "client_secret_basic")
    assert env.auth.networking.allowed_hosts == ["api.example"]
    raw = [client.get(f"/v1/vaults/{vault.id}/credentials/{c.id}?beta=true", cast_to=object,
                      options={"headers": {"anthropic-beta": "managed-agents-2026-04-01"}})
           for c in (bearer, oauth, env)]
    listed = client.beta.vaults.credentials.list(vault.id)
    assert {c.id for c in listed} == {bearer.id, oauth.id, env.id}
    assert "sekrit" not in repr(raw) + listed.to_json()
    updated = client.beta.vaults.update(vault.id, display_name="production", metadata={"team": ""})
    assert (updated.display_name, updated.metadata) == ("production", {})
    client.beta.vaults.credentials.archive(bearer.id, vault_id=vault.id)
    assert {c.id for c in client.beta.vaults.credentials.list(vault.id)} == {oauth.id, env.id}
    assert client.beta.vaults.credentials.delete(env.id, vault_id=vault.id).type == "vault_credential_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.credentials.retrieve(env.id, vault_id=vault.id)
    assert client.beta.vaults.delete(vault.id).type == "vault_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.beta.vaults.retrieve(vault.id)


def test_memory_store_memories_versions_preconditions_and_redaction(server):
    client = sdk(server)
    store = client.beta.memory_stores.create(name="notes", description="team notes")
    first = client.beta.memory_stores.memories.create(store.id, path="/prefs/editor.md", content="vim")
    client.beta.memory_stores.memories.create(store.id, path="/prefs/deep/shell.md", content="zsh")
    assert first.content_size_bytes == 3 and len(first.content_sha256) == 64
    with pytest.raises(anthropic.ConflictError):
        client.beta.memory_stores.memories.create(store.id, path="/prefs/editor.md", content="again")
    with pytest.raises(anthropic.ConflictError):
        client.beta.memory_stores.memories.update(first.id, memory_store_id=store.id, content="emacs",
                                                  precondition={"type": "content_sha256", "content_sha256": "0" * 64})
    changed = client.beta.memory_stores.memories.update(
        first.id, memory_store_id=store.id, content="emacs",
        precondition={"type": "content_sha256", "content_sha256": first.content_sha256})
    assert changed.content == "emacs" and changed.memory_version_id != first.memory_version_id
    basic = list(client.beta.memory_stores.memories.list(store.id, path_prefix="/prefs", depth=1))
    assert [(m.type, m.path) for m in basic] == [("memory_prefix", "/prefs/deep/"), ("memory", "/prefs/editor.md")]
    assert basic[1].content is None  # the basic view carries no content
    versions = list(client.beta.memory_stores.memory_versions.list(store.id, memory_id=first.id))
    assert [v.operation for v in versions] == ["modified", "created"]
    redacted = client.beta.memory_stores.memory_versions.redact(versions[1].id, memory_store_id=store.id)
    assert redacted.content is None and redacted.redacted_at is not None
    client.beta.memory_stores.memories.delete(first.id, memory_store_id=store.id)
    with pytest.raises(anthropic.NotFoundError):
        client.beta.memory_stores.memories.retrieve(first.id, memory_store_id=store.id)
    assert client.beta.memory_stores.memory_versions.list(store.id, memory_id=first.id).data[0].operation == "deleted"
    assert client.beta.memory_stores.delete(store.id).type == "memory_store_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.beta.memory_stores.retrieve(store.id)


def test_environment_lifecycle(server):
    client = sdk(server)
    env = client.beta.environments.create(name="sandbox", config={
        "type": "cloud", "packages": {"pip": ["pandas"]},
        "networking": {"type": "limited", "allowed_hosts": ["pypi.org"]}})
    assert env.config.packages.pip == ["pandas"] and env.config.packages.npm == []
    assert env.config.networking.allowed_hosts == ["pypi.org"]
    assert env.config.networking.allow_package_managers is False
    renamed = client.beta.environments.update(env.id, name="sandbox-2", metadata={"k": "v"})
    assert (renamed.name, renamed.metadata, renamed.config.packages.pip) == ("sandbox-2", {"k": "v"}, ["pandas"])
    assert env.id in [e.id for e in client.beta.environments.list()]
    client.beta.environments.archive(env.id)
    assert env.id not in [e.id for e in client.beta.environments.list()]
    assert client.beta.environments.delete(env.id).type == "environment_deleted"
    with pytest.raises(anthropic.NotFoundError):
        client.beta.environments.retrieve(env.id)


def test_credential_secrets_never_reach_the_journal(server):
    client = sdk(server)
    httpx.get(f"{server.base_url}/_mock/journal")  # reading turns recording on
    vault = client.beta.vaults.create(display_name="journaled")
    client.beta.vaults.credentials.create(vault.id, auth={
        "type": "static_bearer", "mcp_server_url": "https://mcp.example/", "token": "sekrit-journal-6"})
    journal = httpx.get(f"{server.base_url}/_mock/journal").json()
    bodies = [entry for entry in journal["requests"] if entry["path"].endswith("/credentials")]
    assert bodies and "sekrit" not in repr(journal)
    assert bodies[-1]["body"]["auth"]["token"].startswith("redacted:")
