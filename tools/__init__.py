"""LangChain tools: thin, typed HTTP calls to the services with the caller's own key.

Each role has its own set; `tools_for_role` is the only way the agent gets tools, so a
tool outside the caller's role is never offered to the model nor executed.
"""

from __future__ import annotations

from langchain_core.tools import BaseTool

from tools.alerts import ALERT_TOOLS
from tools.candidate import CANDIDATE_TOOLS
from tools.careers import CANDIDATE_CAREER_TOOLS, EMPLOYER_CAREER_TOOLS
from tools.contacts import CANDIDATE_CONTACT_TOOLS, EMPLOYER_CONTACT_TOOLS
from tools.employer import EMPLOYER_TOOLS
from tools.reports import CANDIDATE_REPORT_TOOLS, EMPLOYER_REPORT_TOOLS
from tools.writing import CANDIDATE_WRITING_TOOLS, EMPLOYER_WRITING_TOOLS

_CANDIDATE: list[BaseTool] = [
    *CANDIDATE_TOOLS,
    *ALERT_TOOLS,
    *CANDIDATE_REPORT_TOOLS,
    *CANDIDATE_CONTACT_TOOLS,
    *CANDIDATE_CAREER_TOOLS,
    *CANDIDATE_WRITING_TOOLS,
]
_EMPLOYER: list[BaseTool] = [
    *EMPLOYER_TOOLS,
    *EMPLOYER_REPORT_TOOLS,
    *EMPLOYER_CONTACT_TOOLS,
    *EMPLOYER_CAREER_TOOLS,
    *EMPLOYER_WRITING_TOOLS,
]
ROLE_TOOLS: dict[str, list[BaseTool]] = {
    "candidate": _CANDIDATE,
    "employer": _EMPLOYER,
    # Admins act for their organisation's hiring side.
    "admin": _EMPLOYER,
}


def tools_for_role(role: str) -> list[BaseTool]:
    return list(ROLE_TOOLS.get(role, []))
