"""Domain errors: each carries its HTTP status; one handler renders them as
`{"error": ..., "detail": ...}` (see `api.app`)."""

from __future__ import annotations


class ClearViewError(Exception):
    status_code = 500
    error = "internal_error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadRequest(ClearViewError):
    status_code = 400
    error = "bad_request"


class Unauthorized(ClearViewError):
    status_code = 401
    error = "unauthorized"


class Forbidden(ClearViewError):
    status_code = 403
    error = "forbidden"


class NotFound(ClearViewError):
    status_code = 404
    error = "not_found"


class Conflict(ClearViewError):
    status_code = 409
    error = "conflict"


class PayloadTooLarge(ClearViewError):
    status_code = 413
    error = "payload_too_large"


class UnsupportedMediaType(ClearViewError):
    status_code = 415
    error = "unsupported_media_type"


class Unprocessable(ClearViewError):
    status_code = 422
    error = "unprocessable"


class RateLimited(ClearViewError):
    status_code = 429
    error = "rate_limited"


class Unavailable(ClearViewError):
    status_code = 503
    error = "unavailable"
