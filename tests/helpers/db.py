"""Assertions on the database the test's `engine` fixture points at."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import session_scope


async def count_rows(engine: AsyncEngine, model: type, *where: object) -> int:
    async with session_scope(engine) as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]
