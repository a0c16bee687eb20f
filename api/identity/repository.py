"""All SQL of identity: organisations, users, API keys."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, or_, select, update

from core.models import ApiKey, Organisation, User
from core.repository import Repository


class IdentityRepository(Repository):
    async def org_by_slug(self, slug: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.slug == slug))

    async def user_by_username(self, org_id: str, username: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.org_id == org_id, User.username == username)
        )

    async def password_users(self, login: str) -> Sequence[User]:
        """Users who sign in with a password as `login`: their e-mail address, or the
        username of a user who has none (one, normally)."""
        return (
            await self.session.scalars(
                select(User).where(
                    or_(
                        User.email == login.lower(),
                        and_(User.email.is_(None), User.username == login),
                    ),
                    User.password_hash.is_not(None),
                )
            )
        ).all()

    async def user_with_org(self, user_id: str) -> tuple[User, Organisation] | None:
        row = (
            await self.session.execute(
                select(User, Organisation)
                .join(Organisation, Organisation.id == User.org_id)
                .where(User.id == user_id)
            )
        ).first()
        return (row[0], row[1]) if row else None

    async def user_in_org(self, org_id: str, user_id: str) -> User | None:
        return await self.session.scalar(
            select(User).where(User.org_id == org_id, User.id == user_id)
        )

    async def key_for_auth(self, prefix: str) -> tuple[ApiKey, User, bool] | None:
        """The key with this prefix, its user, and whether their organisation is active,
        in one query."""
        row = (
            await self.session.execute(
                select(ApiKey, User, Organisation.is_active)
                .join(User, User.id == ApiKey.user_id)
                .join(Organisation, Organisation.id == User.org_id)
                .where(ApiKey.prefix == prefix)
            )
        ).first()
        return (row[0], row[1], bool(row[2])) if row else None

    async def revoke_user_keys(self, user_id: str, when: datetime) -> int:
        """Revoke every live key of a user; how many."""
        result = await self.session.execute(
            update(ApiKey)
            .where(ApiKey.user_id == user_id, ApiKey.revoked_at.is_(None))
            .values(revoked_at=when)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

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
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=when)
        )

    async def delete_key(self, key_id: str) -> None:
        await self.session.execute(delete(ApiKey).where(ApiKey.id == key_id))
