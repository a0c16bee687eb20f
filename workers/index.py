"""`clearview worker index`: re-index a resume or a batch of jobs (stream `cv:index`).

Uploads and job changes are indexed by the matching engine's hooks in the request that
made them; this worker serves explicit re-index tasks (an accepted rewrite, bulk jobs).
"""

from __future__ import annotations

from api.tasks.execution import TaskWork
from api.tasks.work import compute_index, open_index, store_index
from workers.base import StreamHandlers

work = TaskWork("index", compute_index, store_index)


def handlers() -> StreamHandlers:
    # The index is opened once before handlers run at once (see `workers.match`).
    return StreamHandlers(work.handle, work.on_dead_letter, prepare=open_index)
