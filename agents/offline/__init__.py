"""The offline model: a deterministic LangChain chat model that runs every flow at zero cost.

With no LLM endpoint configured, the same graph runs on this model. It reads the
conversation like an agent would:

1. the latest user message is mapped to one of the bound tools, by intent rules first and
   by embedding similarity to example phrasings second (`ingest.embeddings`);
2. the arguments are filled from the message and the conversation (a job named by rank,
   title or id in an earlier result; the action a confirmation answers);
3. once tool results arrive, the answer is rendered from them with fixed templates.

It is part of the product, not a test double: the same input always gives the same reply.

The package: `spec` holds one entry per tool (intent rules and examples, argument filler,
renderer, step label); `intents` picks the tool, `conversation` reads the turn,
`arguments` and `answers` hold the per-tool functions the entries point at, `model` is the
LangChain chat model.
"""

from agents.offline.intents import pick_tool
from agents.offline.model import OfflineChatModel, render, warm_up
from agents.offline.spec import SPECS, ToolSpec, tool_label

__all__ = ["SPECS", "OfflineChatModel", "ToolSpec", "pick_tool", "render", "tool_label", "warm_up"]
