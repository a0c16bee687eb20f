"""Secrets the server must read back (webhook signing secrets), encrypted at rest.

Keys are derived by HKDF-SHA256 from the deployment secret (`CLEARVIEW_SECRET_KEY`) under a
fixed context label, so the database alone reveals nothing and no second key has to be
kept. A stored value is `enc1:<Fernet token>`; anything without that prefix is a plain
value written before encryption existed and is read as it is (migration 0005 and
`clearview db rotate-secrets` encrypt those).

Rotation: set the new `CLEARVIEW_SECRET_KEY`, put the old one in
`CLEARVIEW_SECRET_KEY_PREVIOUS` (comma-separated, newest first), run
`clearview db rotate-secrets`, then drop PREVIOUS.

Kept in core and free of the services on purpose: Alembic migrations use it and must not
import the application.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from core.settings import Settings, get_settings

PREFIX = "enc1:"
# Changing the label changes every key: it names what the derived key is for.
CONTEXT = b"clearview/secrets-at-rest/v1"


class SecretDecryptError(Exception):
    """A stored secret that none of the configured keys opens."""


def derive_key(secret: str) -> bytes:
    """The Fernet key (url-safe base64 of 32 bytes) derived from a deployment secret."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(
        secret.encode()
    )
    return base64.urlsafe_b64encode(raw)


class SecretBox:
    """Encrypts under the current deployment secret; decrypts under it or a previous one."""

    def __init__(self, current: str, previous: Iterable[str] = ()) -> None:
        keys = [current, *(value for value in previous if value and value != current)]
        self._fernet = MultiFernet([Fernet(derive_key(key)) for key in keys])

    def seal(self, value: str) -> str:
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, stored: str) -> str:
        if not is_sealed(stored):
            return stored  # written before encryption at rest
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SecretDecryptError(
                "a stored secret opens with neither CLEARVIEW_SECRET_KEY nor "
                "CLEARVIEW_SECRET_KEY_PREVIOUS; set the secret it was encrypted with"
            ) from None

    def reseal(self, stored: str) -> str:
        """The value encrypted under the current key (plain values get encrypted too)."""
        return self.seal(self.open(stored))

    def seal_all(self, values: Sequence[str]) -> list[str]:
        return [self.seal(value) for value in values]

    def open_all(self, stored: Sequence[str]) -> list[str]:
        return [self.open(value) for value in stored]


def is_sealed(stored: str) -> bool:
    return stored.startswith(PREFIX)


def configured_box(settings: Settings | None = None) -> SecretBox:
    """The box of the configured `CLEARVIEW_SECRET_KEY` and `..._PREVIOUS`."""
    settings = settings or get_settings()
    previous = settings.secret_key_previous
    return SecretBox(
        settings.secret_key.get_secret_value(),
        [part.strip() for part in (previous.get_secret_value() if previous else "").split(",")],
    )
