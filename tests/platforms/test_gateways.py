"""The platforms that serve the first-party API under their own base path and credentials: Microsoft
Foundry, Bedrock Mantle, Claude on Google Cloud, and AnthropicAWS at the root with SigV4; each through
its official client, over a real socket."""

from __future__ import annotations

import anthropic
import httpx
import pytest

from .support import AWS, PROMPT, WEATHER_TOOL, blocks, first_party, started

MODEL = "claude-sonnet-4-6"


@pytest.fixture(scope="module")
def server():
    server = started(journal=True)
    yield server
    server.stop()


def _clients(server):
    base = server.base_url
    return {
        "foundry": anthropic.AnthropicFoundry(api_key="foundry-key", base_url=f"{base}/anthropic/", max_retries=0),
        "foundry-entra": anthropic.AnthropicFoundry(azure_ad_token_provider=lambda: "entra-token",
                                                    base_url=f"{base}/anthropic/", max_retries=0),
        "bedrock-mantle": anthropic.AnthropicBedrockMantle(base_url=f"{base}/anthropic", max_retries=0, **AWS),
        "google-cloud": anthropic.AnthropicGoogleCloud(
            project="my-project", location="global", workspace_id="wrkspc_1", token_provider=lambda: "ya29.t",
            base_url=f"{base}/v1/projects/my-project/locations/global/workspaces/wrkspc_1/invoke", max_retries=0),
        "aws": anthropic.AnthropicAWS(base_url=base, workspace_id="wrkspc_1", max_retries=0, **AWS),
    }


@pytest.mark.parametrize("name", ["foundry", "foundry-entra", "bedrock-mantle", "google-cloud", "aws"])
def test_create_stream_tools_and_count_tokens(server, name):
    client = _clients(server)[name]
    same = first_party(server).messages.create(model=MODEL, max_tokens=256, messages=PROMPT)
    assert client.messages.create(model=MODEL, max_tokens=256, messages=PROMPT).content == same.content
    with client.messages.stream(model=MODEL, max_tokens=256, messages=PROMPT) as stream:
        assert blocks(stream.get_final_message()) == blocks(same)
    reply = client.messages.create(model=MODEL, max_tokens=512, tools=[WEATHER_TOOL], tool_choice={"type": "any"},
                                   messages=[{"role": "user", "content": "Weather in Oslo?"}])
    assert any(block.type == "tool_use" for block in reply.content)
    assert client.messages.count_tokens(model=MODEL, messages=PROMPT).input_tokens == same.usage.input_tokens


def test_errors_are_the_first_party_envelope_and_retried(server):
    client = _clients(server)["foundry"].with_options(max_retries=2)
    reply = client.messages.create(model=MODEL, max_tokens=32, messages=PROMPT,
                                   extra_headers={"x-mock-error": "overloaded_error", "x-mock-error-count": "1",
                                                  "x-mock-session": "foundry-retry"})
    assert reply.content
    missing = httpx.post(f"{server.base_url}/anthropic/v1/messages", json={}, timeout=10)
    assert missing.status_code == 401 and missing.json()["error"]["type"] == "authentication_error"


def test_the_journal_names_the_platform_and_keeps_no_credential(server):
    _clients(server)["foundry"].messages.create(model=MODEL, max_tokens=8, messages=PROMPT,
                                                extra_headers={"x-mock-session": "foundry-journal"})
    entries = httpx.get(f"{server.base_url}/_mock/journal", params={"session": "foundry-journal"}).json()["requests"]
    assert entries and entries[-1]["path"] == "/v1/messages"
    recorded = str(entries[-1])
    assert "foundry" in recorded and "foundry-key" not in recorded
