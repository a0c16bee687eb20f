"""Sign-in throttling: attempts per account and per client address, answering 429.

Every password attempt costs a 16 MB scrypt, and a guessing run against one account (or
from one address against many) must stop long before it gets anywhere. Both counts are
taken before the password is checked, so a refused attempt costs no hashing at all.
They live in the API's rate limit store (Redis, shared by every process of a
deployment; see `api.ratelimit`), keyed by a digest of the account name.

The client address is the TCP peer's, or, for the deployment's own chat (which signs
people in on their behalf), the browser's address it forwards with the service
credential: a forwarded address from anyone else is ignored.
"""

from __future__ import annotations

import hmac
import math

from fastapi import Request

from api.ratelimit import RateLimitStore
from core.credentials import CLIENT_HEADER, SERVICE_HEADER, service_credential
from core.errors import RateLimited
from core.settings import get_settings


def client_address(request: Request) -> str:
    """Who is signing in: the browser behind our own chat, else the peer."""
    forwarded = request.headers.get(CLIENT_HEADER)
    credential = request.headers.get(SERVICE_HEADER, "")
    if forwarded and hmac.compare_digest(credential, service_credential()):
        return forwarded
    return request.client.host if request.client else "unknown"


class SignInThrottle:
    def __init__(self, store: RateLimitStore) -> None:
        self.store = store

    async def check(self, account: str, address: str) -> None:
        """Count one attempt; `RateLimited` with Retry-After past either limit."""
        settings = get_settings()
        window = float(settings.signin_window_s)
        limits = (
            (f"signin:account:{account.strip().lower()}", settings.signin_attempts_per_account),
            (f"signin:address:{address}", settings.signin_attempts_per_address),
        )
        for key, limit in limits:
            decision = await self.store.hit(key, limit, window)
            if not decision.allowed:
                retry = max(1, math.ceil(decision.retry_after))
                raise RateLimited(
                    f"too many sign-in attempts; wait {retry} s, or reset your password",
                    headers={"Retry-After": str(retry)},
                )
