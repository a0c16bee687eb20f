"""Accounts schemas: organisations, users and invitations in the admin API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from core.models import Role


class OrganisationCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"slug": "acme", "name": "Acme Recruiting"}]}
    )

    slug: str = Field(min_length=1, max_length=64, description="lowercase letters, digits, -")
    name: str = Field(min_length=1, max_length=200)


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    slug: str
    name: str
    is_active: bool
    created_at: datetime


class UserCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "sam@acme.example", "role": "employer", "password": "a long passphrase"}
            ]
        }
    )

    email: str = Field(min_length=3, max_length=254)
    role: Role
    password: str | None = Field(
        None, max_length=1024, description="omit to let them set one by a password reset"
    )
    display_name: str | None = Field(None, max_length=200)
    org_id: str | None = Field(
        None, description="platform admins: the organisation; default your own"
    )


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    email: str | None
    username: str
    display_name: str | None
    role: Role
    email_verified: bool
    is_active: bool
    created_at: datetime


class InvitationCreate(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": "alex@acme.example", "role": "employer"}]}
    )

    email: str = Field(min_length=3, max_length=254)
    role: Role
    org_id: str | None = Field(
        None, description="platform admins: the organisation to join; default your own"
    )


class InvitationOut(BaseModel):
    """The invitation was mailed; its single-use link is also shown to the admin once."""

    email: str
    role: Role
    org_id: str
    url: str
    expires_in_hours: int


class ExternalSignIn(BaseModel):
    """What the chat read from the identity provider after an OpenID Connect sign-in."""

    provider: str = Field(min_length=1, max_length=64)
    subject: str = Field(min_length=1, max_length=255)
    email: str | None = Field(None, max_length=254)
    email_verified: bool = False


class HandoverSignIn(BaseModel):
    """A hand-over token from the platform that embeds the chat (HS256, signed with
    `CLEARVIEW_HANDOVER_KEY`; claims `sub`, `email`, `exp` at most 5 minutes ahead)."""

    token: str = Field(min_length=1, max_length=4096)
