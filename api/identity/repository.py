"""All SQL of identity: organisations, users, API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.identity.cache import USAGE_ONLY
from core.models import ApiKey, Organisation, User


class IdentityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def org_by_slug(self, slug: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.slug == slug))

    async def user_by_username(self, org_id: str, username: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.org_id == org_id, User.username == username)
        )

    async def key_for_auth(self, prefix: str) -> tuple[ApiKey, bool] | None:
        """The key with this prefix and whether its user is active, in one query."""
        row = (
            await self.session.execute(
                select(ApiKey, User.is_active)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.prefix == prefix)
            )
        ).first()
        return (row[0], bool(row[1])) if row else None

    async def key_in_org(self, key_id: str, org_id: str) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where(ApiKey.id == key_id, ApiKey.org_id == org_id)
        )

    async def key_by_id_or_prefix(self, ref: str) -> ApiKey | None:
        return await self.session.scalar(
            select(ApiKey).where((ApiKey.id == ref) | (ApiKey.prefix == ref))
        )

    async def keys_in_org(self, org_id: str) -> Sequence[ApiKey]:
        return (
            await self.session.scalars(
                select(ApiKey).where(ApiKey.org_id == org_id).order_by(ApiKey.created_at, ApiKey.id)
            )
        ).all()

    async def touch_key(self, key_id: str, when: datetime) -> None:
        await self.session.execute(
            update(ApiKey)
            .where(ApiKey.id == key_id)
            .values(last_used_at=when)
            .execution_options(**{USAGE_ONLY: True})
        )

    def add(self, *objects: Organisation | User | ApiKey) -> None:
        self.session.add_all(objects)

    async def flush(self) -> None:
        await self.session.flush()
