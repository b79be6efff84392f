"""Multipart routes without a family of their own (plugin uploads, archive validation): the form is read,
so a malformed body or a missing required part is the API's 400, then the spec's example answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..call import Call
from ..examples import example_reply
from ..http.errors import invalid_request
from ..http.replies import Reply
from .forms import open_form

if TYPE_CHECKING:
    from ..state import AppState


def handlers(state: AppState) -> dict[str, Any]:
    """Every multipart operation; the families registered after this one replace it with their own."""
    return {op.operation_id: answer_form for op in state.operations if op.body_media_type == "multipart/form-data"}


async def answer_form(call: Call) -> Reply:
    async with open_form(call) as form:
        for name in (call.operation.body_schema or {}).get("required", ()):
            if name not in form:
                raise invalid_request(f"{name}: Field required")
    return example_reply(call)
