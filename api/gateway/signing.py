"""Standard Webhooks signatures (https://www.standardwebhooks.com/).

A message is signed as `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`, keyed by
the base64-decoded part of a `whsec_...` secret. While a secret is being rotated a message
carries one signature per secret, space separated, so a receiver can switch at its pace.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Sequence

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
VERSION = "v1"
# The tolerance the spec recommends: a captured request cannot be replayed later than this.
TIMESTAMP_TOLERANCE_S = 300


class SignatureError(ValueError):
    """A message that does not verify (the reason is safe to show the sender)."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def _key(secret: str) -> bytes:
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        return base64.b64decode(encoded, validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is `whsec_` followed by base64") from exc


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `v1,<base64>` signature of one message under one secret."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return f"{VERSION},{base64.b64encode(digest).decode()}"


def signature_header(secrets_: Sequence[str], msg_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value: one signature per secret, newest first."""
    return " ".join(sign(secret, msg_id, timestamp, body) for secret in secrets_)


def check_timestamp(value: str, now: float, tolerance_s: int = TIMESTAMP_TOLERANCE_S) -> int:
    """The header's timestamp, if it is within `tolerance_s` of `now`."""
    try:
        timestamp = int(value)
    except ValueError:
        raise SignatureError("webhook-timestamp must be integer seconds since the epoch") from None
    if timestamp < now - tolerance_s:
        raise SignatureError("webhook-timestamp too old; sign each attempt with the current time")
    if timestamp > now + tolerance_s:
        raise SignatureError("webhook-timestamp too new; check the sender's clock")
    return timestamp


def matching_secret(
    header: str, candidates: Sequence[str], msg_id: str, timestamp: int, body: bytes
) -> str | None:
    """The first candidate secret under which one of the header's signatures verifies.

    Every comparison is constant-time, so the response time does not tell an attacker how
    much of a forged signature was right.
    """
    offered = [part for part in header.split() if part.startswith(f"{VERSION},")]
    for secret in candidates:
        try:
            expected = sign(secret, msg_id, timestamp, body).encode()
        except ValueError:
            continue  # a malformed stored secret verifies nothing
        matched = False
        for signature in offered:
            # No early exit: every offered signature is compared.
            matched |= hmac.compare_digest(expected, signature.encode())
        if matched:
            return secret
    return None
