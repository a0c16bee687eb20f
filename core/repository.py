"""The base of every feature's repository: the session it works in, and the SQL every
repository needs the same way (adding rows, an INSERT that skips conflicting rows on both
SQLite and PostgreSQL).

Each feature keeps all of its SQL in its own `repository.py`, on a subclass of
`Repository`; services call repositories and only `flush()`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession


def dialect_insert(bind: AsyncSession | AsyncConnection, table: Any) -> Any:
    """The dialect's INSERT into `table` (a model or table): it has `on_conflict_do_nothing`
    and `returning` on both databases, unlike the generic one."""
    dialect = bind.get_bind().dialect if isinstance(bind, AsyncSession) else bind.dialect
    insert = postgresql_insert if dialect.name == "postgresql" else sqlite_insert
    return insert(table)


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, *objects: object) -> None:
        self.session.add_all(objects)

    async def flush(self) -> None:
        await self.session.flush()

    @property
    def is_postgres(self) -> bool:
        """Row locks (`FOR UPDATE`) mean something only there; SQLite locks the file."""
        return bool(self.session.get_bind().dialect.name == "postgresql")

    def insert(self, table: Any) -> Any:
        """`dialect_insert` for this repository's session."""
        return dialect_insert(self.session, table)
