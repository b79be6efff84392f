"""The request inspector: one static page (HTML, CSS, JS shipped in this package, no build step)
served under /_mock/ui. It reads everything else from the control API with same-origin fetches.

The assets hold no data, so with `--control-token` they load without the token (a browser
cannot send a header on navigation); the page then asks for the token, or takes `?token=` once,
keeps it in sessionStorage and sends it as `Authorization: Bearer` on every call.
"""

from __future__ import annotations

from importlib import resources

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

PAGE = "/_mock/ui"
_TYPES = {"index.html": "text/html; charset=utf-8", "inspector.css": "text/css; charset=utf-8",
          "snippets.js": "text/javascript; charset=utf-8", "inspector.js": "text/javascript; charset=utf-8"}
ASSET_PATHS = frozenset({PAGE, *(f"{PAGE}/{name}" for name in _TYPES if name != "index.html")})
# Everything from this origin only; no inline code, no framing (clickjacking), no referrer (the token).
_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                               "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}


def ui_routes() -> list[Route]:
    """Routes for the page and its assets, read once at start-up."""
    assets = {name: resources.files(__package__).joinpath(name).read_bytes() for name in _TYPES}

    def serve(name: str) -> Route:
        body, content_type = assets[name], _TYPES[name]

        async def asset(request: Request) -> Response:
            return Response(body, media_type=content_type, headers=_HEADERS)

        path = PAGE if name == "index.html" else f"{PAGE}/{name}"
        return Route(path, asset, methods=["GET"], name=f"ui:{name}")

    return [serve(name) for name in _TYPES]
