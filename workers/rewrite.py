"""`clearview worker rewrite`: rewrite a resume for a job as a new version (stream
`cv:rewrite`).

The text comes from the rewriter the composition root passes in (the agent's LLM chain
when an endpoint is configured, else the deterministic rewrite); either way it is
validated against the source and stored as a new version (`api.rewrite.service`).
"""

from __future__ import annotations

from functools import partial

from api.rewrite.service import RewriteChain, Rewritten, compute, store
from api.tasks.execution import TaskWork
from workers.base import StreamHandlers


def work(rewriter: RewriteChain) -> TaskWork[Rewritten]:
    return TaskWork("rewrite", partial(compute, rewriter=rewriter), store)


def handlers(rewriter: RewriteChain) -> StreamHandlers:
    rewrites = work(rewriter)
    return StreamHandlers(rewrites.handle, rewrites.on_dead_letter)
