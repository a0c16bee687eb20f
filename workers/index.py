"""`clearview worker index`: re-index a resume or a batch of jobs (stream `cv:index`).

Uploads and job changes are indexed by the matching engine's hooks in the request that
made them; this worker serves explicit re-index tasks (an accepted rewrite, bulk jobs).
"""

from __future__ import annotations

from api.tasks.execution import TaskWork
from api.tasks.work import compute_index, open_index, store_index

work = TaskWork("index", compute_index, store_index)


async def prepare() -> None:
    """Open the vector index once before handlers run at once (see `workers.match`)."""
    await open_index()


handle = work.handle
on_dead_letter = work.on_dead_letter
