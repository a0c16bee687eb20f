"""`clearview db upgrade`: apply the schema migrations (Alembic)."""

from __future__ import annotations

import typer

from clearview.commands.common import settings_or_exit

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    settings_or_exit()
    from core import migrate  # heavy (Alembic); see `clearview.commands.common`

    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}")
