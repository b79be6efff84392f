"""Plans a reply as drafts: thinking, server tool runs, tool calls, or the answer."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ..ids import new_id
from . import agent_loop, answers, citations, mcp, server_loop, server_tools, tools
from .context import EngineContext
from .conversation import Conversation, system_text, text_of
from .drafts import CALL, RESULT, Draft, text_draft
from .prompt_values import PromptFacts
from .thinking import thinking_drafts


@dataclass(slots=True)
class Reply:
    drafts: list[Draft] = field(default_factory=list)
    natural_stop: str = "end_turn"
    container: dict[str, Any] | None = None


def pending_programmatic(convo: Conversation) -> list[dict[str, Any]]:
    """tool_use blocks made from code execution that the last user turn answers."""
    if not convo.previous_assistant:
        return []
    answered = {b.get("tool_use_id") for b in convo.last_user if isinstance(b, dict) and b.get("type") == "tool_result"}
    return [b for b in convo.previous_assistant
            if isinstance(b, dict) and b.get("type") == "tool_use" and b.get("id") in answered
            and (b.get("caller") or {}).get("type", "direct") != "direct"]


def _first_step_server(convo: Conversation) -> list[dict[str, Any]]:
    """The server tools a several-step task's first step asks for ("search the web for X, then
    convert it"), unless a client tool is that step's: it names one, or is about one the later
    steps are not about."""
    steps = agent_loop.split_steps(convo)
    if steps is None:
        return []
    first, rest = steps
    for tool in convo.client_tools():
        if tools.named(tool, first) or (tools.mentions(tool, first) and not tools.mentions(tool, rest)):
            return []
    return server_tools.triggered(first)


def plan_reply(convo: Conversation, ctx: EngineContext, max_tokens: int) -> Reply:
    if max_tokens <= 0:
        return Reply(natural_stop="max_tokens")
    rng = ctx.rng
    reply = Reply(thinking_drafts(convo.request, convo.last_user_text, rng, max_tokens))
    echo = ctx.reply_mode == "echo"
    resumed = pending_programmatic(convo)
    if resumed:
        _resume_code_execution(convo, resumed, reply, ctx, echo)
        return reply
    if _continue_task(convo, reply, ctx):
        return reply
    plan = tools.plan(convo, server_tools.triggered(convo), _first_step_server(convo))
    runs_on = convo
    if agent_loop.continues_task(convo):  # server tools a several-step task left for after its client tools
        runs_on = agent_loop.task_of(convo)
        plan.server = agent_loop.pending_server(convo, runs_on, server_tools.triggered(runs_on))
    loop = server_loop.fetch_loop(plan.server, convo)
    if loop is not None:
        reply.drafts += server_loop.fetches(loop, rng, ctx.now)
        if loop.paused:
            reply.natural_stop = "pause_turn"
            return reply
        plan.server = [t for t in plan.server if t is not loop.tool]
    ran = server_tools.run(plan.server, runs_on, rng, ctx.now)
    reply.drafts += ran.drafts + mcp.run(convo, ctx.betas, rng)
    if ran.uses_container:
        reply.container = server_tools.container(convo.request, rng, ctx.now)
    if plan.calls_client_tools:
        _call_client_tools(convo, plan, reply, ctx)
    else:
        lead = _tool_result_lead(convo, rng) or _printed_lead(ran.printed) or _searched_lead(ran.searched)
        cited = ran.citations + citations.citations(convo, rng)
        reply.drafts += answers.answer(convo, rng, echo, lead, cited)
    return reply


def _call_client_tools(convo: Conversation, plan: tools.ToolPlan, reply: Reply, ctx: EngineContext) -> None:
    rng, topic = ctx.rng, convo.last_user_text
    names = [t.get("name", "") for t in plan.direct + plan.programmatic]
    if not plan.forced:
        reply.drafts.append(text_draft(tools.preamble(names, rng)))
    if plan.searched:
        search_tool = next(t for t in convo.server_tools() if (t.get("type") or "").startswith("tool_search_tool"))
        reply.drafts += server_tools.tool_search(plan.searched, search_tool, rng)
    max_tokens = convo.request.get("max_tokens")
    parallel = not (convo.request.get("tool_choice") or {}).get("disable_parallel_tool_use")
    context = system_text(convo.request)
    for tool in plan.direct:
        facts = tools.parallel_facts(tool, topic, context)
        for facts in facts if parallel else facts[:1]:
            reply.drafts.append(tools.tool_use_draft(tool, rng, topic, max_tokens=max_tokens, facts=facts))
    if plan.programmatic:
        reply.drafts += _programmatic_calls(convo, plan.programmatic, rng)
        reply.container = server_tools.container(convo.request, rng, ctx.now)
    reply.natural_stop = "tool_use"


def _programmatic_calls(convo: Conversation, chosen: list[dict[str, Any]], rng: random.Random) -> list[Draft]:
    runner = tools.code_execution_tool(convo, chosen[0].get("allowed_callers") or [])
    runner_type = (runner or {}).get("type", "code_execution_20250825")
    server_id = new_id("srvtoolu_", rng)
    calls = [tools.tool_use_draft(t, rng, convo.last_user_text, {"type": runner_type, "tool_id": server_id},
                                  convo.request.get("max_tokens")) for t in chosen]
    lines = [f"result_{i} = await {c.block['name']}({_kwargs(c.block['input'])})\nprint(result_{i})"
             for i, c in enumerate(calls)]
    use = {"type": "server_tool_use", "id": server_id, "name": "code_execution", "input": {"code": "\n".join(lines)},
           "caller": {"type": "direct"}}
    return [Draft(CALL, use, tools.call_tokens(use)), *calls]


def _kwargs(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in arguments.items() if k.isidentifier())


def _resume_code_execution(convo: Conversation, resumed: list[dict[str, Any]], reply: Reply,
                           ctx: EngineContext, echo: bool) -> None:
    results = [b for b in convo.last_user if isinstance(b, dict) and b.get("type") == "tool_result"]
    stdout = "".join(f"{text_of([r])[:200]}\n" for r in results)
    server_id = (resumed[0].get("caller") or {}).get("tool_id", "")
    reply.drafts.append(Draft(RESULT, server_tools.code_result(server_id, stdout), 0))
    reply.drafts += answers.answer(convo, ctx.rng, echo, "The script finished and returned its results.")
    reply.container = server_tools.container(convo.request, ctx.rng, ctx.now)


def _continue_task(convo: Conversation, reply: Reply, ctx: EngineContext) -> bool:
    """After tool results under tool_choice auto: the task's next calls, if it has any."""
    choice = convo.request.get("tool_choice") or {"type": "auto"}
    if not convo.answers_tools or choice.get("type", "auto") != "auto":
        return False
    task = agent_loop.task_of(convo)
    mentioned = [t for t in convo.client_tools() if tools.mentions(t, task)]
    calls = agent_loop.next_calls(convo, mentioned)[: 1 if choice.get("disable_parallel_tool_use") else None]
    if not calls:
        return False
    reply.drafts.append(text_draft(tools.preamble([t.get("name", "") for t, _ in calls], ctx.rng)))
    max_tokens = convo.request.get("max_tokens")
    reply.drafts += [tools.tool_use_draft(t, ctx.rng, task.last_user_text, max_tokens=max_tokens, fixed=fixed)
                     for t, fixed in calls]
    reply.natural_stop = "tool_use"
    return True


def _searched_lead(queries: list[str]) -> str | None:
    return f"Here is what I found about {queries[0]}." if queries else None


def _printed_lead(printed: list[str]) -> str | None:
    return f"The code printed {printed[0]}." if printed and printed[0] else None


def _tool_result_lead(convo: Conversation, rng: random.Random) -> str | None:
    """The answer's first words after tool results: it quotes them, or owns up to an error."""
    results = agent_loop.results(convo)
    if not results:
        return None
    names = {b.get("id"): b.get("name") for b in convo.previous_assistant
             if isinstance(b, dict) and b.get("type") == "tool_use"}
    failed = agent_loop.failed(convo)
    if failed:
        name = names.get(failed[0].get("tool_use_id")) or "tool"
        return (f"The {name} tool reported an error: \"{agent_loop.quote(failed[0])}\". "
                "I could not complete that step, so the answer below may be incomplete.")
    quoted = "; ".join(f"{names.get(r.get('tool_use_id')) or 'the tool'} returned \"{agent_loop.quote(r)}\""
                       for r in results[:4])
    subject = PromptFacts.of(agent_loop.task_of(convo).last_user_text).subject()
    about = f" for {subject}" if subject else ""
    return rng.choice((f"Based on the results{about}, {quoted}.", f"Here is what came back{about}: {quoted}.",
                       f"The tools have answered{about}: {quoted}."))
