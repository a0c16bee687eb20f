"""The `clearview` command: the composition root that starts services, workers and tools.

It is the one module of `core` that reaches into the packages above it, and only inside
command bodies (lazy imports), so importing `core` never drags in the rest.
"""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, help="ClearView: a chat-first career assistant.")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    from core import migrate

    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}")


if __name__ == "__main__":
    app()
