"""All SQL of accounts: organisations, users, e-mailed links, external identities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, select, update

from core.models import (
    AccountLink,
    ApiKey,
    ExternalIdentity,
    LinkPurpose,
    Organisation,
    Role,
    User,
)
from core.repository import Repository


class AccountRepository(Repository):
    async def org_by_slug(self, slug: str) -> Organisation | None:
        return await self.session.scalar(select(Organisation).where(Organisation.slug == slug))

    async def org(self, org_id: str) -> Organisation | None:
        return await self.session.get(Organisation, org_id)

    async def orgs(self) -> Sequence[Organisation]:
        return (await self.session.scalars(select(Organisation).order_by(Organisation.slug))).all()

    async def user(self, user_id: str) -> User | None:
        return await self.session.get(User, user_id)

    async def lock_user(self, user_id: str, *, share: bool = False) -> User | None:
        """The user, read afresh with its row locked to the end of the transaction (FOR
        UPDATE, or FOR SHARE when `share`; SQLite runs one writer at a time anyway): an
        erasure and a write naming the user then happen one after the other, never
        interleaved."""
        return await self.session.scalar(
            select(User)
            .where(User.id == user_id)
            .with_for_update(read=share)
            .execution_options(populate_existing=True)
        )

    async def user_by_email(self, email: str) -> User | None:
        return await self.session.scalar(select(User).where(User.email == email))

    async def users_in_org(self, org_id: str) -> Sequence[User]:
        return (
            await self.session.scalars(
                select(User).where(User.org_id == org_id).order_by(User.created_at, User.id)
            )
        ).all()

    async def admins_of(self, org_id: str) -> Sequence[User]:
        return (
            await self.session.scalars(
                select(User).where(
                    User.org_id == org_id,
                    User.role == Role.admin,
                    User.is_active.is_(True),
                    User.email.is_not(None),
                )
            )
        ).all()

    async def link(self, token_hash: str, purpose: LinkPurpose) -> AccountLink | None:
        return await self.session.scalar(
            select(AccountLink).where(
                AccountLink.token_hash == token_hash, AccountLink.purpose == purpose
            )
        )

    async def use_link(self, link_id: str, when: datetime) -> bool:
        """Mark a link used, unless it already was; whether this call used it (one of
        two concurrent uses wins, the other gets False)."""
        result = await self.session.execute(
            update(AccountLink)
            .where(AccountLink.id == link_id, AccountLink.used_at.is_(None))
            .values(used_at=when)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def external_identity(self, provider: str, subject: str) -> ExternalIdentity | None:
        return await self.session.get(ExternalIdentity, (provider, subject))

    async def erase_person(self, user_id: str, email: str | None) -> None:
        """Links sent to the person (by user or by address: an accepted invitation names
        only the address) and their identity-provider accounts."""
        by_email = [AccountLink.email == email] if email else []
        await self.session.execute(
            delete(AccountLink).where(or_(AccountLink.user_id == user_id, *by_email))
        )
        await self.session.execute(
            delete(ExternalIdentity).where(ExternalIdentity.user_id == user_id)
        )

    async def delete_user(self, user_id: str) -> None:
        """A user and their keys (a person with nothing else stored)."""
        await self.session.execute(delete(ApiKey).where(ApiKey.user_id == user_id))
        await self.session.execute(delete(User).where(User.id == user_id))
