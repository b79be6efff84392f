"""Replay: a recorded response as a Reply, byte-for-byte, with a fresh request-id (the recorded
one with --keep-ids) and streams re-emitted event by event at the recorded delays x --replay-speed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import AsyncIterator

from ..http.replies import BytesReply
from .cassette import Interaction, RecordedResponse

RawHeaders = list[tuple[bytes, bytes]]
_RENDERED = frozenset({"request-id", "content-type", "content-length"})  # written by the renderer or the base


@dataclass(frozen=True, slots=True)
class ReplayPlan:
    """Everything a replay needs, encoded once when the cassette is read."""

    status: int
    content_type: str
    headers: RawHeaders
    request_id: bytes | None
    body: bytes
    id_in_body: bool
    upstream: bytes | None  # the recorded upstream's base URL, when the body links to it (results_url)
    events: tuple[tuple[float, bytes], ...] | None  # (delay in seconds, encoded event)


def plan_for(interaction: Interaction, upstream: str | None) -> ReplayPlan:
    if interaction.plan is None:
        interaction.plan = _plan(interaction.response, upstream)
    return interaction.plan


def _plan(response: RecordedResponse, upstream: str | None) -> ReplayPlan:
    request_id = response.header("request-id")
    encoded_id = request_id.encode() if request_id else None
    events = None
    if response.events is not None:
        events = tuple((e.delay, e.encoded()) for e in response.events)
    return ReplayPlan(
        status=response.status,
        content_type=response.header("content-type") or "application/json",
        headers=[(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers if k not in _RENDERED],
        request_id=encoded_id,
        body=response.body,
        id_in_body=bool(encoded_id) and encoded_id in response.body,  # type: ignore[operator]
        upstream=upstream.encode() if upstream and upstream.encode() in response.body else None,
        events=events,
    )


def replay_reply(plan: ReplayPlan, base: RawHeaders, speed: float, keep_ids: bool, origin: str) -> BytesReply:
    """The reply for `plan`; `base` (request-id first) gets the recorded headers. Links to the
    upstream (a batch's results_url) point at `origin`, this server, or a client would leave it."""
    body = plan.body
    if plan.upstream is not None:
        body = body.replace(plan.upstream, origin.encode())
    if keep_ids and plan.request_id is not None:
        base[0] = (b"request-id", plan.request_id)
    elif plan.id_in_body:  # an error envelope names its request: keep it equal to the header
        body = body.replace(plan.request_id, base[0][1])  # type: ignore[arg-type]
    base += plan.headers
    if plan.events is not None and speed > 0:
        return BytesReply(_paced(plan.events, speed), plan.content_type, plan.status)
    return BytesReply(body, plan.content_type, plan.status)


async def _paced(events: tuple[tuple[float, bytes], ...], speed: float) -> AsyncIterator[bytes]:
    for delay, encoded in events:
        if delay > 0:
            await asyncio.sleep(delay * speed)
        yield encoded
