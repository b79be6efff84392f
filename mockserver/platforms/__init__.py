"""Claude wherever it runs: Amazon Bedrock, Vertex AI, Microsoft Foundry, Bedrock Mantle and Claude
on Google Cloud, as codecs around the one first-party pipeline (DESIGN.md). `Platforms.route`
picks the codec a request's path belongs to; everything else is first-party."""

from __future__ import annotations

from ..http.asgi import ASGIApp, Receive, Scope, Send
from .bedrock import BedrockCodec
from .codec import PLATFORM_HEADER, Codec, serve
from .gateway import GatewayCodec
from .vertex import VertexCodec

# Every platform path starts with one of these; first-party paths never do (checked per request).
PREFIXES = ("/model/", "/v1/projects/", "/projects/", "/anthropic/")

__all__ = ["PLATFORM_HEADER", "PREFIXES", "Platforms"]


class Platforms:
    def __init__(self, pipeline: ASGIApp) -> None:
        self.pipeline = pipeline
        self.codecs: tuple[Codec, ...] = (BedrockCodec(), VertexCodec(), GatewayCodec())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> bool:
        """Serve a platform request and return True, or return False: not a platform's path."""
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        for codec in self.codecs:
            if codec.claims(scope["path"], headers):
                await serve(codec, scope, receive, send, self.pipeline, headers)
                return True
        return False
