"""`clearview db upgrade`: apply the schema migrations (Alembic)."""

from __future__ import annotations

import typer

from clearview.commands.common import settings_or_exit
from core import migrate

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    settings_or_exit()
    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}")
