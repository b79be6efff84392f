"""A multipart request body, read once and closed whatever happens (spooled uploads go away)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from ..call import Call


@asynccontextmanager
async def open_form(call: Call) -> AsyncIterator[Any]:
    form = await call.form()
    try:
        yield form
    finally:
        await form.close()
