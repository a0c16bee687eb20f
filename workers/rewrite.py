"""`clearview worker rewrite`: rewrite a resume towards a job (stream `cv:rewrite`).

The text comes from the agent's LLM chain when an endpoint is configured, else from the
deterministic rewrite; either way it is validated against the source and stored as a new
version (`api.rewrite.service`).
"""

from __future__ import annotations

from agents.model import llm_configured
from agents.rewrite_chain import rewrite_with_llm
from api.rewrite.rewriter import JobTarget
from api.rewrite.service import compute, deterministic_chain, store, use_rewriter
from api.tasks.execution import TaskWork
from core.settings import get_settings


async def rewrite(source_text: str, job: JobTarget) -> str:
    """The configured model rewrites when there is one; the offline rewrite otherwise."""
    if llm_configured(get_settings()):
        return await rewrite_with_llm(source_text, job)
    return await deterministic_chain(source_text, job)


use_rewriter(rewrite)
work = TaskWork("rewrite", compute, store)
handle = work.handle
on_dead_letter = work.on_dead_letter
