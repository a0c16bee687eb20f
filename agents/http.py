"""`POST /api/v1/chat`: the assistant over HTTP (registered by the composition root).

The caller is authenticated by the identity service over HTTP, like every tool call, so
the chat service can run alone and the agent package never reaches into the services.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field

from agents.chat import Assistant
from agents.checkpointer import open_checkpointer
from agents.context import Identity
from agents.model import mode
from agents.offline import warm_up
from core.errors import RateLimited, Unauthorized, Unavailable
from core.settings import get_settings
from tools.client import ServiceClient, ServiceError

log = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """One assistant per process: its checkpointer connection and pooled HTTP client."""
    settings = get_settings()
    async with (
        open_checkpointer(settings) as saver,
        httpx.AsyncClient(timeout=httpx.Timeout(60.0, connect=5.0)) as http,
    ):
        default_url = str(settings.services_url).rstrip("/") if settings.services_url else ""
        app.state.assistant = assistant = Assistant(saver, http, default_url)
        if mode(settings) == "offline":
            # The offline model loads now (off the loop), not in the first caller's turn.
            await asyncio.to_thread(warm_up)
        yield
        await assistant.drain()  # the last turns' metric events, before the client closes


router = APIRouter(prefix="/api/v1", tags=["chat"], lifespan=lifespan)
bearer = HTTPBearer(auto_error=False, scheme_name="ApiKey")


class ChatIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"conversation_id": "c-42", "message": "Which jobs match my resume best?"}]
        }
    )

    conversation_id: str | None = Field(
        None,
        min_length=1,
        max_length=100,
        pattern=r"^[\w.:-]+$",
        description="your conversation; omit to start a new one",
    )
    message: str = Field(min_length=1, max_length=20_000)


class ChatResult(BaseModel):
    kind: str = Field(
        description="jobs, candidates, match, critique, resume, rewrite, task, funnel, "
        "contact_requests, answer (a career answer: its `sources` name O*NET, ESCO or "
        '"N jobs on ClearView") or status'
    )
    tool: str = Field(description="the tool that produced the items")
    items: list[dict[str, Any]] = Field(
        description="the items the chat showed, as the service returned them"
    )


class ChatOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": "c-42",
                    "reply": "Here are the jobs that match your resume best: ...",
                    "tasks": [],
                    "mode": "offline",
                    "language": "en",
                    "results": [
                        {
                            "kind": "jobs",
                            "tool": "find_matching_jobs",
                            "items": [
                                {
                                    "job_id": "5f0c...",
                                    "title": "Data Engineer",
                                    "location": "Berlin, Germany",
                                    "score": 0.82,
                                    "matched_skills": ["Python", "SQL"],
                                    "missing_required": ["Spark"],
                                }
                            ],
                        }
                    ],
                }
            ]
        }
    )

    conversation_id: str
    reply: str
    tasks: list[dict[str, Any]] = Field(description="background work started by this turn")
    mode: str = Field(description="llm: a configured model answered; offline: the local model")
    language: str | None = Field(
        default=None,
        description="the language the offline model answered in (ISO 639-1: en, de, fr, es); "
        "null when an LLM answered",
    )
    results: list[ChatResult] = Field(
        default_factory=list, description="what the turn's tools returned, as the chat showed it"
    )


def _services_url(request: Request, assistant: Assistant) -> str:
    """Configured, or else the server that received this request (the all-in-one mode)."""
    if assistant.services_url:
        return assistant.services_url
    server = request.scope.get("server")
    if server and server[1]:
        return f"{request.url.scheme}://{server[0]}:{server[1]}"
    return str(request.base_url).rstrip("/")


async def _identity(services: ServiceClient, key: str) -> Identity:
    try:
        me = await services.get("/api/v1/me")
    except ServiceError as exc:
        if exc.status == 401:
            raise Unauthorized(exc.detail, headers={"WWW-Authenticate": "Bearer"}) from None
        if exc.status == 429:
            raise RateLimited(exc.detail) from None
        raise Unavailable(f"the identity service did not answer: {exc.detail}") from None
    return Identity(user_id=me["user_id"], org_id=me["org_id"], role=me["role"], api_key=key)


async def _api_key(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    # A dependency, so a request without a key answers 401 before its body is validated.
    if credentials is None:
        raise Unauthorized(
            "missing API key; send `Authorization: Bearer <key>`",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return credentials.credentials


@router.post("/chat", response_model=ChatOut)
async def chat(body: ChatIn, request: Request, key: Annotated[str, Depends(_api_key)]) -> ChatOut:
    """Talk to the assistant; your role and organisation come from your API key."""
    assistant: Assistant = request.app.state.assistant
    base = _services_url(request, assistant)
    identity = await _identity(assistant.services_for_key(key, base), key)
    conversation_id = body.conversation_id or uuid.uuid4().hex
    final = await assistant.run_turn(identity, conversation_id, body.message, services_url=base)
    return ChatOut(
        conversation_id=conversation_id,
        reply=final["text"],
        tasks=final["tasks"],
        mode=final["mode"],
        language=final.get("language"),
        results=[ChatResult(**r) for r in final["results"]],
    )
