"""Identity schemas: the authenticated caller, and API key payloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from core.models import Role


@dataclass(frozen=True, slots=True)
class Identity:
    """The caller, resolved from its API key. The organisation always comes from here,
    never from a payload field."""

    key_id: str
    user_id: str
    org_id: str
    role: Role

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin


class IdentityOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "key_id": "0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4",
                    "user_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                    "org_id": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                    "role": "employer",
                }
            ]
        },
    )

    key_id: str
    user_id: str
    org_id: str
    role: Role


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"role": "employer", "username": "hr-bot", "name": "ATS sync"}]
        }
    )

    role: Role
    username: str | None = Field(
        None,
        max_length=120,
        description="existing or new user of your organisation; new user if omitted",
    )
    name: str | None = Field(None, max_length=120, description="a label to recognise the key")


_KEY_EXAMPLE: dict[str, JsonValue] = {
    "id": "0d9c8b7a6f5e4d3c2b1a09f8e7d6c5b4",
    "prefix": "cv_1a2b3c4d5e6f",
    "role": "employer",
    "user_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
    "name": "ATS sync",
    "created_at": "2026-01-05T10:00:00Z",
    "revoked_at": None,
    "last_used_at": None,
}


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={"examples": [_KEY_EXAMPLE]},
    )

    id: str
    prefix: str
    role: Role
    user_id: str
    name: str | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    """The new key with its secret: shown once, never again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{**_KEY_EXAMPLE, "key": "cv_1a2b3c4d5e6f_Zk3..."}]},
    )

    key: str


class PasswordSignIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"username": "candidate@demo.clearview", "password": "demo"}]
        }
    )

    username: str = Field(min_length=1, max_length=120)
    password: str = Field(min_length=1, max_length=1024)


class SessionRenew(BaseModel):
    """A chat process asks for a new key of a signed-in user (its own memory was lost)."""

    user_id: str = Field(min_length=1, max_length=32)


class AccountOut(BaseModel):
    """Who signed in, as their user row says now (never as a token claims)."""

    model_config = ConfigDict(from_attributes=True)

    user_id: str
    org_id: str
    role: Role
    username: str
    display_name: str
    email: str | None = None


class SessionOut(BaseModel):
    """A signed-in user and a key to act for them (shown once, never stored by us)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account": {
                        "user_id": "5b4a3c2d1e0f9a8b7c6d5e4f3a2b1c0d",
                        "org_id": "9f8e7d6c5b4a39281706f5e4d3c2b1a0",
                        "role": "candidate",
                        "username": "candidate@demo.clearview",
                        "display_name": "Demo candidate",
                        "email": None,
                    },
                    "key": "cv_1a2b3c4d5e6f_Zk3...",
                }
            ]
        }
    )

    account: AccountOut
    key: str
