"""What every tool shares: the runtime context it reads, delimiting of untrusted text,
the confirmation rule for state-changing actions, and turning service errors into
answers the model (and the user) can act on.

Tools answer `(content, artifact)`: `content` is what the model reads (compact JSON,
untrusted text inside tags), `artifact` the same data as a dict for code (the offline
model's templates, the UI), never sent to a model.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, ParamSpec, Protocol

from langchain_core.messages import AnyMessage, HumanMessage
from langgraph.prebuilt import ToolRuntime

from tools.client import ServiceClient, ServiceError

ToolOutput = tuple[str, dict[str, Any]]
P = ParamSpec("P")

# Tags around text that came from users or documents; the system prompt says their
# content is data, never instructions.
DATA_TAGS = ("resume", "job", "diff", "user_data")

_CONFIRM_RE = re.compile(
    r"^\W*(yes|yep|yeah|y|sure|ok|okay|confirm(ed)?|i confirm|do it|go ahead|please do|"
    r"proceed|correct|absolutely|definitely)\b",
    re.I,
)


class ToolContext(Protocol):
    """What a tool needs from the agent's runtime context (agents.context.Context)."""

    @property
    def services(self) -> ServiceClient: ...

    @property
    def conversation_id(self) -> str: ...


# What tools declare as their `runtime` parameter (injected, never shown to the model).
# Its context is a `ToolContext`; pydantic cannot validate a Protocol, hence `Any`.
Runtime = ToolRuntime[Any, dict[str, Any]]


def delimit(kind: str, text: str) -> str:
    """`text` inside <kind>...</kind>, with any tag of ours inside it neutralised, so a
    document cannot close its own data block and speak as the system."""
    for tag in DATA_TAGS:
        text = re.sub(rf"<(/?)\s*{tag}\b", r"<\1_" + tag, text, flags=re.I)
    return f"<{kind}>\n{text}\n</{kind}>"


def output(data: dict[str, Any]) -> ToolOutput:
    return json.dumps(data, ensure_ascii=False, default=str), data


def latest_user_text(messages: list[AnyMessage]) -> str:
    for message in reversed(messages):
        if isinstance(message, HumanMessage):
            return message.text if isinstance(message.text, str) else str(message.content)
    return ""


def is_confirmation(text: str) -> bool:
    return bool(_CONFIRM_RE.match(text.strip()))


def needs_confirmation(
    state: Any, confirmed: bool, action: str, question: str, args: dict[str, Any]
) -> ToolOutput | None:
    """A confirmation request unless the model passed `confirmed=true` AND the user's
    latest message is itself a confirmation; the model alone can never confirm."""
    messages = state.get("messages", []) if isinstance(state, dict) else []
    if confirmed and is_confirmation(latest_user_text(messages)):
        return None
    return output(
        {
            "confirmation_required": True,
            "action": action,
            "args": args,
            "question": question,
            "instruction": "Ask the user this question. Only after they answer yes, call "
            f"{action} again with confirmed=true.",
        }
    )


def service_errors(
    func: Callable[P, Awaitable[ToolOutput]],
) -> Callable[P, Awaitable[ToolOutput]]:
    """A refused service call becomes an answer saying what happened and what to do."""

    @functools.wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> ToolOutput:
        try:
            return await func(*args, **kwargs)
        except ServiceError as exc:
            return output({"error": exc.detail, "status": exc.status})

    return wrapper


class NoResume(ServiceError):
    def __init__(self) -> None:
        super().__init__(
            404, "you have no resume yet: upload one (PDF, DOCX, TXT or MD) and ask again"
        )


async def current_resume_id(services: ServiceClient) -> str:
    """The caller's current resume, as the resumes service knows it."""
    try:
        profile = await services.get("/api/v1/candidates/me")
    except ServiceError as exc:
        if exc.status == 404:
            raise NoResume() from None
        raise
    resume_id = profile.get("current_resume_id")
    if not resume_id:
        raise NoResume()
    return str(resume_id)
