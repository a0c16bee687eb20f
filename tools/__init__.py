"""LangChain tools: thin, typed HTTP calls to the services with the caller's own key.

Each role has its own set; `tools_for_role` is the only way the agent gets tools, so a
tool outside the caller's role is never offered to the model nor executed.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.candidate import CANDIDATE_TOOLS
from tools.employer import EMPLOYER_TOOLS

ROLE_TOOLS: dict[str, list[BaseTool]] = {
    "candidate": CANDIDATE_TOOLS,
    "employer": EMPLOYER_TOOLS,
    # Admins act for their organisation's hiring side.
    "admin": EMPLOYER_TOOLS,
}


def tools_for_role(role: str) -> list[BaseTool]:
    return list(ROLE_TOOLS.get(role, []))
