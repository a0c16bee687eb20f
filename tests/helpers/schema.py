"""The difference between a migrated database and the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import AsyncEngine

from core import migrate
from core.models import Base


async def schema_diff(engine: AsyncEngine) -> list[object]:
    """Alembic's autogenerate diff of `engine`'s schema against the models ([] if equal)."""

    def compare(connection):  # type: ignore[no-untyped-def]
        opts = {"compare_type": True, "include_name": migrate.include_name}
        context = MigrationContext.configure(connection, opts=opts)
        return compare_metadata(context, Base.metadata)

    async with engine.connect() as conn:
        return list(await conn.run_sync(compare))
