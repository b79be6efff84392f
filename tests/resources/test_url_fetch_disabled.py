"""`organization_url_fetch_disabled` (400): an organization without URL fetching (its key contains
`url-fetch-disabled`) is refused URL sources, web_fetch and MCP servers; the SDK raises its typed error."""

from __future__ import annotations

import anthropic
import pytest
from anthropic._error_classes import OrganizationURLFetchDisabledError

from mockserver.config import Config
from mockserver.server import MockServer

IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}}


@pytest.fixture(scope="module")
def server():
    with MockServer(Config()) as running:
        yield running


def client(server, key: str) -> anthropic.Anthropic:
    return anthropic.Anthropic(api_key=key, base_url=server.base_url, max_retries=0)


@pytest.mark.parametrize("extra", [
    {"messages": [{"role": "user", "content": [IMAGE, {"type": "text", "text": "what is it?"}]}]},
    {"tools": [{"type": "web_fetch_20250910", "name": "web_fetch"}]},
])
def test_url_features_are_refused_for_the_organization(server, extra):
    body = {"model": "claude-haiku-4-5", "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi"}], **extra}
    with pytest.raises(OrganizationURLFetchDisabledError) as raised:
        client(server, "sk-ant-api03-url-fetch-disabled").messages.create(**body)
    assert raised.value.status_code == 400
    assert raised.value.body["error"]["details"] == {"error_code": "organization_url_fetch_disabled"}


def test_other_organizations_and_plain_requests_are_unaffected(server):
    body = {"model": "claude-haiku-4-5", "max_tokens": 50,
            "messages": [{"role": "user", "content": [IMAGE, {"type": "text", "text": "what is it?"}]}]}
    assert client(server, "sk-ant-api03-ordinary").messages.create(**body).content
    plain = {**body, "messages": [{"role": "user", "content": "hi"}]}
    assert client(server, "sk-ant-api03-url-fetch-disabled").messages.create(**plain).content
