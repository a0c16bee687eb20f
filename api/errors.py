"""One error format for every service: `{"error": "<code>", "detail": "<what to do>"}`.

Domain errors (`core.errors.ClearViewError`) carry their own status; validation errors
name the offending field; Starlette's own HTTP errors (unknown route, wrong method, body
too large) are rendered the same way, so a client parses exactly one shape.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import ClearViewError

logger = logging.getLogger(__name__)

# Codes for errors raised by Starlette/FastAPI themselves rather than by our code.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
    503: "unavailable",
}


class ErrorBody(BaseModel):
    """The body of every error response."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"error": "not_found", "detail": "job 3f2a... not found"}]}
    )

    error: str
    detail: str


def error_response(
    status_code: int, error: str, detail: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"error": error, "detail": detail}, status_code=status_code, headers=headers
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    # ("body", "jobs", 3, "title") -> "jobs[3].title"; the "body"/"query" root says where.
    parts: list[str] = []
    for part in loc[1:] if len(loc) > 1 else loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + str(part))
    name = "".join(parts)
    return f"{loc[0]} field `{name}`" if len(loc) > 1 else str(loc[0])


def describe_validation_error(exc: RequestValidationError) -> str:
    messages = [f"{_field_name(err.get('loc', ()))}: {err.get('msg')}" for err in exc.errors()]
    return "; ".join(messages) or "invalid request"


def domain_error_response(exc: ClearViewError) -> JSONResponse:
    """The response for one of our own errors (also sent by ASGI layers before routing)."""
    return error_response(exc.status_code, exc.error, exc.detail, exc.headers)


async def _clearview_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ClearViewError)
    return domain_error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, "validation_error", describe_validation_error(exc))


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, detail, dict(exc.headers or {}) or None)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log (which never holds request bodies); the client gets
    # a message it can act on instead of a stack trace.
    logger.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal_error", "unexpected server error; try again later")


# How long a client should wait before retrying after a busy database.
BUSY_RETRY_AFTER_S = 2


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # SQLite's "database is locked" (another writer held it past the busy timeout) and
    # PostgreSQL's lock or statement timeouts are a busy server, not a broken request.
    assert isinstance(exc, OperationalError)
    message = str(exc.orig).lower()
    if "locked" in message or "busy" in message or "timeout" in message:
        return error_response(
            503,
            "unavailable",
            f"the database is busy; retry in {BUSY_RETRY_AFTER_S} s",
            {"Retry-After": str(BUSY_RETRY_AFTER_S)},
        )
    return await _unexpected_error(request, exc)


async def _redis_error(_request: Request, exc: Exception) -> JSONResponse:
    # Redis lost or not answering within `redis_request_timeout_s` (`core.redis.bounded`):
    # a busy server too; the client retries rather than reporting a bug.
    return error_response(
        503,
        "unavailable",
        f"background processing is not answering; retry in {BUSY_RETRY_AFTER_S} s",
        {"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ClearViewError, _clearview_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(RedisConnectionError, _redis_error)
    app.add_exception_handler(RedisTimeoutError, _redis_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


# For `responses=` on routes, so the OpenAPI page shows the error shape.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": code.replace("_", " ")}
    for status, code in _HTTP_CODES.items()
    if status in (401, 404, 422, 429)
}
