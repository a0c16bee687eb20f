"""What the commands share: settings read once with a readable error, the schema check,
and running a coroutine that uses the database."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from rich.console import Console

from core.db import dispose_engines
from core.settings import ConfigError, Mode, Settings, get_settings

T = TypeVar("T")
console = Console(stderr=True)

UPGRADE_COMMAND = "clearview db upgrade"


def settings_or_exit() -> Settings:
    try:
        return get_settings()
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def ensure_schema(settings: Settings | None = None) -> None:
    """Stop unless the database schema is current; migrate it where that is safe: in dev
    mode, and on the embedded SQLite file that only this install uses."""
    settings = settings or settings_or_exit()
    # Alembic takes seconds to import (tens on a busy machine): only once the settings are
    # known to be good, so a bad one is reported at once (`clearview.cli`).
    from core import migrate

    try:
        state = asyncio.run(migrate.schema_state())
    except Exception as exc:  # any driver error: say where, not a traceback
        console.print(
            f"[red]the database at {settings.redacted_database_url} cannot be reached: "
            f"{type(exc).__name__}: {exc}[/red]"
        )
        raise typer.Exit(2) from None
    if state.up_to_date:
        return
    if settings.mode is Mode.dev or not settings.is_postgres:
        migrate.upgrade()
        return
    where = "not migrated" if state.current is None else f"at {state.current}"
    console.print(
        f"[red]the database schema is {where}; this version needs {state.head}: "
        f"run `{UPGRADE_COMMAND}`[/red]"
    )
    raise typer.Exit(2)


def run_with_database(make: Callable[[], Awaitable[T]]) -> T:
    """Check the schema, then run `make()` and close the database connections after it;
    a configuration error is reported, not raised."""
    settings = settings_or_exit()
    ensure_schema(settings)

    async def run() -> T:
        try:
            return await make()
        finally:
            await dispose_engines()

    try:
        return asyncio.run(run())
    except ConfigError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
