"""The assistant's graph: a model node and one tool node per role.

    START -> agent -(tool calls)-> candidate_tools | employer_tools -> agent -> ... -> END

The tool node is chosen from the caller's role in the runtime context, so a tool call
for another role's tool (a model tricked by a document) finds no such tool and fails
there, before any HTTP call. The same graph runs on an LLM or on the offline model.

The conversation is stored masked, with its vault (`agents.safety.PiiVault`) sealed in
the state: nodes restore what must act on real values (the tools' arguments, the offline
model's reading) and mask what they add before it is stored.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Literal

from langchain_core.messages import AIMessage, AnyMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.runtime import Runtime

from agents.budget import ResponseCache, TokenBudget, cache_key
from agents.context import Context
from agents.model import chat_model, estimate_cost, llm_configured, model_name
from agents.prompts import system_prompt
from agents.routing import offline_step, request_tokens
from agents.safety import PiiVault, scrub_reply
from agents.state import State
from core.settings import Settings, get_settings
from tools import ROLE_TOOLS, tools_for_role
from tools.client import ServiceError

log = logging.getLogger(__name__)

BUDGET_SPENT = (
    "You have used today's AI allowance. It renews at midnight UTC. Until then I can still "
    "help once an administrator raises the limit, or you can use the resume and job pages."
)
ToolNodeName = Literal["candidate_tools", "employer_tools"]


def _tool_node_name(role: str) -> ToolNodeName:
    return "candidate_tools" if role == "candidate" else "employer_tools"


def conversation_vault(state: State, context: Context) -> PiiVault:
    """The conversation's vault: the turn's (`Assistant.stream_turn` opens it before the
    turn, to mask the user's message), else the one sealed in the state."""
    if context.vault is None:
        context.vault = PiiVault.opened(state.get("vault"))
    return context.vault


async def agent(state: State, runtime: Runtime[Context]) -> dict[str, Any]:
    """One model step: a tool call, or the answer (stored masked)."""
    settings = get_settings()
    context = runtime.context
    vault = conversation_vault(state, context)
    tools = tools_for_role(context.role)
    messages: list[AnyMessage] = [SystemMessage(system_prompt(context.role)), *state["messages"]]
    # The offline model reads the real values, as the user wrote them; the LLM the masked.
    readable = [vault.restore(message) for message in messages]
    if not llm_configured(settings):
        model = chat_model(settings, role=context.role).bind_tools(tools)
        answer = await model.ainvoke(readable)
    elif (
        settings.llm_route_offline
        and (step := await offline_step(readable, context.role, tools)) is not None
    ):
        await _record_llm_call_avoided(context, request_tokens(messages, tools))
        answer = step
    else:
        answer = await _llm_step(settings, context, vault.mask(messages), tools)
    (stored,) = vault.mask([answer])
    return {"messages": [stored], "vault": vault.sealed()}


def tool_node(tools: list[BaseTool]) -> Any:
    """The role's tools, acting on the real values of the masked tool calls; their
    answers are stored masked."""
    run_tools = ToolNode(tools)

    async def call_tools(
        state: State, config: RunnableConfig, runtime: Runtime[Context]
    ) -> dict[str, Any]:
        vault = conversation_vault(state, runtime.context)
        restored = [vault.restore(message) for message in state["messages"]]
        out = await run_tools.ainvoke({**state, "messages": restored}, config)
        answers = [
            vault.mask_tool_result(message) if isinstance(message, ToolMessage) else message
            for message in out["messages"]
        ]
        return {"messages": answers, "vault": vault.sealed()}

    return call_tools


async def _llm_step(
    settings: Settings, context: Context, masked: list[AnyMessage], tools: list[BaseTool]
) -> AIMessage:
    """An LLM call on the masked conversation, with the budget, the cache and cost
    accounting around it. The answer is as the model wrote it (placeholders)."""
    user_id = context.identity.user_id
    budget = TokenBudget(settings.llm_daily_tokens)
    if await budget.exhausted(user_id):
        return AIMessage(content=BUDGET_SPENT)
    model = model_name(settings, "chat")
    cache = ResponseCache(settings.llm_cache_ttl_s)
    key = cache_key(model, masked, [t.name for t in tools])
    cached = await cache.get(key)
    if cached is not None:
        return _safe(cached)
    started = time.perf_counter()
    response = await chat_model(settings, "chat").bind_tools(tools).ainvoke(masked)
    assert isinstance(response, AIMessage)
    elapsed_ms = (time.perf_counter() - started) * 1000
    usage: dict[str, Any] = dict(response.usage_metadata or {})
    # Servers that stream no usage still cost tokens: estimate ~4 characters per token.
    tokens_in = int(usage.get("input_tokens") or sum(len(str(m.content)) for m in masked) // 4)
    tokens_out = int(usage.get("output_tokens") or len(str(response.content)) // 4 + 1)
    context.llm_tokens += tokens_in + tokens_out
    await budget.spend(user_id, tokens_in + tokens_out)
    await _record_llm_call(context, model, tokens_in, tokens_out, elapsed_ms)
    await cache.put(key, response)
    return _safe(response)


def _safe(message: AIMessage) -> AIMessage:
    if isinstance(message.content, str):
        return message.model_copy(update={"content": scrub_reply(message.content)})
    return message


async def _record_llm_call(
    context: Context, model: str, tokens_in: int, tokens_out: int, elapsed_ms: float
) -> None:
    """Tokens and estimated cost, into the metrics service (under the caller's org)."""
    event = {
        "name": "llm_call",
        "duration_ms": round(elapsed_ms, 2),
        "tokens_in": tokens_in,
        "tokens_out": tokens_out,
        "cost_usd": estimate_cost(model, tokens_in, tokens_out),
        "attributes": {"model": model, "purpose": "chat"},
    }
    try:
        await context.services.post("/api/v1/metrics/events", event)
    except ServiceError as exc:
        # Losing one usage row must not lose the user's answer.
        log.warning("llm_call not recorded: %s", exc.detail)


async def _record_llm_call_avoided(context: Context, tokens_in: int) -> None:
    """A step the offline model took instead of the LLM, with the input tokens it saved."""
    event = {"name": "llm_call_avoided", "tokens_in": tokens_in, "attributes": {"purpose": "chat"}}
    try:
        await context.services.post("/api/v1/metrics/events", event)
    except ServiceError as exc:
        log.warning("llm_call_avoided not recorded: %s", exc.detail)


def route(state: State, runtime: Runtime[Context]) -> ToolNodeName | Literal["__end__"]:
    if tools_condition(dict(state)) == END:
        return "__end__"
    return _tool_node_name(runtime.context.role)


def build_graph(
    checkpointer: BaseCheckpointSaver[str] | None = None,
) -> CompiledStateGraph[Any, Context, Any, Any]:
    builder = StateGraph(State, context_schema=Context)
    builder.add_node("agent", agent)
    builder.add_node("candidate_tools", tool_node(ROLE_TOOLS["candidate"]))
    builder.add_node("employer_tools", tool_node(ROLE_TOOLS["employer"]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", route)
    builder.add_edge("candidate_tools", "agent")
    builder.add_edge("employer_tools", "agent")
    return builder.compile(checkpointer=checkpointer, name="clearview")


# For LangGraph's own tools (`langgraph.json`); they bring their own checkpointer.
graph = build_graph()
