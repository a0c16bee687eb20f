"""`clearview worker rewrite`: rewrite a resume towards a job (stream `cv:rewrite`).

The text comes from `api.rewrite.service` (the deterministic rewrite, or the agent's LLM
chain once installed), is validated against the source, and stored as a new version.
"""

from __future__ import annotations

from api.rewrite.service import compute, store
from api.tasks.execution import TaskWork

work = TaskWork("rewrite", compute, store)
handle = work.handle
on_dead_letter = work.on_dead_letter
