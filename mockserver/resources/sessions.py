"""Managed Agents: sessions, their events, and each session's live event stream.

A session pins its agent's version at creation. Sending a `user.message` (or a tool result) runs
one agent turn at once through the Messages engine (`agent_turn.py`): the turn's events are stored
in order and any open stream of the session picks them up. Streams carry only events that arrive
after they open, as the API's do, and end when the session is deleted or after a bounded time.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, AsyncIterator

import orjson

from ..call import Call
from ..http.errors import invalid_request
from ..http.replies import BytesReply, JsonReply, Reply
from . import agent_turn
from .agents import agent_version, render_agent
from .paging import fetch, next_token, offset_page
from .services import archive_record, delete_with_children, open_services, store_of, stored
from .stamps import rfc3339
from .webhooks import emit

if TYPE_CHECKING:
    from ..state import AppState

STREAM_SECONDS = 300.0  # an open stream's longest life (a gone client's too); the SDK reconnects
POLL_SECONDS = 0.05
_TURN_STARTERS = frozenset({"user.message", "user.custom_tool_result", "user.tool_result",
                            "user.tool_confirmation"})


def handlers(state: AppState) -> dict[str, Any]:
    open_services(state)
    turn = agent_turn.turn_runner(state)
    closing: list[bool] = []
    state.closers.append(lambda: closing.append(True))  # open streams end before they touch a closed store

    def stream_events(call: Call) -> Reply:
        session = _session(call)
        seen = store_of(call).count("session_event", parent=session["id"])
        return BytesReply(_live(call, session["id"], seen, closing), "text/event-stream; charset=utf-8")

    async def send_events(call: Call) -> Reply:
        session = _session(call)
        if session["archived_at"] is not None:
            raise invalid_request(f"Session {session['id']} is archived.")
        events = call.body.get("events") or []
        _check_tool_results(call, session["id"], events)
        sent = [agent_turn.append_event(store_of(call), session["id"], event, call.received_at) for event in events]
        kinds = {event["type"] for event in sent}
        if "user.interrupt" in kinds:
            agent_turn.go_idle(store_of(call), session["id"], call.received_at, {"type": "end_turn"})
            emit(call, "session.status_idled", session["id"])
        elif kinds & _TURN_STARTERS:
            await turn(call, session)
        return JsonReply({"data": [agent_turn.render_event(event) for event in sent]})

    return {
        "beta_sessions_create": create_session,
        "beta_sessions_retrieve": retrieve_session,
        "beta_sessions_update": update_session,
        "beta_sessions_list": list_sessions,
        "beta_sessions_archive": archive_session,
        "beta_sessions_delete": delete_session,
        "beta_sessions_events_send": send_events,
        "beta_sessions_events_list": list_events,
        "beta_sessions_events_stream": stream_events,
    }


def create_session(call: Call) -> Reply:
    body, now = call.body, call.received_at
    pinned = body["agent"]
    agent_id = pinned if isinstance(pinned, str) else pinned.get("id", "")
    agent = stored_agent(call, agent_id)
    version = agent["version"] if isinstance(pinned, str) or pinned.get("version") is None else pinned["version"]
    snapshot = agent if version == agent["version"] else agent_version(call, agent_id, int(version))
    doc = {"agent": _session_agent(render_agent(snapshot)), "agent_id": agent_id,
           "environment_id": body.get("environment_id", ""), "title": body.get("title"),
           "metadata": body.get("metadata") or {}, "vault_ids": list(body.get("vault_ids") or []),
           "status": "idle", "created_at": now, "updated_at": now, "archived_at": None,
           "usage": {"input_tokens": 0, "output_tokens": 0, "cache_read_input_tokens": 0}}
    session = store_of(call).insert("session", doc, prefix="sesn_")
    emit(call, "session.created", session["id"])
    return JsonReply(render_session(session))


def retrieve_session(call: Call) -> Reply:
    return JsonReply(render_session(_session(call)))


def update_session(call: Call) -> Reply:
    session, body = _session(call), call.body

    def change(doc: dict[str, Any]) -> None:
        for name in ("title", "vault_ids"):
            if name in body:
                doc[name] = body[name]
        if isinstance(body.get("metadata"), dict):
            doc["metadata"] = {**doc["metadata"], **body["metadata"]}
        doc["updated_at"] = call.received_at

    return JsonReply(render_session(store_of(call).update("session", session["id"], change) or session))


def list_sessions(call: Call) -> Reply:
    where: dict[str, list[Any]] = {}
    if call.query.get("include_archived") not in (True, "true"):
        where["archived_at"] = [None]
    if call.query.get("agent_id"):
        where["agent_id"] = [call.query["agent_id"]]
    page = fetch(store_of(call), "session", call.query, where=where or None)
    return JsonReply({"data": [render_session(doc) for doc in page.items], "next_page": next_token(page)})


def archive_session(call: Call) -> Reply:
    session = archive_record(call, "session", _session(call))
    emit(call, "session.archived", session["id"])
    return JsonReply(render_session(session))


def delete_session(call: Call) -> Reply:
    session = _session(call)
    delete_with_children(call, "session", session, "session_event")
    emit(call, "session.deleted", session["id"])
    return JsonReply({"id": session["id"], "type": "session_deleted"})


def list_events(call: Call) -> Reply:
    session = _session(call)
    events = store_of(call).all("session_event", parent=session["id"])
    kinds = call.query.get("types[]") or call.query.get("types")
    if kinds:
        wanted = {kinds} if isinstance(kinds, str) else set(kinds)
        events = [event for event in events if event["type"] in wanted]
    if call.query.get("order") == "desc":
        events.reverse()
    page = offset_page(events, call.query)
    return JsonReply({**page, "data": [agent_turn.render_event(event) for event in page["data"]]})


async def _live(call: Call, session_id: str, seen: int, closing: list[bool]) -> AsyncIterator[bytes]:
    """The session's new events as SSE until it is deleted or the stream's time is up."""
    store = store_of(call)
    deadline = asyncio.get_running_loop().time() + STREAM_SECONDS
    yield b": stream open\n\n"
    while asyncio.get_running_loop().time() < deadline and not closing:
        if store.get("session", session_id) is None:
            return
        if store.count("session_event", parent=session_id) > seen:
            events = store.all("session_event", parent=session_id)[seen:]
            seen += len(events)
            yield b"".join(_sse(agent_turn.render_event(event)) for event in events)
        await asyncio.sleep(POLL_SECONDS)


def _sse(event: dict[str, Any]) -> bytes:
    return b"event: " + event["type"].encode() + b"\ndata: " + orjson.dumps(event) + b"\n\n"


def render_session(doc: dict[str, Any]) -> dict[str, Any]:
    return {"type": "session", "id": doc["id"], "agent": doc["agent"], "environment_id": doc["environment_id"],
            "title": doc["title"], "metadata": doc["metadata"], "vault_ids": doc["vault_ids"], "status": doc["status"],
            "resources": [], "outcome_evaluations": [], "usage": doc["usage"],
            "stats": {"active_seconds": 0.0, "duration_seconds": max(0.0, doc["updated_at"] - doc["created_at"])},
            "created_at": rfc3339(doc["created_at"]), "updated_at": rfc3339(doc["updated_at"]),
            "archived_at": rfc3339(doc["archived_at"])}


def stored_agent(call: Call, agent_id: str) -> dict[str, Any]:
    agent = store_of(call).get("agent", agent_id)
    if agent is None:
        raise invalid_request(f"agent: Agent {agent_id} not found")
    return agent


def _session_agent(agent: dict[str, Any]) -> dict[str, Any]:
    dropped = ("created_at", "updated_at", "archived_at", "metadata", "multiagent")
    return {key: value for key, value in agent.items() if key not in dropped}


def _check_tool_results(call: Call, session_id: str, events: list[dict[str, Any]]) -> None:
    """A custom tool result must answer one of this session's `agent.custom_tool_use` events."""
    for event in events:
        if event.get("type") == "user.custom_tool_result":
            used = store_of(call).get("session_event", event.get("custom_tool_use_id", ""), parent=session_id)
            if used is None or used["type"] != "agent.custom_tool_use":
                raise invalid_request(f"custom_tool_use_id: no agent.custom_tool_use event "
                                      f"'{event.get('custom_tool_use_id')}' in session {session_id}")


def _session(call: Call) -> dict[str, Any]:
    return stored(call, "session", "session_id", "Session")
