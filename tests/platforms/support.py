"""A mock on a real socket for the platform clients, and the first-party client to compare with."""

from __future__ import annotations

import anthropic
import httpx

from mockserver.config import Config
from mockserver.server import MockServer

AWS = {"aws_access_key": "AKIAIOSFODNN7EXAMPLE", "aws_secret_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
       "aws_region": "us-east-1"}
PROMPT = [{"role": "user", "content": "Tell me about the sea in two sentences."}]
WEATHER_TOOL = {"name": "get_weather", "description": "The weather in a city",
                "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                 "required": ["city"]}}


def started(**settings) -> MockServer:
    return MockServer(Config(seed=5, **settings)).start()


def first_party(server: MockServer) -> anthropic.Anthropic:
    return anthropic.Anthropic(base_url=server.base_url, api_key="sk-ant-api03-platform-tests", max_retries=0)


def signed_headers(service: str = "bedrock") -> dict[str, str]:
    """A well-formed SigV4 Authorization (the mock checks the shape, never the secret)."""
    return {"authorization": f"AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/{service}/"
                             "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=" + "ab" * 32,
            "x-amz-date": "20261207T000000Z", "content-type": "application/json"}


def post(server: MockServer, path: str, json=None, content=None, headers=None) -> httpx.Response:
    return httpx.post(f"{server.base_url}{path}", json=json, content=content, headers=headers or {}, timeout=30)


def blocks(message) -> list[dict]:
    """Content blocks as plain data (a streamed message's blocks are the SDK's Parsed* subclasses)."""
    return [block.model_dump(exclude={"parsed_output"}) for block in message.content]
