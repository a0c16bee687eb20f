"""Password hashing for the people who sign in to the chat (standard library only).

`User.password_hash` reads `scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`: a per-user random
salt and the cost parameters travel with the hash, so the cost can be raised later
without invalidating stored passwords (old hashes verify with their own parameters).

scrypt with n=2**14, r=8 costs ~16 MB and tens of milliseconds: call these from a thread
(`asyncio.to_thread`) in async code.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from functools import cache

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
