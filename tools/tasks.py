"""Following background work: a task's status and, once it succeeded, its result.

The chat never needs this tool: a finished task is announced in the conversation that
started it. A client that cannot be notified (an MCP client) reads results with it.
"""

from __future__ import annotations

from typing import Any

from langchain_core.tools import BaseTool, tool

from tools.base import Runtime, ToolOutput, delimit, output, service_errors
from tools.client import ServiceClient

TASKS = "/api/v1/tasks"
# The tasks API ranks up to this many items; direct searches stop at 20.
MAX_BACKGROUND_MATCHES = 100
REPORT_DOWNLOAD = "/api/v1/reports/tasks/{task_id}/download"


async def task_with_result(services: ServiceClient, task_id: str) -> dict[str, Any]:
    """The task as the tasks service shows it to this caller, with its result once it
    succeeded (ranked matches, a rewritten version and its diff, a report's data)."""
    task = await services.get(f"{TASKS}/{task_id}")
    answer: dict[str, Any] = {"task": task, "result": None}
    if task.get("status") != "succeeded":
        return answer
    result = await services.get(f"{TASKS}/{task_id}/result")
    if result.get("diff"):
        result["diff"] = delimit("diff", str(result["diff"]))
    if task.get("kind") == "report":
        result["report"] = await services.get(
            REPORT_DOWNLOAD.format(task_id=task_id), format="json"
        )
    answer["result"] = result
    return answer


async def start_task(
    runtime: Runtime, kind: str, path: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Submit background work for the conversation, and announce it (the chat shows it
    started and posts its result when done); answers the task (`task_id`, `status_url`)."""
    task = await runtime.context.services.post(
        path, {**body, "chat_session_id": runtime.context.conversation_id}
    )
    runtime.stream_writer({"type": "task", "kind": kind, **task})
    return dict(task)


@tool(response_format="content_and_artifact")
@service_errors
async def get_task_result(task_id: str, runtime: Runtime) -> ToolOutput:
    """The status of background work started earlier (a resume rewrite, a report, a match
    over many items) and, once it succeeded, its result. Status is queued, running,
    succeeded, failed or cancelled; while it is queued or running, tell the user it is
    not ready yet and check again later.

    Args:
        task_id: the task_id a previous tool answered when it started the work.
    """
    return output(await task_with_result(runtime.context.services, task_id))


TASK_TOOLS: list[BaseTool] = [get_task_result]
