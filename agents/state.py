"""The graph state: the conversation, checkpointed per (user, conversation), masked, with
the vault that restores it sealed beside it (`agents.safety.PiiVault.sealed`)."""

from __future__ import annotations

from typing import Annotated, NotRequired

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict


class State(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]
    vault: NotRequired[str]
