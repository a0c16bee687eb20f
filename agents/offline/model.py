"""The offline chat model: picks a tool, fills its arguments, renders its result, all
from the tool specifications (`agents.offline.spec`)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage, ToolCall, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import Field

from agents.offline.answers import HELP
from agents.offline.conversation import NO_RE, NeedsFirst, Turn, Unclear, artifact, message_text
from agents.offline.intents import examples, pick_tool
from agents.offline.spec import SPEC_BY_NAME, SPECS
from tools.base import is_confirmation


def render(message: ToolMessage) -> str:
    data = artifact(message)
    if data.get("confirmation_required"):
        return f'{data.get("question")} Reply "yes" to confirm or "no" to cancel.'
    if "error" in data:
        return f"I couldn't do that: {data['error']}"
    spec = SPEC_BY_NAME.get(message.name or "")
    return spec.render(data) if spec else message_text(message)


def _call(name: str, args: dict[str, Any]) -> ToolCall:
    return ToolCall(name=name, args=args, id=f"call_{uuid.uuid4().hex[:12]}", type="tool_call")


class OfflineChatModel(BaseChatModel):
    """Deterministic chat model: tools chosen by intent, answers rendered from results."""

    tool_names: list[str] = Field(default_factory=list, description="names of bound tools")
    role: str = Field("candidate", description="whose help text to show")
    use_embeddings: bool = Field(True, description="embedding fallback when no rule fires")

    @property
    def _llm_type(self) -> str:
        return "clearview-offline"

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        names = [convert_to_openai_tool(t)["function"]["name"] for t in tools]
        return self.model_copy(update={"tool_names": names})

    def decide(self, messages: Sequence[BaseMessage]) -> AIMessage:
        turn = Turn.read(messages)
        allowed = set(self.tool_names)
        try:
            calls = self._next_calls(turn, allowed)
        except Unclear as unclear:
            return AIMessage(content=unclear.question)
        if calls:
            return AIMessage(content="", tool_calls=calls)
        if turn.results:
            return AIMessage(content="\n\n".join(render(m) for m in turn.results))
        return AIMessage(content=HELP.get(self.role, HELP["employer"]))

    def _next_calls(self, turn: Turn, allowed: set[str]) -> list[ToolCall]:
        pending = turn.pending_confirmation() if not turn.results else None
        if pending and pending.get("action") in allowed:
            if is_confirmation(turn.user):
                return [_call(pending["action"], {**pending.get("args", {}), "confirmed": True})]
            if NO_RE.match(turn.user):
                raise Unclear("OK, I left everything as it was.")
        tool = pick_tool(turn.user, allowed, use_embeddings=self.use_embeddings)
        if tool is None or tool in turn.called():
            return []
        try:
            args = SPEC_BY_NAME[tool].arguments(turn)
        except NeedsFirst as first:
            if first.tool in turn.called() or first.tool not in allowed:
                return []
            return [_call(first.tool, first.call_args)]
        return [_call(tool, args)]

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self.decide(messages))])


def warm_up() -> None:
    """Embed the example phrasings now rather than in the first user's turn."""
    vectors: np.ndarray = examples().vectors
    assert vectors.shape[0] == sum(len(s.examples) for s in SPECS)
