"""`clearview worker match`: jobs for a resume, candidates for a job (stream `cv:match`).

Thin: the task lifecycle is `api.tasks.execution.TaskWork`, the work itself the matching
engine's service (`api.tasks.work`).
"""

from __future__ import annotations

from api.tasks.execution import TaskWork
from api.tasks.work import compute_matches, store_matches

work = TaskWork("match", compute_matches, store_matches)
handle = work.handle
on_dead_letter = work.on_dead_letter
