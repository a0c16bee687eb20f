"""With an LLM configured, the requests the offline model reads with certainty as a lookup
(a search, a list, a status, a report) are answered without an LLM call: the LLM would
only pick the same tool and read its result back, at the cost of two calls.

A request is routed when the offline reading is sure (`intents.SURE`) and every tool it
calls neither changes data nor asks for judgement or writing (`ToolSpec.writes`,
`ToolSpec.llm_writes`): those, and everything the offline model is unsure of, go to the
LLM. The routed turn stays offline while it only looks things up (the offline model
renders the results it asked for), marked in the message's metadata so that the next step
knows; when a lookup leads on to a write or to writing (the job a rewrite is for), the LLM
takes the turn over with the lookup's result in its history.
`bench/understanding.py` measures the share routed, how often a routed tool is the one
the request meant, and the LLM tokens saved.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agents.offline import OfflineChatModel
from agents.offline.intents import SURE
from agents.offline.spec import SPEC_BY_NAME

# In `AIMessage.response_metadata` of the steps the offline model took for an LLM turn.
ROUTED = "routed_offline"


def _lookups_only(message: AIMessage) -> bool:
    specs = [SPEC_BY_NAME.get(call["name"]) for call in message.tool_calls]
    return all(spec is not None and not spec.writes and not spec.llm_writes for spec in specs)


def routable(message: AIMessage) -> bool:
    """True when the offline model's step for a new request can stand for the LLM's."""
    understanding = message.response_metadata.get("understanding") or {}
    if not message.tool_calls or float(understanding.get("confidence", 0.0)) < SURE:
        return False
    return _lookups_only(message)


def _last_step(messages: Sequence[BaseMessage]) -> AIMessage | None:
    return next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)


async def offline_step(
    messages: Sequence[BaseMessage], role: str, tools: Sequence[BaseTool]
) -> AIMessage | None:
    """The offline model's step when this turn is (or becomes) routed; None: ask the LLM."""
    last = messages[-1] if messages else None
    model = OfflineChatModel(role=role).bind_tools(tools)
    if isinstance(last, HumanMessage):
        step = await model.ainvoke(list(messages))
        if not routable(step):
            return None
    elif isinstance(last, ToolMessage):
        previous = _last_step(messages)
        if previous is None or not previous.response_metadata.get(ROUTED):
            return None
        step = await model.ainvoke(list(messages))
        if not _lookups_only(step):  # a lookup that led to a write or to writing
            return None
    else:
        return None
    step.response_metadata[ROUTED] = True
    return step


def request_tokens(messages: Sequence[BaseMessage], tools: Sequence[BaseTool]) -> int:
    """The input tokens of the LLM request a routed step saved, estimated like unmetered
    LLM calls are (about four characters a token): its messages and its tool schemas."""
    schemas = json.dumps([convert_to_openai_tool(tool) for tool in tools])
    return (sum(len(str(m.content)) for m in messages) + len(schemas)) // 4
