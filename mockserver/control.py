"""The mock's own API under /_mock: health now; rules, journal and reset build on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from . import __version__

if TYPE_CHECKING:
    from .app import AppState


def control_app(state: AppState) -> Starlette:
    async def health(request: Request) -> JSONResponse:
        return JSONResponse({
            "status": "ok",
            "version": __version__,
            "stateless": state.config.stateless,
            "operations": len(state.operations),
        })

    return Starlette(routes=[Route("/_mock/health", health)])
