"""Rules know which platform spoke (`match: {platform: ...}`), and a fault scripted for one platform
arrives in that platform's shape while every other platform is answered as usual."""

from __future__ import annotations

import anthropic
import httpx

from .support import AWS, PROMPT, first_party

MODEL = "claude-sonnet-4-6"


def test_a_rule_for_bedrock_leaves_the_other_platforms_alone(server):
    rule = {"match": {"platform": "bedrock", "operation": "messages_create"},
            "respond": {"error": {"type": "rate_limit_error"}}, "session": "platform-rules"}
    added = httpx.post(f"{server.base_url}/_mock/rules", json={"rules": [rule]}).json()["rules"][0]
    session = {"x-mock-session": "platform-rules"}
    try:
        bedrock = anthropic.AnthropicBedrock(base_url=server.base_url, max_retries=0, **AWS)
        try:
            bedrock.messages.create(model="anthropic.claude-sonnet-4-6", max_tokens=16, messages=PROMPT,
                                    extra_headers=session)
            raise AssertionError("the Bedrock request should have been throttled")
        except anthropic.RateLimitError as error:
            assert error.response.headers["x-amzn-errortype"].startswith("ThrottlingException:")
        foundry = anthropic.AnthropicFoundry(api_key="k", base_url=f"{server.base_url}/anthropic/", max_retries=0)
        assert foundry.messages.create(model=MODEL, max_tokens=16, messages=PROMPT, extra_headers=session).content
        plain = first_party(server).messages.create(model=MODEL, max_tokens=16, messages=PROMPT, extra_headers=session)
        assert plain.content
    finally:
        httpx.delete(f"{server.base_url}/_mock/rules/{added['id']}")


def test_a_rule_can_name_first_party_traffic(server):
    rule = {"match": {"platform": "anthropic"}, "respond": {"text": "first-party only"}, "session": "fp-rules"}
    added = httpx.post(f"{server.base_url}/_mock/rules", json={"rules": [rule]}).json()["rules"][0]
    session = {"x-mock-session": "fp-rules"}
    try:
        plain = first_party(server).messages.create(model=MODEL, max_tokens=16, messages=PROMPT, extra_headers=session)
        assert plain.content[0].text == "first-party only"
        vertex = anthropic.AnthropicVertex(region="us-east5", project_id="p", access_token="t",
                                           base_url=f"{server.base_url}/v1", max_retries=0)
        other = vertex.messages.create(model=MODEL, max_tokens=16, messages=PROMPT, extra_headers=session)
        assert other.content[0].text != "first-party only"
    finally:
        httpx.delete(f"{server.base_url}/_mock/rules/{added['id']}")
