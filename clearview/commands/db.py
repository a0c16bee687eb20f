"""`clearview db upgrade`: apply the schema migrations (Alembic); `clearview db
rotate-secrets`: re-encrypt the secrets kept at rest under the current deployment secret."""

from __future__ import annotations

import typer

from clearview.commands.common import console, run_with_database, settings_or_exit
from core.db import session_scope
from core.secrets_at_rest import SecretDecryptError

app = typer.Typer(no_args_is_help=True, help="Database schema.")


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head")) -> None:
    """Apply migrations to the configured database."""
    settings_or_exit()
    from core import migrate  # heavy (Alembic); see `clearview.commands.common`

    migrate.upgrade(revision=revision)
    typer.echo(f"database at {revision}")


@app.command("rotate-secrets")
def rotate_secrets() -> None:
    """Re-encrypt the stored webhook secrets under the current CLEARVIEW_SECRET_KEY.

    After changing the key, keep the old one in CLEARVIEW_SECRET_KEY_PREVIOUS until this
    has run; then it can go.
    """
    from api.gateway.service import reseal_secrets  # see `clearview.cli` on lazy imports

    async def reseal() -> int:
        async with session_scope() as session:
            return await reseal_secrets(session)

    try:
        count = run_with_database(reseal)
    except SecretDecryptError as exc:  # nothing was written: the transaction rolled back
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    typer.echo(f"re-encrypted the secrets of {count} webhook subscription(s)")
