"""`clearview worker report`: generate a long report in the background (stream
`cv:report`) and store it for download; the notify worker then tells the chat.

Thin: the lifecycle is `api.tasks.execution.TaskWork`, the work `api.reports.work`.
"""

from __future__ import annotations

from api.reports.work import compute_report, store_report
from api.tasks.execution import TaskWork
from workers.base import StreamHandlers

work = TaskWork("report", compute_report, store_report)


def handlers() -> StreamHandlers:
    return StreamHandlers(work.handle, work.on_dead_letter)
