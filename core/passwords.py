"""Password hashing for the people who sign in to the chat (standard library only).

`User.password_hash` reads `scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`: a per-user random
salt and the cost parameters travel with the hash, so the cost can be raised later
without invalidating stored passwords (old hashes verify with their own parameters).

scrypt with n=2**14, r=8 costs ~16 MB and tens of milliseconds: async code calls
`hash_password_async` / `verify_password_async`, which run it on a small pool of its own
(`CLEARVIEW_PASSWORD_HASH_THREADS`), off the event loop and never more at once than the
pool has threads, so a burst of sign-ins queues instead of taking every core and memory.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import cache

from core.settings import get_settings

SCHEME = "scrypt"
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
# Enough for n=2**14, r=8 (128 * n * r = 16 MiB) with room to spare.
_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=KEY_BYTES
    )


def hash_password(password: str) -> str:
    """A new salted hash of `password`, ready for `User.password_hash`."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _derive(password, salt, N, R, P)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether `password` matches `stored`; False for a missing or malformed hash."""
    if not stored:
        return False
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
        digest = _derive(password, salt, n, r, p)
    except ValueError:
        return False
    return hmac.compare_digest(digest, expected)


@cache
def dummy_hash() -> str:
    """Verified against when the user does not exist, so a wrong username costs as much
    time as a wrong password and sign-in timing does not reveal which accounts exist."""
    return hash_password(secrets.token_urlsafe(16))


@cache
def _pool() -> ThreadPoolExecutor:
    threads = get_settings().password_hash_threads
    return ThreadPoolExecutor(max_workers=threads, thread_name_prefix="password-hash")


async def hash_password_async(password: str) -> str:
    """`hash_password` on the hashing pool."""
    return await asyncio.get_running_loop().run_in_executor(_pool(), hash_password, password)


def _verify_costly(password: str, stored: str | None) -> bool:
    if stored is None:
        verify_password(password, dummy_hash())  # the same cost for a missing hash
        return False
    return verify_password(password, stored)


async def verify_password_async(password: str, stored: str | None) -> bool:
    """`verify_password` on the hashing pool; no hash (no such user) costs the same."""
    return await asyncio.get_running_loop().run_in_executor(
        _pool(), _verify_costly, password, stored
    )
